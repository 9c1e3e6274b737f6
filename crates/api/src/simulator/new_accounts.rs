//! Accounts a bank holds for a login that its item does not share yet: opened since the item
//! was linked (what `NEW_ACCOUNTS_AVAILABLE` announces). Link in update mode with account
//! selection offers them beside the item's own, and those chosen join the item.

use super::error::SimError;
use super::ids;
use rust_decimal::Decimal;
use sqlx::PgPool;

/// An account the bank offers, as Link's account chooser shows it.
pub struct OfferedAccount {
    pub account_id: String,
    pub name: String,
    pub mask: Option<String>,
    pub account_type: String,
    pub subtype: Option<String>,
}

/// The bank opens a savings account for the item's login, in the item's currency, and returns
/// its id.
pub async fn open_account(db: &PgPool, item_id: &str) -> Result<String, SimError> {
    let account_id = ids::object_id();
    let mask = format!("{:04}", rand::random_range(0..10_000_u32));
    let opening = Decimal::new(50_000, 2);
    sqlx::query!(
        "insert into plaid_sim.offered_account (account_id, item_id, name, official_name, mask,
             type, subtype, available, current, iso_currency_code)
         select $1, $2, 'Plaid Bonus Savings', 'Plaid Bonus Savings Account', $3, 'depository',
             'savings', $4, $4,
             coalesce((select iso_currency_code from plaid_sim.account where item_id = $2
                       order by position limit 1), 'USD')",
        account_id,
        item_id,
        mask,
        opening
    )
    .execute(db)
    .await?;
    Ok(account_id)
}

/// What the bank offers beyond the item's accounts, oldest first.
pub async fn offered(db: &PgPool, item_id: &str) -> Result<Vec<OfferedAccount>, SimError> {
    Ok(sqlx::query_as!(
        OfferedAccount,
        r#"select account_id, name, mask, type as "account_type", subtype
           from plaid_sim.offered_account where item_id = $1 order by opened_at, account_id"#,
        item_id
    )
    .fetch_all(db)
    .await?)
}

/// The chosen offered accounts join the item, after its own accounts.
pub async fn share(db: &PgPool, item_id: &str, account_ids: &[String]) -> Result<(), SimError> {
    sqlx::query!(
        "with chosen as (
             delete from plaid_sim.offered_account
             where item_id = $1 and account_id = any($2)
             returning account_id, name, official_name, mask, type, subtype, available, current,
                 iso_currency_code, opened_at)
         insert into plaid_sim.account (account_id, item_id, position, name, official_name, mask,
             type, subtype, available, current, iso_currency_code)
         select account_id, $1,
             (select coalesce(max(position), -1) from plaid_sim.account where item_id = $1)
                 + row_number() over (order by opened_at, account_id),
             name, official_name, mask, type, subtype, available, current, iso_currency_code
         from chosen",
        item_id,
        account_ids
    )
    .execute(db)
    .await?;
    Ok(())
}
