//! Identifiers shaped like Plaid's (`reference/plaid-api.md` §1).

use rand::distr::{Alphanumeric, SampleString};

/// `item_id`, `account_id`, `transaction_id`: 37 base62 characters.
pub fn object_id() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 37)
}

/// A `request_id`: 15 alphanumerics.
pub fn request_id() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 15)
}

/// `link-sandbox-<uuid>`, `public-sandbox-<uuid>`, `access-sandbox-<uuid>`.
pub fn token(kind: &str) -> String {
    format!("{kind}-sandbox-{}", uuid::Uuid::new_v4())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_plaids_shapes() {
        let id = object_id();
        assert_eq!(id.len(), 37);
        assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(request_id().len(), 15);
        let token = token("access");
        assert!(token.starts_with("access-sandbox-"));
        assert!(uuid::Uuid::parse_str(&token["access-sandbox-".len()..]).is_ok());
        assert_ne!(object_id(), object_id());
    }
}
