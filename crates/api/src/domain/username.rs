use std::fmt;

/// 3–32 ASCII letters, digits, `.`, `_` or `-`. Compared without regard to case (the database
/// column is `citext`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub const MAX_CHARS: usize = 32;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        let length = name.chars().count();
        if !(3..=Self::MAX_CHARS).contains(&length) {
            return Err("Usernames are 3 to 32 characters long.".to_owned());
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err("Usernames may contain only letters, digits, '.', '_' and '-'.".to_owned());
        }
        Ok(Self(name.to_owned()))
    }

    /// A name given to log in with is refused before any hashing when no account can have it.
    pub fn within_limit(given: &str) -> Result<(), String> {
        if given.trim().chars().count() > Self::MAX_CHARS {
            return Err("Usernames are at most 32 characters long.".to_owned());
        }
        Ok(())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_allowed_alphabet_only() {
        for good in [
            "bob",
            "Alice.Smith",
            "a_b-c",
            "x23",
            &"a".repeat(32),
            "  padded  ",
        ] {
            assert!(Username::parse(good).is_ok(), "{good:?} refused");
        }
        for bad in [
            "",
            "ab",
            &"a".repeat(33),
            "has space",
            "émile",
            "semi;colon",
            "<script>",
        ] {
            assert!(Username::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(Username::parse(" bob ").unwrap().as_str(), "bob");
    }
}
