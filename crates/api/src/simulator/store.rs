//! The simulator's tables (`plaid_sim` schema).

use super::error::SimError;
use super::ids;
use super::institutions::SimInstitution;
use super::ledger;
use super::plaid_optional_number;
use super::users::{self, CustomUser, SandboxUser};
use chrono::{DateTime, Days, Utc};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use sqlx::{PgExecutor, PgPool};

pub struct SimItem {
    pub item_id: String,
    pub institution_id: String,
    pub username: String,
    pub sync_activated: bool,
    pub webhook: Option<String>,
    pub login_required: bool,
    pub created_at: DateTime<Utc>,
    pub last_webhook_code: Option<String>,
    pub last_webhook_at: Option<DateTime<Utc>>,
}

pub struct SimAccount {
    pub account_id: String,
    pub name: String,
    pub official_name: Option<String>,
    pub mask: Option<String>,
    pub account_type: String,
    pub subtype: Option<String>,
    pub available: Option<Decimal>,
    pub current: Option<Decimal>,
    pub credit_limit: Option<Decimal>,
    pub iso_currency_code: String,
    pub holder_category: Option<String>,
}

impl SimAccount {
    pub fn to_json(&self) -> Value {
        let mut account = json!({
            "account_id": self.account_id,
            "balances": {
                "available": plaid_optional_number(self.available),
                "current": plaid_optional_number(self.current),
                "limit": plaid_optional_number(self.credit_limit),
                "iso_currency_code": self.iso_currency_code,
                "unofficial_currency_code": null,
            },
            "mask": self.mask,
            "name": self.name,
            "official_name": self.official_name,
            "type": self.account_type,
            "subtype": self.subtype,
        });
        if let Some(holder) = &self.holder_category {
            account["holder_category"] = json!(holder);
        }
        account
    }
}

/// The item an access token opens; removed items and unknown tokens are `INVALID_ACCESS_TOKEN`.
pub async fn item_by_access_token(db: &PgPool, access_token: &str) -> Result<SimItem, SimError> {
    find_item(db, Some(access_token), None)
        .await?
        .ok_or_else(SimError::invalid_access_token)
}

pub async fn item_by_id(db: &PgPool, item_id: &str) -> Result<SimItem, SimError> {
    find_item(db, None, Some(item_id))
        .await?
        .ok_or_else(SimError::not_found)
}

/// The item with this access token or this id; a key left out (null) matches nothing.
async fn find_item(
    db: &PgPool,
    access_token: Option<&str>,
    item_id: Option<&str>,
) -> Result<Option<SimItem>, SimError> {
    Ok(sqlx::query_as!(
        SimItem,
        "select item_id, institution_id, username, sync_activated, webhook, login_required,
                created_at, last_webhook_code, last_webhook_at
         from plaid_sim.item where access_token = $1 or item_id = $2",
        access_token,
        item_id
    )
    .fetch_optional(db)
    .await?)
}

pub async fn all_items(db: &PgPool) -> Result<Vec<SimItem>, SimError> {
    Ok(sqlx::query_as!(
        SimItem,
        "select item_id, institution_id, username, sync_activated, webhook, login_required,
                created_at, last_webhook_code, last_webhook_at
         from plaid_sim.item order by created_at"
    )
    .fetch_all(db)
    .await?)
}

/// What Link (or the sandbox shortcut) learned about a new item.
pub struct NewItem<'a> {
    pub institution: &'static SimInstitution,
    pub username: &'a str,
    pub password: &'a str,
    pub user: &'a SandboxUser,
    pub webhook: Option<&'a str>,
    pub days_requested: u32,
}

/// Creates an item with its accounts and its history, and the public token that Link hands out
/// for it. Returns the item id and the public token.
pub async fn create_item(db: &PgPool, new: NewItem<'_>) -> Result<(String, String), SimError> {
    let history = new.user.history(new.days_requested)?;
    let mut tx = db.begin().await?;
    let item_id = ids::object_id();
    let seed = new.user.seed().unwrap_or_else(rand::random);
    sqlx::query!(
        "insert into plaid_sim.item (item_id, access_token, institution_id, username, password,
             webhook, seed, extra_per_day)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        item_id,
        ids::token("access"),
        new.institution.id,
        new.username,
        new.password,
        new.webhook,
        i64::from_ne_bytes(seed.to_ne_bytes()),
        i32::try_from(history.extra_per_day).unwrap_or(i32::MAX)
    )
    .execute(&mut *tx)
    .await?;
    let currency = match new.user {
        SandboxUser::Custom(CustomUser {
            currency: Some(currency),
            ..
        }) => currency.as_str(),
        _ => new.institution.currency,
    };
    for (position, account) in (0_i32..).zip(users::accounts_for(new.user)) {
        sqlx::query!(
            "insert into plaid_sim.account (account_id, item_id, position, name, official_name, mask,
                 type, subtype, available, current, credit_limit, iso_currency_code, holder_category)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            ids::object_id(),
            item_id,
            position,
            account.name,
            account.official_name,
            account.mask,
            account.account_type,
            account.subtype,
            account.available,
            account.current,
            account.limit,
            currency,
            account.holder_category
        )
        .execute(&mut *tx)
        .await?;
    }
    let today = ledger::today(&mut *tx).await?;
    let first_day = today
        .checked_sub_days(Days::new(u64::from(history.days.saturating_sub(1))))
        .unwrap_or(today);
    ledger::generate_through(&mut tx, &item_id, first_day, today, false).await?;
    let public_token = ids::token("public");
    insert_public_token(&mut *tx, &public_token, &item_id).await?;
    tx.commit().await?;
    Ok((item_id, public_token))
}

