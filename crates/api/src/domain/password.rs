use secrecy::{ExposeSecret, SecretString};

/// A new password: at least 10 characters, at most 1,024. Never printed.
pub struct Password(SecretString);

impl Password {
    /// The longest password there can be; nothing longer is ever hashed.
    pub const MAX_CHARS: usize = 1024;

    pub fn parse(raw: SecretString) -> Result<Self, String> {
        let length = raw.expose_secret().chars().count();
        if length < 10 {
            return Err("Passwords are at least 10 characters long.".to_owned());
        }
        Self::within_limit(raw.expose_secret())?;
        Ok(Self(raw))
    }

    /// A password given to be checked (log-in, re-authentication) is refused before any
    /// hashing when it is longer than any password can be.
    pub fn within_limit(given: &str) -> Result<(), String> {
        if given.chars().count() > Self::MAX_CHARS {
            return Err("Passwords are at most 1,024 characters long.".to_owned());
        }
        Ok(())
    }

    pub fn secret(&self) -> &SecretString {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_rules() {
        let parse = |s: &str| Password::parse(SecretString::from(s));
        assert!(parse("short").is_err());
        assert!(parse("ten chars!").is_ok());
        assert!(parse(&"x".repeat(1024)).is_ok());
        assert!(parse(&"x".repeat(1025)).is_err());
        // Characters, not bytes: ten accented letters are ten characters.
        assert!(parse("éééééééééé").is_ok());
    }
}
