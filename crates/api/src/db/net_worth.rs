//! Net worth now, from `account` and `manual_asset`, summed in SQL per currency.
//!
//! An account's currency is its `iso_currency_code`, else its `unofficial_currency_code`;
//! accounts with neither cannot be put in any currency's total and are left out. Which types are
//! liabilities is `domain::classification::LIABILITY_ACCOUNT_TYPES`, passed in as `$2`.
//! `current_balance` is what counts; an account Plaid gave no current balance adds nothing.

use crate::domain::classification::LIABILITY_ACCOUNT_TYPES;
use rust_decimal::Decimal;
use sqlx::PgExecutor;
use tally_shared::ids::UserId;

/// One currency's totals. `assets` includes `manual_assets`; `liabilities` is positive.
#[derive(Debug, Clone)]
pub struct CurrencyTotals {
    pub currency: String,
    pub assets: Decimal,
    pub liabilities: Decimal,
    pub net: Decimal,
    pub manual_assets: Decimal,
}

/// Per currency, sorted by currency. A currency with only manual assets is there too.
#[tracing::instrument(skip_all)]
pub async fn totals(
    db: impl PgExecutor<'_>,
    user_id: UserId,
) -> Result<Vec<CurrencyTotals>, sqlx::Error> {
    // `as _`: the macros check a text[] only as `&[String]`, not `&[&str]`.
    sqlx::query_as!(
        CurrencyTotals,
        r#"with accounts as (
             select coalesce(iso_currency_code, unofficial_currency_code) as currency,
                    type = any($2) as is_liability,
                    current_balance
             from account
             where user_id = $1
               and coalesce(iso_currency_code, unofficial_currency_code) is not null
         ),
         account_totals as (
             select currency,
                    coalesce(sum(current_balance) filter (where not is_liability), 0) as assets,
                    coalesce(sum(current_balance) filter (where is_liability), 0) as liabilities
             from accounts
             group by currency
         ),
         manual_totals as (
             select currency, sum(value) as manual_assets
             from manual_asset
             where user_id = $1
             group by currency
         ),
         combined as (
             select currency,
                    coalesce(a.assets, 0) + coalesce(m.manual_assets, 0) as assets,
                    coalesce(a.liabilities, 0) as liabilities,
                    coalesce(m.manual_assets, 0) as manual_assets
             from account_totals a
                  full join manual_totals m using (currency)
         )
         select currency as "currency!", assets as "assets!", liabilities as "liabilities!",
                assets - liabilities as "net!", manual_assets as "manual_assets!"
         from combined
         order by currency"#,
        user_id.0,
        LIABILITY_ACCOUNT_TYPES as _
    )
    .fetch_all(db)
    .await
}

/// The accounts of one type and subtype in one currency.
#[derive(Debug, Clone)]
pub struct TypeTotal {
    pub currency: String,
    pub account_type: String,
    pub subtype: Option<String>,
    pub is_liability: bool,
    pub accounts: i64,
    pub total: Decimal,
}

/// Sorted by currency, then assets before liabilities, then type and subtype.
#[tracing::instrument(skip_all)]
pub async fn by_type(
    db: impl PgExecutor<'_>,
    user_id: UserId,
) -> Result<Vec<TypeTotal>, sqlx::Error> {
    sqlx::query_as!(
        TypeTotal,
        r#"select coalesce(iso_currency_code, unofficial_currency_code) as "currency!",
                type as account_type,
                subtype,
                type = any($2) as "is_liability!",
                count(*) as "accounts!",
                coalesce(sum(current_balance), 0) as "total!"
         from account
         where user_id = $1
           and coalesce(iso_currency_code, unofficial_currency_code) is not null
         group by 1, 2, 3
         order by "currency!", "is_liability!", account_type, subtype nulls first"#,
        user_id.0,
        LIABILITY_ACCOUNT_TYPES as _
    )
    .fetch_all(db)
    .await
}
