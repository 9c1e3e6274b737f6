//! Plaid's streams (`/transactions/recurring/get`) as Tally stores them.

use crate::db;
use crate::db::recurring::{FoundStream, StreamTransaction};
use crate::plaid::types::{
    RecurringFrequency, RecurringStatus, TransactionStream, TransactionsRecurringGetResponse,
};
use sqlx::PgPool;
use std::collections::HashMap;
use tally_shared::api::recurring::{Direction, Frequency, StreamStatus};
use tally_shared::ids::{AccountId, ItemId};

/// The item's streams in Plaid's answer, with their transactions as Tally stored them. A
/// stream Tally cannot use (an account it does not have, no frequency, no amount) is left out.
pub async fn streams(
    db: &PgPool,
    item_id: ItemId,
    response: &TransactionsRecurringGetResponse,
) -> Result<Vec<FoundStream>, sqlx::Error> {
    let accounts: HashMap<String, AccountId> = db::recurring::item_accounts(db, item_id)
        .await?
        .into_iter()
        .collect();
    let plaid_ids: Vec<String> = response
        .inflow_streams
        .iter()
        .chain(&response.outflow_streams)
        .flat_map(|stream| stream.transaction_ids.iter().cloned())
        .collect();
    let stored: HashMap<String, StreamTransaction> =
        db::recurring::transactions_by_plaid_id(db, item_id, &plaid_ids)
            .await?
            .into_iter()
            .map(|t| (t.plaid_transaction_id.clone(), t))
            .collect();
    let directed = response
        .inflow_streams
        .iter()
        .map(|stream| (Direction::Inflow, stream))
        .chain(
            response
                .outflow_streams
                .iter()
                .map(|stream| (Direction::Outflow, stream)),
        );
    Ok(directed
        .filter_map(|(direction, stream)| found(direction, stream, &accounts, &stored))
        .collect())
}

fn found(
    direction: Direction,
    stream: &TransactionStream,
    accounts: &HashMap<String, AccountId>,
    stored: &HashMap<String, StreamTransaction>,
) -> Option<FoundStream> {
    let account_id = *accounts.get(&stream.account_id)?;
    let frequency = match stream.frequency {
        RecurringFrequency::Weekly => Frequency::Weekly,
        RecurringFrequency::Biweekly => Frequency::Biweekly,
        RecurringFrequency::SemiMonthly => Frequency::SemiMonthly,
        RecurringFrequency::Monthly => Frequency::Monthly,
        RecurringFrequency::Annually => Frequency::Annually,
        // Nothing can be predicted of a stream without a cadence.
        RecurringFrequency::Unknown | RecurringFrequency::Other(_) => return None,
    };
    let status = match stream.status {
        RecurringStatus::Mature => StreamStatus::Mature,
        RecurringStatus::Tombstoned => StreamStatus::Tombstoned,
        RecurringStatus::EarlyDetection | RecurringStatus::Unknown | RecurringStatus::Other(_) => {
            StreamStatus::EarlyDetection
        }
    };
    let currency = stream
        .last_amount
        .iso_currency_code
        .clone()
        .or_else(|| stream.last_amount.unofficial_currency_code.clone())?;
    let mut transactions: Vec<&StreamTransaction> = stream
        .transaction_ids
        .iter()
        .filter_map(|id| stored.get(id))
        .collect();
    transactions.sort_by_key(|t| (t.date, t.transaction_id));
    Some(FoundStream {
        key: stream.stream_id.clone(),
        account_id,
        direction,
        description: stream.description.clone(),
        merchant_name: stream.merchant_name.clone(),
        plaid_category: stream
            .personal_finance_category
            .as_ref()
            .map(|c| (c.primary.clone(), c.detailed.clone())),
        frequency,
        // Plaid's inflow amounts are negative; Tally keeps them positive either way.
        average_amount: stream.average_amount.amount?.abs(),
        last_amount: stream.last_amount.amount?.abs(),
        currency,
        first_date: stream.first_date,
        last_date: stream.last_date,
        next_date: stream.predicted_next_date.filter(|_| stream.is_active),
        status,
        is_active: stream.is_active && status != StreamStatus::Tombstoned,
        transaction_ids: transactions.iter().map(|t| t.transaction_id).collect(),
    })
}
