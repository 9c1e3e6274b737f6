//! What a person may type in for a manual asset (a house, a car).

use rust_decimal::Decimal;
use std::str::FromStr;

/// 1 to 200 characters once trimmed, without control characters (no newlines, tabs or NULs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetDescription(String);

impl AssetDescription {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let description = raw.trim();
        if description.is_empty() {
            return Err("Describe the asset, e.g. “House” or “Car”.".to_owned());
        }
        if description.chars().count() > Self::MAX_CHARS {
            return Err(format!(
                "Descriptions are at most {} characters long.",
                Self::MAX_CHARS
            ));
        }
        if description.chars().any(char::is_control) {
            return Err(
                "Descriptions cannot contain control characters such as line breaks or tabs."
                    .to_owned(),
            );
        }
        Ok(Self(description.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What an asset is worth: a plain decimal such as `250000.00`, zero or more, with at most four
/// digits after the point (enough for any ISO 4217 currency: JPY has 0, USD 2, BHD 3, CLF 4) and
/// below 10^15. The digits written are kept: `"12.50"` stays `12.50`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssetValue(Decimal);

impl AssetValue {
    pub const MAX_FRACTION_DIGITS: usize = 4;
    /// Digits before the point: below 10^15.
    const MAX_WHOLE_DIGITS: usize = 15;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let text = raw.trim();
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || (unsigned.contains('.') && !digits(fraction)) {
            return Err("Enter the value as a plain number such as 250000 or 1234.56.".to_owned());
        }
        let is_zero = whole.bytes().chain(fraction.bytes()).all(|b| b == b'0');
        if negative && !is_zero {
            return Err("The value cannot be negative: an asset is worth zero or more.".to_owned());
        }
        if fraction.len() > Self::MAX_FRACTION_DIGITS {
            return Err(format!(
                "Use at most {} digits after the decimal point.",
                Self::MAX_FRACTION_DIGITS
            ));
        }
        if whole.trim_start_matches('0').len() > Self::MAX_WHOLE_DIGITS {
            return Err("The value must be less than 1,000,000,000,000,000.".to_owned());
        }
        // Checked above: at most 15 + 4 digits, well inside what `Decimal` holds.
        Decimal::from_str(unsigned)
            .map(Self)
            .map_err(|_| "Enter the value as a plain number such as 250000 or 1234.56.".to_owned())
    }

    pub fn amount(self) -> Decimal {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_trimmed_bounded_and_printable() {
        assert_eq!(
            AssetDescription::parse("  House  ").unwrap().as_str(),
            "House"
        );
        assert!(AssetDescription::parse(&"é".repeat(200)).is_ok());
        for bad in [
            "",
            "   ",
            &"a".repeat(201),
            "two\nlines",
            "tab\there",
            "nul\0",
        ] {
            assert!(AssetDescription::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn values_are_plain_non_negative_decimals() {
        let parse = |s: &str| AssetValue::parse(s).map(AssetValue::amount);
        assert_eq!(parse("250000.00").unwrap().to_string(), "250000.00");
        assert_eq!(parse("0").unwrap(), Decimal::ZERO);
        assert_eq!(parse("-0.00").unwrap(), Decimal::ZERO);
        assert_eq!(parse("1.2345").unwrap().to_string(), "1.2345");
        assert!(parse("999999999999999.9999").is_ok());
        assert!(parse("000001000000000000000").is_err());
        assert!(parse("1000000000000000").is_err());
        assert!(parse("1.23456").is_err());
        assert!(parse("-1").unwrap_err().contains("negative"));
        for bad in [
            "", "abc", "1e5", "1_000", "+1", "1.", ".5", "1.2.3", "NaN", "1 000",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
