//! Shared by the banking tests: a public token from the simulator's sandbox shortcut (what Link's
//! `onSuccess` would hand the browser), linking a bank, waiting for syncs, and comparing Tally's
//! database with the simulator's ground truth.

use crate::api_calls::{create_item_request, decoded};
use crate::helpers::TestApp;
use crate::simulator_support::plaid;
use reqwest::StatusCode;
use sqlx::PgPool;
use std::time::Duration;
use tally::plaid::types::{Product, SandboxPublicTokenCreateRequest, SandboxPublicTokenOptions};
use tally::simulator::SigningKey;
use tally_shared::api::items::Item;
use tally_shared::ids::TransactionId;

pub const FIRST_PLATYPUS: &str = "ins_109508";

impl TestApp {
    /// A public token for `institution_id` with the simulator's user `username` (password
    /// `pass_good`), its webhooks going to the app.
    pub async fn public_token(&self, institution_id: &str, username: &str) -> String {
        self.public_token_as(institution_id, username, "pass_good")
            .await
    }

    /// As [`public_token`](Self::public_token), with `password` (a custom user's configuration
    /// as JSON).
    pub async fn public_token_as(
        &self,
        institution_id: &str,
        username: &str,
        password: &str,
    ) -> String {
        plaid(self)
            .sandbox_public_token_create(&SandboxPublicTokenCreateRequest {
                institution_id: institution_id.to_owned(),
                initial_products: vec![Product::Transactions],
                options: Some(SandboxPublicTokenOptions {
                    webhook: Some(self.url("/webhooks/plaid")),
                    override_username: Some(username.to_owned()),
                    override_password: Some(password.to_owned()),
                    ..Default::default()
                }),
            })
            .await
            .unwrap()
            .public_token
    }

    /// Links First Platypus Bank as the simulator's `sandbox_user` and waits for the first sync.
    pub async fn link_bank(&self, client: &reqwest::Client, sandbox_user: &str) -> Item {
        let token = self.public_token(FIRST_PLATYPUS, sandbox_user).await;
        let request = create_item_request(&token, FIRST_PLATYPUS);
        let item: Item = decoded(
            self.create_item(client, &request).await,
            StatusCode::CREATED,
        )
        .await;
        self.wait_for_sync(client, &item, None).await
    }

    /// A new user `username`, signed in, with First Platypus Bank linked as the simulator's
    /// `user_good` and synced.
    pub async fn sign_up_with_bank(&self, username: &str) -> (reqwest::Client, Item) {
        let client = self.sign_up(username).await.client;
        let item = self.link_bank(&client, "user_good").await;
        (client, item)
    }

