use std::fmt;

/// What a person calls one of their passkeys: 1–100 characters once trimmed, no control
/// characters (it is shown in lists and logs nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyName(String);

impl PasskeyName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("Give the passkey a name, such as “Phone” or “Security key”.".to_owned());
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err("A passkey's name is at most 100 characters long.".to_owned());
        }
        if name.chars().any(char::is_control) {
            return Err("A passkey's name cannot contain control characters.".to_owned());
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PasskeyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_between_1_and_100_characters() {
        assert_eq!(PasskeyName::parse("  Phone ").unwrap().as_str(), "Phone");
        assert!(PasskeyName::parse("   ").is_err());
        assert!(PasskeyName::parse(&"é".repeat(100)).is_ok());
        assert!(PasskeyName::parse(&"é".repeat(101)).is_err());
        assert!(PasskeyName::parse("a\u{7}b").is_err());
    }
}
