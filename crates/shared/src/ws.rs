//! What the server pushes over `/api/ws`. Each message is one JSON `ServerEvent`.

use crate::api::items::ItemStatus;
use crate::ids::{CategoryId, ItemId, RecurringStreamId, TransactionId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerEvent {
    /// A bank was linked (possibly in another tab).
    ItemAdded {
        item_id: ItemId,
    },
    /// A sync committed these changes.
    ItemSynced {
        item_id: ItemId,
        added: u64,
        modified: u64,
        removed: u64,
    },
    ItemStatusChanged {
        item_id: ItemId,
        status: ItemStatus,
        error_code: Option<String>,
    },
    ItemRemoved {
        item_id: ItemId,
    },
    AssetsChanged,
    /// A category was added, changed or deleted (possibly in another tab).
    CategoriesChanged,
    /// Transactions were edited, split or relabelled by rules (possibly in another tab), or the
    /// rules changed: refetch what shows transactions.
    TransactionsChanged,
    /// The bank changed the amount of split transactions, so their splits were removed and they
    /// need the person's review.
    SplitsRemoved {
        transaction_ids: Vec<TransactionId>,
    },
    /// Recurring streams were found, changed or decided on (possibly in another tab).
    RecurringChanged,
    /// A recurring charge's amount changed by more than 10%; sent once per change.
    RecurringPriceChanged {
        stream_id: RecurringStreamId,
        name: String,
        #[serde(with = "rust_decimal::serde::str")]
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        previous_amount: Decimal,
        #[serde(with = "rust_decimal::serde::str")]
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        last_amount: Decimal,
        currency: String,
    },
    /// Budgets were set, changed or deleted (possibly in another tab).
    BudgetsChanged,
    /// This month's spending in a budget crossed `threshold` percent (80 or 100) of what it has
    /// available; sent once per threshold per month.
    BudgetAlert {
        category_id: CategoryId,
        category_name: String,
        /// `YYYY-MM`.
        month: String,
        threshold: u8,
    },
    /// Sent every few seconds so that a dead connection is noticed.
    Heartbeat,
}
