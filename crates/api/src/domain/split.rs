//! A split of one transaction into parts, as a person sends it (`PUT /api/transactions/{id}/splits`).

use rust_decimal::Decimal;
use tally_shared::api::transactions::Split;
use tally_shared::ids::CategoryId;
use tally_shared::FieldError;

/// One checked part: a non-zero amount, a category (which the caller checks the person sees),
/// and notes of at most 2,000 characters, none when blank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitPart {
    pub amount: Decimal,
    pub category_id: CategoryId,
    pub notes: Option<String>,
}

/// 2 to 20 parts, in the order given, that add up to the transaction's amount exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitParts(Vec<SplitPart>);

impl SplitParts {
    pub const MIN_PARTS: usize = 2;
    pub const MAX_PARTS: usize = 20;
    pub const MAX_NOTES_CHARS: usize = 2_000;

    /// The parts, or every field that is wrong (`splits`, `splits[i].amount`,
    /// `splits[i].notes`), the sum against `total` included.
    pub fn parse(parts: Vec<Split>, total: Decimal) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut error = |field: String, message: String| errors.push(FieldError { field, message });
        if !(Self::MIN_PARTS..=Self::MAX_PARTS).contains(&parts.len()) {
            error(
                "splits".to_owned(),
                format!(
                    "Split a transaction into {} to {} parts.",
                    Self::MIN_PARTS,
                    Self::MAX_PARTS
                ),
            );
        }
        let mut checked = Vec::with_capacity(parts.len());
        for (i, part) in parts.into_iter().enumerate() {
            if part.amount.is_zero() {
                error(
                    format!("splits[{i}].amount"),
                    "Give each part an amount other than zero.".to_owned(),
                );
            }
            let notes = part
                .notes
                .map(|notes| notes.trim().to_owned())
                .filter(|notes| !notes.is_empty());
            if notes
                .as_ref()
                .is_some_and(|notes| notes.chars().count() > Self::MAX_NOTES_CHARS)
            {
                error(
                    format!("splits[{i}].notes"),
                    format!(
                        "Notes are at most {} characters long.",
                        Self::MAX_NOTES_CHARS
                    ),
                );
            }
            checked.push(SplitPart {
                amount: part.amount,
                category_id: part.category_id,
                notes,
            });
        }
        // Decimal addition is exact; only an absurd body could overflow it.
        let remainder = checked
            .iter()
            .try_fold(Decimal::ZERO, |sum, part| sum.checked_add(part.amount))
            .and_then(|sum| Some((sum, total.checked_sub(sum)?)));
        match remainder {
            Some((_, remainder)) if remainder.is_zero() => {}
            Some((sum, remainder)) => {
                error("splits".to_owned(), sum_message(sum, total, remainder))
            }
            None => error(
                "splits".to_owned(),
                "The parts are too large to add up.".to_owned(),
            ),
        }
        if errors.is_empty() {
            Ok(Self(checked))
        } else {
            Err(errors)
        }
    }

    pub fn parts(&self) -> &[SplitPart] {
        &self.0
    }
}

/// What is wrong with parts adding up to `sum` when the transaction is `total`.
fn sum_message(sum: Decimal, total: Decimal, remainder: Decimal) -> String {
    let short = if remainder.is_sign_positive() {
        format!("{remainder} is still to be split")
    } else {
        format!("they are {} too much", remainder.abs())
    };
    format!("The parts add up to {sum}, but the transaction is {total}: {short}.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use uuid::Uuid;

    fn part(amount: &str, notes: Option<&str>) -> Split {
        Split {
            amount: Decimal::from_str(amount).unwrap(),
            category_id: CategoryId(Uuid::nil()),
            notes: notes.map(str::to_owned),
        }
    }

    fn total(amount: &str) -> Decimal {
        Decimal::from_str(amount).unwrap()
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn parts_that_add_up_exactly_are_kept_in_order() {
        let parts = SplitParts::parse(
            vec![part("30.00", Some("  mine ")), part("12.5", Some("  "))],
            total("42.50"),
        )
        .unwrap();
        let amounts: Vec<String> = parts.parts().iter().map(|p| p.amount.to_string()).collect();
        assert_eq!(amounts, ["30.00", "12.5"]);
        assert_eq!(parts.parts()[0].notes.as_deref(), Some("mine"));
        assert_eq!(parts.parts()[1].notes, None);
        // Parts may take the other direction (a refund inside a purchase), as long as they add up.
        assert!(
            SplitParts::parse(vec![part("50", None), part("-7.50", None)], total("42.5")).is_ok()
        );
    }

    #[test]
    fn a_sum_off_by_a_cent_says_what_remains() {
        let errors = SplitParts::parse(
            vec![part("30.00", None), part("12.49", None)],
            total("42.50"),
        )
        .unwrap_err();
        assert_eq!(fields(&errors), ["splits"]);
        assert!(
            errors[0].message.contains("0.01 is still to be split"),
            "{}",
            errors[0].message
        );
        let errors = SplitParts::parse(
            vec![part("30.00", None), part("12.51", None)],
            total("42.50"),
        )
        .unwrap_err();
        assert!(
            errors[0].message.contains("they are 0.01 too much"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn counts_zeros_and_long_notes_are_named_all_at_once() {
        let errors = SplitParts::parse(vec![part("42.50", None)], total("42.50")).unwrap_err();
        assert_eq!(fields(&errors), ["splits"]);
        let many = vec![part("1", None); 21];
        assert_eq!(
            fields(&SplitParts::parse(many, total("21")).unwrap_err()),
            ["splits"]
        );
        let twenty = vec![part("1", None); 20];
        assert!(SplitParts::parse(twenty, total("20")).is_ok());

        let long = "é".repeat(2_001);
        let errors = SplitParts::parse(
            vec![part("0", None), part("10", Some(&long)), part("0.00", None)],
            total("10"),
        )
        .unwrap_err();
        assert_eq!(
            fields(&errors),
            ["splits[0].amount", "splits[1].notes", "splits[2].amount"]
        );
        let at_most = "é".repeat(2_000);
        assert!(SplitParts::parse(
            vec![part("4", Some(&at_most)), part("6", None)],
            total("10")
        )
        .is_ok());
    }
}
