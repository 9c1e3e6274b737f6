//! Tally's own streams, for items where Plaid refuses its recurring product: the item's
//! transactions through `domain::recurring::detect`.

use super::refresh::RefreshError;
use crate::db;
use crate::db::items::PlaidItem;
use crate::db::recurring::FoundStream;
use crate::domain::recurring::{detect, Detected};
use crate::state::AppState;

/// The streams the detector finds among the item's posted, not hidden, transactions as of
/// today. The detection runs off the async executor: at 250,000 transactions it takes a
/// good part of a second.
pub async fn streams(state: &AppState, item: &PlaidItem) -> Result<Vec<FoundStream>, RefreshError> {
    let occurrences = db::recurring::occurrences(&state.db, item.item_id).await?;
    let today = chrono::Utc::now().date_naive();
    let detected = tokio::task::spawn_blocking(move || detect(&occurrences, today)).await?;
    Ok(detected.into_iter().map(FoundStream::from).collect())
}

impl From<Detected> for FoundStream {
    fn from(stream: Detected) -> Self {
        FoundStream {
            key: stream.key,
            account_id: stream.account_id,
            direction: stream.direction,
            description: stream.description,
            merchant_name: stream.merchant_name,
            plaid_category: None,
            frequency: stream.frequency,
            average_amount: stream.average_amount,
            last_amount: stream.last_amount,
            currency: stream.currency,
            first_date: stream.first_date,
            last_date: stream.last_date,
            next_date: stream.next_date,
            status: stream.status,
            is_active: stream.is_active,
            transaction_ids: stream.transaction_ids,
        }
    }
}
