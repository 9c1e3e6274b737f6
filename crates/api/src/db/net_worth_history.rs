//! Net worth day by day. Each account's balance on a day is its `balance_snapshot` (one row per
//! day the sync ran), else its `reconstructed_balance` (the days before recording began, see
//! `db::reconstructed_balances`), else the last of either before the day, carried forward: the
//! SQL function `net_worth_balances` spells that out, account by account and day by day.
//!
//! Doing so at each request reads every balance of the period: 24 accounts over two years are
//! 17,000 rows and took 30–47 ms. So the sync sums its item's days into `net_worth_day` (one row
//! per item, currency and day, to the day of the sync) at the end of its transaction, and a
//! request reads a row per item per day, carrying each item's last day forward to the period's
//! end (nothing changes an item's balances between its syncs). A write the sync did not sum (an
//! account removed, a fixture's snapshot) lists the item in `net_worth_stale` by trigger; that
//! item's days are then read from its balances until its next sync sums it again.
//!
//! Accounts and their currencies follow `db::net_worth`: the balance's currency, else the
//! account's, and balances with neither are left out; only accounts that still exist count
//! (their balances go with them). A manual asset counts its current value on every day from the
//! day it was created (in UTC).

use crate::domain::classification::LIABILITY_ACCOUNT_TYPES;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgExecutor};
use tally_shared::ids::{ItemId, UserId};

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

/// Sums the item's days from its first balance to `today` into `net_worth_day`, and takes it
/// off `net_worth_stale`. Run at the end of the sync's transaction, after the day's snapshots
/// and the reconstruction are written. Rows that did not change are not rewritten.
#[tracing::instrument(skip_all)]
pub async fn sum_item(
    conn: &mut PgConnection,
    item_id: ItemId,
    today: NaiveDate,
) -> Result<(), sqlx::Error> {
    // `as _`: the macros check a text[] only as `&[String]`, not `&[&str]`.
    sqlx::query!(
        r#"with days as (
             select b.currency, b.day,
                    coalesce(sum(b.balance) filter (where not b.is_liability), 0) as assets,
                    coalesce(sum(b.balance) filter (where b.is_liability), 0) as liabilities,
                    bool_or(b.reconstructed) as reconstructed
             from net_worth_balances(array(select account_id from account where item_id = $1),
                                     '-infinity', $2, $3) b
             where b.currency is not null
             group by b.currency, b.day
         ),
         written as (
             insert into net_worth_day
                 (item_id, user_id, currency, day, assets, liabilities, reconstructed)
             select $1, i.user_id, d.currency, d.day, d.assets, d.liabilities, d.reconstructed
             from days d
                  cross join plaid_item i
             where i.item_id = $1
             on conflict (item_id, currency, day) do update set
                 assets = excluded.assets,
                 liabilities = excluded.liabilities,
                 reconstructed = excluded.reconstructed
             where (net_worth_day.assets, net_worth_day.liabilities, net_worth_day.reconstructed)
                   is distinct from (excluded.assets, excluded.liabilities, excluded.reconstructed)
         )
         delete from net_worth_day t
         where t.item_id = $1
           and not exists (select 1 from days d where d.currency = t.currency and d.day = t.day)"#,
        item_id.0,
        today,
        LIABILITY_ACCOUNT_TYPES as _
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("delete from net_worth_stale where item_id = $1", item_id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// One point per currency per day, from the currency's first day with data (a balance on or
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
        r#"with items as (
             select i.item_id, s.item_id is not null as stale
             from plaid_item i
                  left join net_worth_stale s using (item_id)
             where i.user_id = $1
         ),
         from_balances as (
             select b.currency, b.day,
                    case when b.is_liability then 0 else b.balance end as assets,
                    case when b.is_liability then b.balance else 0 end as liabilities,
                    b.reconstructed
             from net_worth_balances(array(select a.account_id
                                           from account a
                                                join items i using (item_id)
                                           where i.stale),
                                     $2, $3, $4) b
             -- Tested first, so that the function runs only when some item is stale.
             where exists (select 1 from items where stale) and b.currency is not null
         ),
         summed as (
             select t.currency, t.day, t.assets, t.liabilities, t.reconstructed
             from net_worth_day t
                  join items i using (item_id)
             where t.user_id = $1 and t.day between $2 and $3 and not i.stale
         ),
         carried as (
             select t.currency, greatest(t.day + 1, $2) + n as day, t.assets, t.liabilities,
                    t.reconstructed
             from items i
                  cross join lateral (select max(day) as day
                                      from net_worth_day
                                      where item_id = i.item_id and day <= $3) last
                  -- `offset 0` keeps this a lookup per item, whatever the statistics say.
                  cross join lateral (select currency, day, assets, liabilities, reconstructed
                                      from net_worth_day
                                      where item_id = i.item_id and day = last.day
                                      offset 0) t
                  cross join lateral generate_series(0, $3 - greatest(t.day + 1, $2)) as n
             where not i.stale
         ),
         manual as (
             select m.currency, m.held_from + n as day, m.value as assets,
                    0::numeric as liabilities, false as reconstructed
             from (select currency, value,
                          greatest((created_at at time zone 'UTC')::date, $2) as held_from
                   from manual_asset
                   where user_id = $1 and currency is not null) m
                  cross join lateral generate_series(0, $3 - m.held_from) as n
         ),
         every_day as (
             select * from from_balances
             union all
             select * from summed
             union all
             select * from carried
             union all
             select * from manual
         )
         select currency as "currency!", day as "day!", sum(assets) as "assets!",
                sum(liabilities) as "liabilities!", sum(assets) - sum(liabilities) as "net!",
                bool_or(reconstructed) as "reconstructed!"
         from every_day
         group by currency, day
         order by currency, day"#,
        user_id.0,
        from,
        to,
        LIABILITY_ACCOUNT_TYPES as _
    )
    .fetch_all(db)
    .await
}
