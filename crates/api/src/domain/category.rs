//! What a person may type in for a category.

use tally_shared::api::categories::CategoryKind;

/// 1 to 60 characters once trimmed, without control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryName(String);

impl CategoryName {
    pub const MAX_CHARS: usize = 60;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("Give the category a name, e.g. “Coffee beans”.".to_owned());
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(format!(
                "Category names are at most {} characters long.",
                Self::MAX_CHARS
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(
                "Category names cannot contain control characters such as line breaks or tabs."
                    .to_owned(),
            );
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `spending`, `income` or `transfer`.
pub fn parse_kind(raw: &str) -> Result<CategoryKind, String> {
    CategoryKind::from_name(raw.trim())
        .ok_or_else(|| "The kind is one of “spending”, “income” or “transfer”.".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_bounded_and_printable() {
        assert_eq!(
            CategoryName::parse("  Coffee  ").unwrap().as_str(),
            "Coffee"
        );
        assert!(CategoryName::parse(&"é".repeat(60)).is_ok());
        for bad in ["", "  ", &"a".repeat(61), "two\nlines", "tab\there"] {
            assert!(CategoryName::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn kinds_are_the_three_names() {
        assert_eq!(parse_kind("income"), Ok(CategoryKind::Income));
        assert_eq!(parse_kind(" transfer "), Ok(CategoryKind::Transfer));
        for bad in ["", "Spending", "expense"] {
            assert!(parse_kind(bad).is_err(), "{bad:?} accepted");
        }
    }
}
