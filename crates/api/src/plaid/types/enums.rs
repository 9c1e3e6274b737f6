//! Plaid's string enums. Each keeps values it does not know as `Other(String)`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! open_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $wire:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)*
            /// A value Plaid added after this code was written.
            Other(String),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Other(value) => value,
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                Ok(Self::from(value.as_str()))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

open_enum!(
    /// `AccountBase.type`.
    AccountType {
        Depository = "depository",
        Credit = "credit",
        Loan = "loan",
        Investment = "investment",
        Brokerage = "brokerage",
        OtherType = "other",
    }
);

open_enum!(
    /// `Transaction.payment_channel`.
    PaymentChannel {
        Online = "online",
        InStore = "in store",
        OtherChannel = "other",
    }
);

open_enum!(
    /// Plaid's confidence in an enrichment.
    ConfidenceLevel {
        VeryHigh = "VERY_HIGH",
        High = "HIGH",
        Medium = "MEDIUM",
        Low = "LOW",
        Unknown = "UNKNOWN",
    }
);

open_enum!(
    /// `/transactions/sync` `transactions_update_status`.
    TransactionsUpdateStatus {
        Unknown = "TRANSACTIONS_UPDATE_STATUS_UNKNOWN",
        NotReady = "NOT_READY",
        InitialUpdateComplete = "INITIAL_UPDATE_COMPLETE",
        HistoricalUpdateComplete = "HISTORICAL_UPDATE_COMPLETE",
    }
);

open_enum!(
    /// Plaid products (the ones a finance manager meets; others are kept as `Other`).
    Product {
        Transactions = "transactions",
        Auth = "auth",
        Balance = "balance",
        Identity = "identity",
        Investments = "investments",
        Liabilities = "liabilities",
        Assets = "assets",
        RecurringTransactions = "recurring_transactions",
        TransactionsRefresh = "transactions_refresh",
    }
);

open_enum!(
    /// `PlaidError.error_type`.
    ErrorType {
        InvalidRequest = "INVALID_REQUEST",
        InvalidResult = "INVALID_RESULT",
        InvalidInput = "INVALID_INPUT",
        InstitutionError = "INSTITUTION_ERROR",
        RateLimitExceeded = "RATE_LIMIT_EXCEEDED",
        ApiError = "API_ERROR",
        ItemError = "ITEM_ERROR",
        OauthError = "OAUTH_ERROR",
        SandboxError = "SANDBOX_ERROR",
        TransactionsError = "TRANSACTIONS_ERROR",
    }
);

open_enum!(
    /// `/transactions/recurring/get` stream frequency.
    RecurringFrequency {
        Unknown = "UNKNOWN",
        Weekly = "WEEKLY",
        Biweekly = "BIWEEKLY",
        SemiMonthly = "SEMI_MONTHLY",
        Monthly = "MONTHLY",
        Annually = "ANNUALLY",
    }
);

open_enum!(
    /// `/transactions/recurring/get` stream status.
    RecurringStatus {
        Unknown = "UNKNOWN",
        Mature = "MATURE",
        EarlyDetection = "EARLY_DETECTION",
        Tombstoned = "TOMBSTONED",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_survive_a_round_trip() {
        let known: AccountType = serde_json::from_str(r#""credit""#).unwrap();
        assert_eq!(known, AccountType::Credit);
        let unknown: AccountType = serde_json::from_str(r#""crypto_wallet""#).unwrap();
        assert_eq!(unknown, AccountType::Other("crypto_wallet".to_owned()));
        assert_eq!(
            serde_json::to_string(&unknown).unwrap(),
            r#""crypto_wallet""#
        );
        assert_eq!(PaymentChannel::from("in store"), PaymentChannel::InStore);
    }
}
