//! Shared by the simulator tests: a client for the simulator, linking an item, and a reference
//! sync loop whose state must always equal the simulator's ground truth.

use crate::helpers::{logged_errors, spawn_app, TestApp};
use secrecy::SecretString;
use sqlx::PgPool;
use std::collections::HashMap;
use tally::plaid::types::{
    LinkTokenCreateRequest, LinkUser, Product, SandboxPublicTokenCreateRequest,
    SandboxPublicTokenOptions, Transaction,
};
use tally::plaid::{ItemAccess, PlaidClient, PlaidCredentials, PlaidError};

/// An app, for the simulator it mounts and its database, and a Plaid client of that simulator.
pub async fn simulator(db: PgPool) -> (TestApp, PlaidClient) {
    let app = spawn_app(db).await;
    let plaid = plaid(&app);
    (app, plaid)
}

pub fn plaid(app: &TestApp) -> PlaidClient {
    PlaidClient::new(
        url::Url::parse(&app.url("/sim/plaid")).unwrap(),
        PlaidCredentials {
            client_id: "test".to_owned(),
            secret: SecretString::from("test"),
        },
    )
    .unwrap()
}

pub async fn link(
    plaid: &PlaidClient,
    username: &str,
    password: &str,
    webhook: Option<String>,
) -> ItemAccess {
    let public = plaid
        .sandbox_public_token_create(&SandboxPublicTokenCreateRequest {
            institution_id: "ins_109508".to_owned(),
            initial_products: vec![Product::Transactions],
            options: Some(SandboxPublicTokenOptions {
                webhook,
                override_username: Some(username.to_owned()),
                override_password: Some(password.to_owned()),
                ..Default::default()
            }),
        })
        .await
        .unwrap();
    plaid
        .item_public_token_exchange(&SecretString::from(public.public_token))
        .await
        .unwrap()
}

/// A link-token request as Tally makes one: for a new item, or with `access_token` for update
/// mode on an existing one.
pub fn link_token_request(
    access_token: Option<String>,
    webhook: Option<String>,
    redirect_uri: &str,
) -> LinkTokenCreateRequest {
    LinkTokenCreateRequest {
        client_name: "Tally".to_owned(),
        language: "en".to_owned(),
        country_codes: vec!["US".to_owned()],
        user: LinkUser {
            client_user_id: "user-1".to_owned(),
        },
        products: if access_token.is_some() {
            vec![]
        } else {
            vec![Product::Transactions]
        },
        webhook,
        access_token,
        redirect_uri: Some(redirect_uri.to_owned()),
        transactions: None,
        update: None,
    }
}

/// What a client holds after syncing: transactions by id, and its cursor.
#[derive(Default)]
pub struct Replica {
    pub transactions: HashMap<String, Transaction>,
    pub cursor: Option<String>,
}

impl Replica {
    /// One sync run: pages from the stored cursor, restarting on mutation during pagination,
    /// applied only when the run completes. Returns the number of pages.
    pub async fn sync(
        &mut self,
        plaid: &PlaidClient,
        item: &ItemAccess,
        count: u32,
    ) -> Result<usize, PlaidError> {
        'run: loop {
            let mut cursor = self.cursor.clone();
            let (mut added, mut modified, mut removed) = (Vec::new(), Vec::new(), Vec::new());
            let mut pages = 0;
            loop {
                let page = match plaid
                    .transactions_sync(item, cursor.as_deref(), count)
                    .await
                {
                    Ok(page) => page,
                    Err(error) if error.is_mutation_during_pagination() => continue 'run,
                    Err(error) => return Err(error),
                };
                pages += 1;
                added.extend(page.added);
                modified.extend(page.modified);
                removed.extend(page.removed);
                cursor = Some(page.next_cursor);
                if !page.has_more {
                    break;
                }
            }
            for transaction in added.into_iter().chain(modified) {
                self.transactions
                    .insert(transaction.transaction_id.clone(), transaction);
            }
            for gone in removed {
                assert!(
                    self.transactions.remove(&gone.transaction_id).is_some(),
                    "removed {} which this client never had",
                    gone.transaction_id
                );
            }
            self.cursor = cursor;
            return Ok(pages);
        }
    }

    /// Syncs `count` transactions a page until done, then asserts the replica equals the truth.
    pub async fn sync_to_truth(
        &mut self,
        plaid: &PlaidClient,
        item: &ItemAccess,
        count: u32,
        db: &PgPool,
    ) {
        self.sync(plaid, item, count).await.unwrap();
        self.assert_matches_truth(db, item).await;
    }

    /// Asserts the replica equals the simulator's current transactions, field for field.
    pub async fn assert_matches_truth(&self, db: &PgPool, item: &ItemAccess) {
        let truth: Vec<serde_json::Value> = sqlx::query_scalar(
            "select body from plaid_sim.transaction where item_id = $1 and not removed",
        )
        .bind(&item.item_id)
        .fetch_all(db)
        .await
        .unwrap();
        assert_eq!(
            self.transactions.len(),
            truth.len(),
            "transaction count differs from truth"
        );
        for body in truth {
            let expected: Transaction = serde_json::from_value(body).unwrap();
            let held = self
                .transactions
                .get(&expected.transaction_id)
                .unwrap_or_else(|| panic!("lost {}", expected.transaction_id));
            assert_eq!(held, &expected);
        }
    }
}

