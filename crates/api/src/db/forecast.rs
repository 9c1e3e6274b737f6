//! What the forecasts start from: the streams that predict payments, and today's depository
//! balances. The projection itself is `domain::forecast`.

use crate::db::recurring::parse_stored;
use crate::domain::forecast::PredictedStream;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgExecutor;
use tally_shared::api::insights::UpcomingPayment;
use tally_shared::api::recurring::{Direction, Frequency};
use tally_shared::ids::{AccountId, RecurringStreamId, UserId};

/// A stream that predicts payments: active with a next date, confirmed or else mature, not
/// dismissed, and not a transfer between the person's own accounts (a stream with a paired
/// transaction). One kind of transfer stays: a payment from a bank account to a card or a loan,
/// which does leave the bank balance the cash flow follows; the card's or the loan's side of it
/// (no income) and transfers between bank accounts (which cancel out) are left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredictingStream {
    pub id: RecurringStreamId,
    pub account_id: AccountId,
    /// The person's name for it, else the merchant's, else the bank's description.
    pub name: String,
    pub direction: String,
    pub frequency: String,
    pub last_amount: Decimal,
    pub currency: String,
    pub next_date: NaiveDate,
    /// The person confirmed it (else it counts for being mature).
    pub confirmed: bool,
}

/// Which predicting streams to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Streams {
    /// Every one (the upcoming list, the cash flow).
    All,
    /// Only the bills the person confirmed (budgets' money committed): the check for transfers
    /// below, a lookup per transaction of each stream, runs for those alone.
    ConfirmedBills,
}

#[tracing::instrument(skip_all)]
pub async fn predicting_streams(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    which: Streams,
) -> Result<Vec<PredictingStream>, sqlx::Error> {
    sqlx::query_as!(
        PredictingStream,
        r#"select recurring_stream_id as "id: RecurringStreamId",
                  account_id as "account_id: AccountId",
                  coalesce(user_name, merchant_name, description) as "name!",
                  direction, frequency, last_amount, currency,
                  next_date as "next_date!",
                  state = 'confirmed' as "confirmed!"
           from recurring_stream s
           where user_id = $1
             and is_active
             and next_date is not null
             and state <> 'dismissed'
             and (state = 'confirmed' or status = 'mature')
             and (not $2 or (state = 'confirmed' and direction = 'outflow'))
             and not exists (
                 select 1
                 from recurring_stream_transaction l
                      join bank_transaction b on b.transaction_id = l.transaction_id
                      join account mine on mine.account_id = b.account_id
                      join bank_transaction other on other.transaction_id = b.transfer_pair_id
                      join account theirs on theirs.account_id = other.account_id
                 where l.recurring_stream_id = s.recurring_stream_id
                   and not (mine.type = 'depository' and theirs.type <> 'depository'))
           order by recurring_stream_id"#,
        user_id.0,
        which == Streams::ConfirmedBills
    )
    .fetch_all(db)
    .await
}

/// The current balances of the person's depository accounts, summed per currency (an
/// account's currency is its ISO code, else its unofficial one; one with neither is left out).
#[tracing::instrument(skip_all)]
pub async fn depository_balances(
    db: impl PgExecutor<'_>,
    user_id: UserId,
) -> Result<Vec<(String, Decimal)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select coalesce(iso_currency_code, unofficial_currency_code) as "currency!",
                  coalesce(sum(current_balance), 0) as "balance!"
           from account
           where user_id = $1
             and type = 'depository'
             and coalesce(iso_currency_code, unofficial_currency_code) is not null
           group by 1
           order by 1"#,
        user_id.0
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.currency, row.balance))
        .collect())
}

/// The person's streams that predict payments (`which` of them), as the projection takes them.
#[tracing::instrument(skip_all)]
pub async fn predicted(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    which: Streams,
) -> Result<Vec<PredictedStream>, sqlx::Error> {
    let rows = predicting_streams(db, user_id, which).await?;
    let mut streams = Vec::with_capacity(rows.len());
    for row in rows {
        streams.push(PredictedStream {
            next_date: row.next_date,
            confirmed: row.confirmed,
            payment: UpcomingPayment {
                date: row.next_date,
                stream_id: row.id,
                account_id: row.account_id,
                name: row.name,
                direction: parse_stored(&row.direction, Direction::parse)?,
                frequency: parse_stored(&row.frequency, Frequency::parse)?,
                amount: row.last_amount,
                currency: row.currency,
                overdue: false,
            },
        });
    }
    Ok(streams)
}
