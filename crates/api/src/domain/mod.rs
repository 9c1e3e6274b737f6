//! Values checked once, at the boundary: once you hold one, it is valid.

mod asset;
pub mod budget;
mod category;
pub mod classification;
mod cursor;
pub mod forecast;
mod institution_id;
pub mod labels;
mod passkey_name;
mod password;
mod period;
pub mod recurring;
pub mod rules;
mod split;
mod transaction_filter;
pub mod transfers;
mod username;

pub use asset::{AssetDescription, AssetValue};
pub use category::{parse_kind, CategoryName};
pub use cursor::TransactionCursor;
pub use institution_id::InstitutionId;
pub use labels::LabelEdit;
pub use passkey_name::PasskeyName;
pub use password::Password;
pub use period::{MonthCut, Period};
pub use split::{SplitPart, SplitParts};
pub use transaction_filter::{PageRequest, TransactionFilters, TransactionParams};
pub use username::Username;