/// One webhook as it arrived: the `Plaid-Verification` header and the raw body.
#[derive(Debug, Clone)]
pub struct ReceivedWebhook {
    pub signature: Option<String>,
    pub body: Vec<u8>,
}

impl ReceivedWebhook {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A stand-in for a webhook endpoint on port 0. It answers `refusals` requests with 500 first,
/// then 200, and hands every request it got to the test.
pub struct WebhookReceiver {
    pub url: String,
    received: tokio::sync::mpsc::UnboundedReceiver<ReceivedWebhook>,
}

impl WebhookReceiver {
    pub async fn start(refusals: usize) -> Self {
        use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;

        let (sender, received) = tokio::sync::mpsc::unbounded_channel();
        let refused = Arc::new(AtomicUsize::new(0));
        let server = HttpServer::new(move || {
            let sender = sender.clone();
            let refused = refused.clone();
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let sender = sender.clone();
                let refused = refused.clone();
                async move {
                    let signature = req
                        .headers()
                        .get("plaid-verification")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let _ = sender.send(ReceivedWebhook {
                        signature,
                        body: body.to_vec(),
                    });
                    if refused.fetch_add(1, Ordering::SeqCst) < refusals {
                        HttpResponse::InternalServerError().finish()
                    } else {
                        HttpResponse::Ok().finish()
                    }
                }
            }))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .unwrap();
        let url = format!("http://{}/webhooks/plaid", server.addrs()[0]);
        tokio::spawn(server.run());
        Self { url, received }
    }

    /// The next webhook, waiting up to 10 seconds for it.
    pub async fn next(&mut self) -> ReceivedWebhook {
        tokio::time::timeout(std::time::Duration::from_secs(10), self.received.recv())
            .await
            .expect("no webhook arrived within 10 seconds")
            .expect("receiver closed")
    }

    /// Asserts nothing more arrives within `wait`.
    pub async fn assert_quiet(&mut self, wait: std::time::Duration) {
        if let Ok(Some(webhook)) = tokio::time::timeout(wait, self.received.recv()).await {
            panic!(
                "unexpected webhook: {}",
                String::from_utf8_lossy(&webhook.body)
            );
        }
    }
}

/// Moves the simulator's clock `days` forward (the bank's new days happen, and their webhooks
/// go out) and returns its answer.
pub async fn advance_clock(app: &TestApp, days: u32) -> serde_json::Value {
    control(app, "/clock/advance", serde_json::json!({ "days": days })).await
}

/// Arms a simulator fault: `{"endpoint"?, "kind", "count", "latency_ms"?}`, in the simulator's
/// own vocabulary (no `tally_shared` type describes it).
pub async fn inject_fault(app: &TestApp, fault: serde_json::Value) -> serde_json::Value {
    control(app, "/faults", fault).await
}

/// The faults armed and not yet used up.
pub async fn pending_faults(app: &TestApp) -> Vec<serde_json::Value> {
    let answer: serde_json::Value = app
        .get("/sim/plaid/control/faults")
        .await
        .json()
        .await
        .unwrap();
    answer["faults"].as_array().unwrap().clone()
}

/// Adds an account with history to the simulator's item `plaid_item_id`:
/// `{"name"?, "subtype"?, "history_days"?, "after"?}` (with `after`, once the simulator next
/// answers that endpoint).
pub async fn add_bank_account(
    app: &TestApp,
    plaid_item_id: &str,
    account: serde_json::Value,
) -> serde_json::Value {
    control(app, &format!("/items/{plaid_item_id}/accounts"), account).await
}

/// The bank corrects the amount of the simulator's transaction `plaid_transaction_id` on item
/// `plaid_item_id` to `amount` (a decimal string); the item hears about it by webhook.
pub async fn correct_amount(
    app: &TestApp,
    plaid_item_id: &str,
    plaid_transaction_id: &str,
    amount: &str,
) -> serde_json::Value {
    control(
        app,
        &format!("/items/{plaid_item_id}/transactions/{plaid_transaction_id}/amount"),
        serde_json::json!({ "amount": amount }),
    )
    .await
}

/// POSTs to a simulator control (`/sim/plaid/control<path>`) and returns its answer.
async fn control(app: &TestApp, path: &str, body: serde_json::Value) -> serde_json::Value {
    let response = app
        .client
        .post(app.url(&format!("/sim/plaid/control{path}")))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    if !status.is_success() {
        let answer = response.text().await.unwrap_or_default();
        panic!(
            "{path}: {status} {answer}\nthe server's errors so far:\n{}",
            logged_errors()
        );
    }
    response.json().await.unwrap()
}

/// POSTs `body` to the simulator's `path` (under `/sim/plaid`) and returns the status and the
/// answer, whatever they are.
pub async fn post_to_simulator(
    app: &TestApp,
    path: &str,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    let response = app
        .client
        .post(app.url(&format!("/sim/plaid{path}")))
        .json(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}