pub async fn insert_public_token(
    db: impl PgExecutor<'_>,
    public_token: &str,
    item_id: &str,
) -> Result<(), SimError> {
    sqlx::query!(
        "insert into plaid_sim.public_token (public_token, item_id) values ($1, $2)",
        public_token,
        item_id
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Marks a public token used and returns its item's id and access token. A public token works
/// once, for 30 minutes.
pub async fn exchange_public_token(
    db: &PgPool,
    public_token: &str,
) -> Result<(String, String), SimError> {
    let exchanged = sqlx::query!(
        "update plaid_sim.public_token p set exchanged_at = now()
         from plaid_sim.item i
         where p.public_token = $1 and p.item_id = i.item_id and p.exchanged_at is null
           and p.created_at > now() - interval '30 minutes'
         returning i.item_id, i.access_token",
        public_token
    )
    .fetch_optional(db)
    .await?
    .ok_or_else(SimError::invalid_public_token)?;
    Ok((exchanged.item_id, exchanged.access_token))
}

pub async fn accounts(db: &PgPool, item_id: &str) -> Result<Vec<SimAccount>, SimError> {
    Ok(sqlx::query_as!(
        SimAccount,
        r#"select account_id, name, official_name, mask, type as "account_type", subtype,
                  available, current, credit_limit, iso_currency_code, holder_category
           from plaid_sim.account where item_id = $1 order by position"#,
        item_id
    )
    .fetch_all(db)
    .await?)
}

pub async fn remove_item(db: &PgPool, item_id: &str) -> Result<(), SimError> {
    sqlx::query!("delete from plaid_sim.item where item_id = $1", item_id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_login_required(
    db: &PgPool,
    item_id: &str,
    required: bool,
) -> Result<(), SimError> {
    sqlx::query!(
        "update plaid_sim.item set login_required = $2 where item_id = $1",
        item_id,
        required
    )
    .execute(db)
    .await?;
    Ok(())
}

pub async fn set_webhook(
    db: &PgPool,
    item_id: &str,
    webhook: Option<&str>,
) -> Result<(), SimError> {
    sqlx::query!(
        "update plaid_sim.item set webhook = $2 where item_id = $1",
        item_id,
        webhook
    )
    .execute(db)
    .await?;
    Ok(())
}

/// A stored link token, and the item it repairs in update mode.
pub struct LinkTokenRecord<'a> {
    pub link_token: &'a str,
    pub client_user_id: &'a str,
    pub item_id: Option<&'a str>,
    pub webhook: Option<&'a str>,
    pub redirect_uri: Option<&'a str>,
    pub days_requested: i32,
    pub expires_at: DateTime<Utc>,
    pub account_selection: bool,
}

pub async fn insert_link_token(db: &PgPool, record: &LinkTokenRecord<'_>) -> Result<(), SimError> {
    sqlx::query!(
        "insert into plaid_sim.link_token
             (link_token, client_user_id, item_id, webhook, redirect_uri, days_requested, expires_at,
              account_selection)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        record.link_token,
        record.client_user_id,
        record.item_id,
        record.webhook,
        record.redirect_uri,
        record.days_requested,
        record.expires_at,
        record.account_selection
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The first `/transactions/sync` call turns on `SYNC_UPDATES_AVAILABLE` for the item.
pub async fn activate_sync(db: &PgPool, item_id: &str) -> Result<(), SimError> {
    sqlx::query!(
        "update plaid_sim.item set sync_activated = true where item_id = $1",
        item_id
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Keeps only the chosen accounts of an item (their transactions go with the others).
pub async fn keep_accounts(
    db: &PgPool,
    item_id: &str,
    account_ids: &[String],
) -> Result<(), SimError> {
    sqlx::query!(
        "delete from plaid_sim.account where item_id = $1 and account_id <> all($2)",
        item_id,
        account_ids
    )
    .execute(db)
    .await?;
    Ok(())
}
