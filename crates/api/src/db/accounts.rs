//! `account`, read with the item it belongs to.

use rust_decimal::Decimal;
use sqlx::PgExecutor;
use tally_shared::ids::{AccountId, ItemId, UserId};

/// An account with its bank's id and name (from its item).
#[derive(Debug, Clone)]
pub struct AccountRecord {
    pub account_id: AccountId,
    pub item_id: ItemId,
    pub institution_id: String,
    pub institution_name: String,
    pub name: String,
    pub official_name: Option<String>,
    pub mask: Option<String>,
    pub account_type: String,
    pub subtype: Option<String>,
    pub current_balance: Option<Decimal>,
    pub available_balance: Option<Decimal>,
    pub credit_limit: Option<Decimal>,
    /// The ISO code, else the bank's unofficial one.
    pub currency: Option<String>,
}

/// Every account of the user's items, by bank name, then account type, then account name.
#[tracing::instrument(skip_all)]
pub async fn list_for_user(
    db: impl PgExecutor<'_>,
    user_id: UserId,
) -> Result<Vec<AccountRecord>, sqlx::Error> {
    sqlx::query_as!(
        AccountRecord,
        r#"select a.account_id as "account_id: AccountId", a.item_id as "item_id: ItemId",
                  i.institution_id, i.institution_name, a.name, a.official_name, a.mask,
                  a.type as account_type, a.subtype, a.current_balance, a.available_balance,
                  a.credit_limit, coalesce(a.iso_currency_code, a.unofficial_currency_code) as currency
           from account a
           join plaid_item i on i.item_id = a.item_id and i.user_id = a.user_id
           where a.user_id = $1
           order by i.institution_name, a.type, a.name, a.account_id"#,
        user_id.0
    )
    .fetch_all(db)
    .await
}
