//! What a person may set on a transaction by hand (issue #13): a display name, notes and tags,
//! and the checked form of a `PATCH /api/transactions/{id}` body.

use tally_shared::api::transactions::TransactionEdit;
use tally_shared::ids::CategoryId;
use tally_shared::FieldError;

pub const MAX_DISPLAY_NAME_CHARS: usize = 200;
pub const MAX_NOTES_CHARS: usize = 2_000;
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 40;

/// 1 to 200 characters once trimmed, on one line.
pub fn parse_display_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(
            "Give it a name, or send null to show the bank's description again.".to_owned(),
        );
    }
    if name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(format!(
            "Names are at most {MAX_DISPLAY_NAME_CHARS} characters long."
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("Names cannot contain line breaks or tabs.".to_owned());
    }
    Ok(name.to_owned())
}

/// Up to 2,000 characters, trimmed; blank notes are no notes.
pub fn parse_notes(raw: &str) -> Result<Option<String>, String> {
    let notes = raw.trim();
    if notes.chars().count() > MAX_NOTES_CHARS {
        return Err(format!(
            "Notes are at most {MAX_NOTES_CHARS} characters long."
        ));
    }
    Ok((!notes.is_empty()).then(|| notes.to_owned()))
}

/// Up to 20 tags, each 1 to 40 characters once trimmed, kept in lower case (so the `tag`
/// filter matches regardless of case and uses its index), without duplicates, in the order
/// given. A comma would make a list of tags ambiguous wherever it is written as text (the CSV
/// export), so it is refused.
pub fn parse_tags(raw: &[String]) -> Result<Vec<String>, String> {
    let mut tags: Vec<String> = Vec::with_capacity(raw.len());
    for tag in raw {
        let tag = tag.trim().to_lowercase();
        if tag.is_empty() || tag.chars().count() > MAX_TAG_CHARS {
            return Err(format!("Each tag is 1 to {MAX_TAG_CHARS} characters long."));
        }
        if tag.chars().any(|c| c.is_control() || c == ',') {
            return Err("Tags cannot contain commas, line breaks or tabs.".to_owned());
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("A transaction has at most {MAX_TAGS} tags."));
    }
    Ok(tags)
}

/// A checked edit. Each field: `None` leaves it, `Some(None)` gives it back to the rules and
/// Plaid, `Some(Some(value))` sets it by hand. The category still has to be one the person sees.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelEdit {
    pub category_id: Option<Option<CategoryId>>,
    pub display_name: Option<Option<String>>,
    pub notes: Option<Option<String>>,
    pub tags: Option<Option<Vec<String>>>,
    pub hidden: Option<Option<bool>>,
}

impl LabelEdit {
    /// The edit, or every field that is wrong.
    pub fn parse(edit: &TransactionEdit) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let display_name = record(
            &mut errors,
            "display_name",
            set_or_clear(&edit.display_name, |name| {
                parse_display_name(name).map(Some)
            }),
        );
        // Blank notes clear them, as `null` does.
        let notes = record(
            &mut errors,
            "notes",
            set_or_clear(&edit.notes, |notes| parse_notes(notes)),
        );
        let tags = record(
            &mut errors,
            "tags",
            set_or_clear(&edit.tags, |tags| parse_tags(tags).map(Some)),
        );
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            category_id: edit.category_id,
            display_name: display_name.flatten(),
            notes: notes.flatten(),
            tags: tags.flatten(),
            hidden: edit.hidden,
        })
    }
}

/// The value, or `None` with the reason recorded under `field`.
fn record<T>(errors: &mut Vec<FieldError>, field: &str, result: Result<T, String>) -> Option<T> {
    result
        .map_err(|message| {
            errors.push(FieldError {
                field: field.to_owned(),
                message,
            })
        })
        .ok()
}

/// Parses a present value; absent and `null` pass through.
fn set_or_clear<T, U>(
    field: &Option<Option<T>>,
    parse: impl FnOnce(&T) -> Result<Option<U>, String>,
) -> Result<Option<Option<U>>, String> {
    match field {
        None => Ok(None),
        Some(None) => Ok(Some(None)),
        Some(Some(value)) => parse(value).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(raw: &[&str]) -> Result<Vec<String>, String> {
        parse_tags(&raw.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn tags_are_trimmed_lower_cased_and_kept_once_in_order() {
        assert_eq!(
            tags(&[" Trip ", "food", "TRIP", "Food"]).unwrap(),
            ["trip", "food"]
        );
        assert_eq!(tags(&[]).unwrap(), Vec::<String>::new());
        assert!(tags(&[&"é".repeat(40)]).is_ok());
        for bad in ["", "  ", &"a".repeat(41), "a,b", "two\nlines"] {
            assert!(tags(&[bad]).is_err(), "{bad:?} accepted");
        }
        let twenty: Vec<String> = (0..20).map(|n| format!("t{n}")).collect();
        assert!(parse_tags(&twenty).is_ok());
        // Duplicates count once.
        let mut doubled = twenty.clone();
        doubled.push("T0".to_owned());
        assert!(parse_tags(&doubled).is_ok());
        let mut more = twenty;
        more.push("t20".to_owned());
        assert!(parse_tags(&more).is_err());
    }

    #[test]
    fn names_and_notes_are_bounded() {
        assert_eq!(parse_display_name("  Rent  ").unwrap(), "Rent");
        assert!(parse_display_name(&"é".repeat(200)).is_ok());
        for bad in ["", "  ", &"a".repeat(201), "a\nb"] {
            assert!(parse_display_name(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(parse_notes("  ").unwrap(), None);
        assert_eq!(
            parse_notes(" line one\nline two ").unwrap().as_deref(),
            Some("line one\nline two")
        );
        assert!(parse_notes(&"é".repeat(2_000)).is_ok());
        assert!(parse_notes(&"a".repeat(2_001)).is_err());
    }

    #[test]
    fn absent_null_and_a_value_stay_apart_and_every_bad_field_is_named() {
        let edit: TransactionEdit = serde_json::from_str(
            r#"{"display_name": null, "notes": "  ", "tags": ["A", "a"], "hidden": false}"#,
        )
        .unwrap();
        let checked = LabelEdit::parse(&edit).unwrap();
        assert_eq!(checked.category_id, None);
        assert_eq!(checked.display_name, Some(None));
        assert_eq!(checked.notes, Some(None));
        assert_eq!(checked.tags, Some(Some(vec!["a".to_owned()])));
        assert_eq!(checked.hidden, Some(Some(false)));

        let bad: TransactionEdit = serde_json::from_value(serde_json::json!({
            "display_name": " ", "notes": "a".repeat(2_001), "tags": ["x,y"]
        }))
        .unwrap();
        let fields: Vec<String> = LabelEdit::parse(&bad)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["display_name", "notes", "tags"]);
    }
}
