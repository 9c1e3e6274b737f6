//! Net worth day by day, from `balance_snapshot` (one row per account per day, written by the
//! sync engine), `reconstructed_balance` (the days before an account's first snapshot, see
//! `db::reconstructed_balances`) and `manual_asset`. Reconstruction stops the day before an
//! account's recording began; should both still hold a day (a snapshot written since the last
//! rebuild), the recorded one counts: it sorts last among the day's rows, so it alone holds
//! the span up to the next day.
//!
//! A day without a snapshot for an account carries that account's last earlier snapshot forward.
//! This is done with a window rather than a lateral "last snapshot on or before each day": `lead()`
//! gives every snapshot the span of days it holds for (until the account's next snapshot, or the
//! period's end) and `generate_series` spells the span out. Each snapshot in the period is read
//! once, by one range scan of `balance_snapshot_user_date`, plus one index probe per account for
//! the snapshot that carries in from before the period; the lateral form would instead probe the
//! index once per account per day (20 accounts over 5 years: 36,500 probes).
//!
//! Accounts and their currencies follow `db::net_worth`: the snapshot's currency, else the
//! account's, and rows with neither are left out; only accounts that still exist count (their
//! snapshots go with them). A manual asset counts its current value on every day from the day it
//! was created (in UTC).

use crate::domain::classification::LIABILITY_ACCOUNT_TYPES;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgExecutor;
use tally_shared::ids::UserId;

#[derive(Debug, Clone)]
pub struct HistoryPoint {
    pub currency: String,
    pub day: NaiveDate,
    pub assets: Decimal,
    pub liabilities: Decimal,
    pub net: Decimal,
    /// Some account's balance on this day is reconstructed from its transactions, not recorded.
    pub reconstructed: bool,
}

/// One point per currency per day, from the currency's first day with data (a snapshot on or
/// before it, or a manual asset created by then) to `to`; sorted by currency, then day.
#[tracing::instrument(skip_all)]
pub async fn daily(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<HistoryPoint>, sqlx::Error> {
    // `as _`: the macros check a text[] only as `&[String]`, not `&[&str]`.
    sqlx::query_as!(
        HistoryPoint,
        r#"with accounts as (
             select account_id,
                    type = any($4) as is_liability,
                    coalesce(iso_currency_code, unofficial_currency_code) as currency
             from account
             where user_id = $1
         ),
         snapshots as (
             select account_id, snapshot_date, current_balance, currency, false as reconstructed
             from balance_snapshot
             where user_id = $1 and snapshot_date between $2 and $3
             union all
             select account_id, balance_date, current_balance, currency, true
             from reconstructed_balance
             where user_id = $1 and balance_date between $2 and $3
             union all
             select a.account_id, carried.snapshot_date, carried.current_balance, carried.currency,
                    carried.reconstructed
             from accounts a
                  cross join lateral (
                      select snapshot_date, current_balance, currency, reconstructed
                      from (select snapshot_date, current_balance, currency,
                                   false as reconstructed
                            from balance_snapshot s
                            where s.account_id = a.account_id and s.snapshot_date < $2
                            order by snapshot_date desc
                            limit 1) recorded
                      union all
                      select balance_date, current_balance, currency, true
                      from (select balance_date, current_balance, currency
                            from reconstructed_balance r
                            where r.account_id = a.account_id and r.balance_date < $2
                            order by balance_date desc
                            limit 1) rebuilt
                      order by snapshot_date desc, reconstructed
                      limit 1
                  ) carried
         ),
         held as (
             select account_id, current_balance, currency, reconstructed,
                    greatest(snapshot_date, $2) as held_from,
                    coalesce(lead(snapshot_date) over (partition by account_id
                                                       order by snapshot_date,
                                                                reconstructed desc) - 1,
                             $3) as held_to
             from snapshots
         ),
         manual as (
             select currency, value,
                    greatest((created_at at time zone 'UTC')::date, $2) as held_from
             from manual_asset
             where user_id = $1
         ),
         daily as (
             select h.held_from + n as day,
                    coalesce(h.currency, a.currency) as currency,
                    a.is_liability,
                    h.current_balance as amount,
                    h.reconstructed
             from held h
                  join accounts a using (account_id)
                  cross join lateral generate_series(0, h.held_to - h.held_from) as n
             union all
             select m.held_from + n, m.currency, false, m.value, false
             from manual m
                  cross join lateral generate_series(0, $3 - m.held_from) as n
         ),
         totals as (
             select currency, day,
                    coalesce(sum(amount) filter (where not is_liability), 0) as assets,
                    coalesce(sum(amount) filter (where is_liability), 0) as liabilities,
                    bool_or(reconstructed) as reconstructed
             from daily
             where currency is not null
             group by currency, day
         )
         select currency as "currency!", day as "day!", assets as "assets!",
                liabilities as "liabilities!", assets - liabilities as "net!",
                reconstructed as "reconstructed!"
         from totals
         order by currency, day"#,
        user_id.0,
        from,
        to,
        LIABILITY_ACCOUNT_TYPES as _
    )
    .fetch_all(db)
    .await
}
