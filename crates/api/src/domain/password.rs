use secrecy::{ExposeSecret, SecretString};

/// A new password: at least 10 characters, at most 1,024. Never printed.
pub struct Password(SecretString);

impl Password {
    pub fn parse(raw: SecretString) -> Result<Self, String> {
        let length = raw.expose_secret().chars().count();
        if length < 10 {
            return Err("Passwords are at least 10 characters long.".to_owned());
        }
        if length > 1024 {
            return Err("Passwords are at most 1,024 characters long.".to_owned());
        }
        Ok(Self(raw))
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
