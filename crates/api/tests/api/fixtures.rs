//! Banking data written straight into the test's database: users registered over HTTP, then
//! items and accounts inserted with SQL through small builders.

use crate::helpers::{browser_like_client, TestApp};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::json;
use sqlx::PgPool;
use std::str::FromStr;
use tally_shared::api::session::SessionResponse;
use uuid::Uuid;

/// Registers `username` and returns a client logged in as them, and their id.
pub async fn register(app: &TestApp, username: &str) -> (reqwest::Client, Uuid) {
    let client = browser_like_client();
    let response = client
        .post(app.url("/api/users"))
        .json(&json!({ "username": username, "password": "a long enough password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let session: SessionResponse = response.json().await.unwrap();
    (client, session.user.id.0)
}

#[derive(Debug, Clone, Copy)]
pub struct ItemRef {
    pub item_id: Uuid,
    pub user_id: Uuid,
}

#[derive(Debug, Clone, Copy)]
pub struct AccountRef {
    pub account_id: Uuid,
    pub item_id: Uuid,
}

/// A linked bank for `user_id`, already "exchanged" (a dummy token satisfies the deferred check).
pub async fn item(db: &PgPool, user_id: Uuid, institution_id: &str, name: &str) -> ItemRef {
    let item_id = sqlx::query_scalar(
        "insert into plaid_item (user_id, institution_id, institution_name, plaid_item_id, access_token)
         values ($1, $2, $3, $4, '\\x00'::bytea) returning item_id",
    )
    .bind(user_id)
    .bind(institution_id)
    .bind(name)
    .bind(format!("plaid-item-{}", Uuid::new_v4()))
    .fetch_one(db)
    .await
    .unwrap();
    ItemRef { item_id, user_id }
}

pub fn account(item: ItemRef, name: &str) -> AccountBuilder {
    AccountBuilder {
        item,
        name: name.to_owned(),
        account_type: "depository".to_owned(),
        subtype: Some("checking".to_owned()),
        mask: Some("0000".to_owned()),
        current: Some(money("100.00")),
        available: None,
        limit: None,
        iso_currency: Some("USD".to_owned()),
        unofficial_currency: None,
    }
}

pub struct AccountBuilder {
    item: ItemRef,
    name: String,
    account_type: String,
    subtype: Option<String>,
    mask: Option<String>,
    current: Option<Decimal>,
    available: Option<Decimal>,
    limit: Option<Decimal>,
    iso_currency: Option<String>,
    unofficial_currency: Option<String>,
}

impl AccountBuilder {
    pub fn kind(mut self, account_type: &str, subtype: Option<&str>) -> Self {
        self.account_type = account_type.to_owned();
        self.subtype = subtype.map(str::to_owned);
        self
    }

    /// Current, available and credit limit, as decimal strings.
    pub fn balances(
        mut self,
        current: Option<&str>,
        available: Option<&str>,
        limit: Option<&str>,
    ) -> Self {
        self.current = current.map(money);
        self.available = available.map(money);
        self.limit = limit.map(money);
        self
    }

    /// ISO and unofficial currency codes.
    pub fn currency(mut self, iso: Option<&str>, unofficial: Option<&str>) -> Self {
        self.iso_currency = iso.map(str::to_owned);
        self.unofficial_currency = unofficial.map(str::to_owned);
        self
    }

    pub fn no_mask(mut self) -> Self {
        self.mask = None;
        self
    }

    pub async fn insert(self, db: &PgPool) -> AccountRef {
        let account_id = sqlx::query_scalar(
            "insert into account (item_id, user_id, plaid_account_id, name, mask, type, subtype,
                                  current_balance, available_balance, credit_limit,
                                  iso_currency_code, unofficial_currency_code)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning account_id",
        )
        .bind(self.item.item_id)
        .bind(self.item.user_id)
        .bind(format!("plaid-account-{}", Uuid::new_v4()))
        .bind(&self.name)
        .bind(&self.mask)
        .bind(&self.account_type)
        .bind(&self.subtype)
        .bind(self.current)
        .bind(self.available)
        .bind(self.limit)
        .bind(&self.iso_currency)
        .bind(&self.unofficial_currency)
        .fetch_one(db)
        .await
        .unwrap();
        AccountRef {
            account_id,
            item_id: self.item.item_id,
        }
    }
}

pub fn money(amount: &str) -> Decimal {
    Decimal::from_str(amount).unwrap()
}
