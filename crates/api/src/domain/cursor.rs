use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDate;
use uuid::Uuid;

/// Where a page of transactions ends: the (date, id) of its last row, in the list's order
/// (`date desc, transaction_id desc`). The next page starts strictly after it.
///
/// On the wire it is opaque: base64url (no padding) of `YYYY-MM-DD|<uuid>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransactionCursor {
    pub date: NaiveDate,
    pub transaction_id: Uuid,
}

impl TransactionCursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}|{}", self.date, self.transaction_id))
    }

    /// Reads a cursor this server gave out; anything else is refused.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let refused = || {
            "This cursor is not one this server gave out; start again from the first page."
                .to_owned()
        };
        let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).map_err(|_| refused())?;
        let text = String::from_utf8(bytes).map_err(|_| refused())?;
        let (date, id) = text.split_once('|').ok_or_else(refused)?;
        Ok(Self {
            date: NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| refused())?,
            transaction_id: Uuid::parse_str(id).map_err(|_| refused())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_anything_else() {
        let cursor = TransactionCursor {
            date: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            transaction_id: Uuid::new_v4(),
        };
        let encoded = cursor.encode();
        assert!(encoded
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(TransactionCursor::parse(&encoded), Ok(cursor));

        let forged = |text: &str| URL_SAFE_NO_PAD.encode(text);
        for bad in [
            String::new(),
            "not base64!".to_owned(),
            forged("2026-11-25"),
            forged("2026-13-01|67e55044-10b1-426f-9247-bb680e5fe0c8"),
            forged("2026-11-25|not-a-uuid"),
            URL_SAFE_NO_PAD.encode([0xff, 0xfe]),
        ] {
            assert!(TransactionCursor::parse(&bad).is_err(), "{bad}");
        }
    }
}
