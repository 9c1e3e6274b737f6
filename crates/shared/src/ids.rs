//! Id newtypes, so a user id can never be passed where an item id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! id_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(pub Uuid);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_newtype!(
    /// A Tally user.
    UserId
);
id_newtype!(
    /// A linked bank login (a Plaid Item) as Tally stores it.
    ItemId
);
id_newtype!(
    /// A bank account under an item.
    AccountId
);
id_newtype!(
    /// One transaction.
    TransactionId
);
id_newtype!(
    /// A manually entered asset (a house, a car).
    AssetId
);
id_newtype!(
    /// A category: one of Plaid's, shared by everyone, or a person's own.
    CategoryId
);
id_newtype!(
    /// A one-time invite to sign up.
    InviteId
);
id_newtype!(
    /// One of a person's passkeys (not the authenticator's credential id).
    PasskeyId
);
id_newtype!(
    /// A signed-in browser: its public id, never the secret token its cookie carries.
    SessionId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_bare_uuid_strings_on_the_wire() {
        let id: ItemId = "67e55044-10b1-426f-9247-bb680e5fe0c8".parse().unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, r#""67e55044-10b1-426f-9247-bb680e5fe0c8""#);
        assert_eq!(serde_json::from_str::<ItemId>(&json).unwrap(), id);
        assert!("not-a-uuid".parse::<UserId>().is_err());
    }
}
id_newtype!(
    /// One of a person's rules.
    RuleId
);
id_newtype!(
    /// A recurring stream: payments (or income) that repeat, found by Plaid or by Tally.
    RecurringStreamId
);