    /// Waits (up to a minute: this is waiting, not a speed check) until the item has synced
    /// after `after` and has no sync waiting, and returns it.
    pub async fn wait_for_sync(
        &self,
        client: &reqwest::Client,
        item: &Item,
        after: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Item {
        self.wait_until(client, item, |item| synced_since(item, after))
            .await
    }

    /// Waits (up to a minute) until `done` holds for the item, and returns it.
    pub async fn wait_until(
        &self,
        client: &reqwest::Client,
        item: &Item,
        done: impl Fn(&Item) -> bool,
    ) -> Item {
        for _ in 0..600 {
            let now = self.item(client, item.id).await;
            if done(&now) {
                return now;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "the item never reached the expected state: {:?}",
            self.item(client, item.id).await
        );
    }
}

/// Sends `body` to the app's webhook route signed as the simulator (Plaid) signs it.
pub async fn send_webhook(
    app: &TestApp,
    db: &PgPool,
    body: &serde_json::Value,
) -> reqwest::Response {
    let bytes = serde_json::to_vec_pretty(body).unwrap();
    let key = SigningKey::load_or_create(db).await.unwrap();
    let signature = key.sign(&bytes, chrono::Utc::now().timestamp()).unwrap();
    app.client
        .post(app.url("/webhooks/plaid"))
        .header("Content-Type", "application/json")
        .header("Plaid-Verification", signature)
        .body(bytes)
        .send()
        .await
        .unwrap()
}

/// Tells Tally by webhook that the item has new transactions.
pub async fn announce_updates(app: &TestApp, db: &PgPool, plaid_id: &str) {
    let updates = serde_json::json!({"webhook_type": "TRANSACTIONS", "webhook_code": "SYNC_UPDATES_AVAILABLE", "item_id": plaid_id});
    assert_eq!(
        send_webhook(app, db, &updates).await.status(),
        StatusCode::OK
    );
}

/// The item has synced after `after` and has no sync waiting.
pub fn synced_since(item: &Item, after: Option<chrono::DateTime<chrono::Utc>>) -> bool {
    !item.syncing && item.last_synced_at.is_some() && item.last_synced_at > after
}

/// The simulator's (Plaid's) id of one of our items.
pub async fn plaid_item_id(db: &PgPool, item: &Item) -> String {
    sqlx::query_scalar("select plaid_item_id from plaid_item where item_id = $1")
        .bind(item.id.0)
        .fetch_one(db)
        .await
        .unwrap()
}

/// Plaid's id of one of our transactions.
pub async fn plaid_transaction_id(db: &PgPool, id: TransactionId) -> String {
    sqlx::query_scalar(
        "select plaid_transaction_id from bank_transaction where transaction_id = $1",
    )
    .bind(id.0)
    .fetch_one(db)
    .await
    .unwrap()
}

/// Asserts that Tally holds exactly the bank's current transactions (id, amount, date, name,
/// pending, category) and accounts (balances), nothing more and nothing twice.
pub async fn assert_matches_bank(db: &PgPool, item: &Item) {
    let differences = differences_from_bank(db, item).await;
    assert!(differences.is_empty(), "{differences}");
}

/// Waits (up to a minute: this is waiting, not a speed check) until Tally holds exactly what
/// the bank holds for the item and no sync of it waits or runs, for syncs that webhooks, the
/// workers and the scheduler bring about by themselves.
pub async fn wait_until_matches_bank(db: &PgPool, item: &Item) {
    let mut differences = String::new();
    for _ in 0..600 {
        let busy: i64 = sqlx::query_scalar(
            "select count(*) from sync_job where item_id = $1 and state in ('queued', 'running')",
        )
        .bind(item.id.0)
        .fetch_one(db)
        .await
        .unwrap();
        differences = differences_from_bank(db, item).await;
        if busy == 0 && differences.is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("Tally never caught up with the bank: {differences}");
}

/// What differs between Tally and the bank for the item, in words; empty when nothing does.
async fn differences_from_bank(db: &PgPool, item: &Item) -> String {
    let plaid_item_id = plaid_item_id(db, item).await;
    let differences: Vec<(Option<String>, Option<String>)> = sqlx::query_as(
        "with truth as (
             select body->>'transaction_id' as id,
                    concat_ws('|', (body->>'amount')::numeric, body->>'date', body->>'name',
                              (body->>'pending')::boolean,
                              body->'personal_finance_category'->>'detailed')
                        as fields
             from plaid_sim.transaction where item_id = $1 and not removed),
         held as (
             select plaid_transaction_id as id,
                    concat_ws('|', amount, date, name, pending, category_detailed) as fields
             from bank_transaction where item_id = $2)
         select truth.id, held.id from truth full join held
             on truth.id = held.id and truth.fields = held.fields
         where truth.id is null or held.id is null
         limit 5",
    )
    .bind(&plaid_item_id)
    .bind(item.id.0)
    .fetch_all(db)
    .await
    .unwrap();
    if !differences.is_empty() {
        return format!("Tally differs from the bank: {differences:?}");
    }

    let balances: Vec<(String, Option<String>)> = sqlx::query_as(
        "select s.account_id, a.plaid_account_id
         from plaid_sim.account s
         left join account a on a.plaid_account_id = s.account_id
             and a.current_balance is not distinct from s.current
             and a.available_balance is not distinct from s.available
         where s.item_id = $1 and a.plaid_account_id is null",
    )
    .bind(&plaid_item_id)
    .fetch_all(db)
    .await
    .unwrap();
    if !balances.is_empty() {
        return format!("accounts or balances differ: {balances:?}");
    }
    String::new()
}

pub async fn transaction_count(db: &PgPool, item: &Item) -> i64 {
    sqlx::query_scalar("select count(*) from bank_transaction where item_id = $1")
        .bind(item.id.0)
        .fetch_one(db)
        .await
        .unwrap()
}
