//! Plaid's request and response bodies, field for field (`reference/plaid-api.md` §3).
//!
//! Unknown fields are ignored and unknown enum strings are kept (`Other`), because Plaid adds
//! both without a version bump. Amounts are JSON numbers read straight into `Decimal`.

mod enums;
mod item;
mod link;
mod transactions;

pub use enums::*;
pub use item::*;
pub use link::*;
pub use transactions::*;

/// A successful answer from Plaid. Each carries the `request_id` that Plaid support asks for;
/// the client reads it from the decoded body instead of parsing the body a second time.
pub trait PlaidResponse: serde::de::DeserializeOwned {
    fn request_id(&self) -> &str;
}

macro_rules! plaid_responses {
    ($($response:ty),* $(,)?) => {
        $(impl PlaidResponse for $response {
            fn request_id(&self) -> &str {
                &self.request_id
            }
        })*
    };
}

plaid_responses!(
    AccountsGetResponse,
    InstitutionGetResponse,
    ItemGetResponse,
    ItemWebhookUpdateResponse,
    LinkTokenCreateResponse,
    PublicTokenExchangeResponse,
    RequestIdResponse,
    SandboxFireWebhookResponse,
    SandboxPublicTokenCreateResponse,
    SandboxResetLoginResponse,
    TransactionsRecurringGetResponse,
    TransactionsSyncResponse,
    WebhookVerificationKeyGetResponse,
);

/// Plaid's money: a JSON number, read and written digit for digit.
pub mod amount {
    pub use rust_decimal::serde::arbitrary_precision::{deserialize, serialize};

    /// The same for `number|null`.
    pub mod option {
        pub use rust_decimal::serde::arbitrary_precision_option::{deserialize, serialize};
    }
}
