//! A field of a `PATCH` body that tells three things apart: absent (leave it), `null` (clear
//! it) and a value (set it). Use on an `Option<Option<T>>` with
//! `#[serde(default, skip_serializing_if = "Option::is_none", with = "crate::patch")]`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub fn serialize<S: Serializer, T: Serialize>(
    value: &Option<Option<T>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        // Skipped by `skip_serializing_if`; `null` if a caller serializes it anyway.
        None | Some(None) => serializer.serialize_none(),
        Some(Some(value)) => value.serialize(serializer),
    }
}

pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    // Called only when the field is present: `null` is `Some(None)`.
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Body {
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "crate::patch"
        )]
        notes: Option<Option<String>>,
    }

    #[test]
    fn absent_null_and_a_value_are_three_things() {
        let parse = |json: &str| serde_json::from_str::<Body>(json).unwrap().notes;
        assert_eq!(parse("{}"), None);
        assert_eq!(parse(r#"{"notes": null}"#), Some(None));
        assert_eq!(parse(r#"{"notes": "x"}"#), Some(Some("x".into())));
        for notes in [None, Some(None), Some(Some("x".to_owned()))] {
            let body = Body { notes };
            let json = serde_json::to_string(&body).unwrap();
            assert_eq!(serde_json::from_str::<Body>(&json).unwrap(), body, "{json}");
        }
    }
}
