//! Sending webhooks as Plaid does: a JSON body signed with a `Plaid-Verification` JWT, POSTed
//! to the item's webhook URL, retried with backoff when the receiver does not answer 200.

use super::faults::{FaultKind, Faults};
use super::keys::SigningKey;
use serde_json::{json, Map, Value};
use sqlx::PgPool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Attempts per webhook before giving up (Plaid keeps trying for a day; tests cannot wait).
const ATTEMPTS: u32 = 4;
const FIRST_RETRY: Duration = Duration::from_millis(250);

/// A webhook on its way: where, for which item, which code, and the body.
#[derive(Clone)]
struct Outgoing {
    url: String,
    item_id: String,
    code: String,
    body: Value,
}

#[derive(Clone)]
pub struct WebhookSender {
    http: reqwest::Client,
    key: Arc<SigningKey>,
    db: PgPool,
    faults: Faults,
    /// A webhook held back by a reorder fault, sent after the next one.
    held: Arc<Mutex<Option<Outgoing>>>,
}

impl WebhookSender {
    pub fn new(db: PgPool, key: Arc<SigningKey>, faults: Faults) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            // A webhook goes where it was checked to go, not where that answer points.
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(crate::plaid::IDLE_CONNECTION_REUSE)
            .build()?;
        Ok(Self {
            http,
            key,
            db,
            faults,
            held: Arc::new(Mutex::new(None)),
        })
    }

    /// Sends `webhook_type`/`webhook_code` for `item_id` to `url` in the background, with the
    /// `extra` fields of that webhook.
    pub fn send(
        &self,
        url: &str,
        item_id: &str,
        webhook_type: &str,
        webhook_code: &str,
        extra: Value,
    ) {
        let mut body = Map::new();
        body.insert("environment".into(), json!("sandbox"));
        body.insert("item_id".into(), json!(item_id));
        body.insert("webhook_code".into(), json!(webhook_code));
        body.insert("webhook_type".into(), json!(webhook_type));
        if let Value::Object(fields) = extra {
            body.extend(fields);
        }
        let outgoing = Outgoing {
            url: url.to_owned(),
            item_id: item_id.to_owned(),
            code: webhook_code.to_owned(),
            body: Value::Object(body),
        };
        let kinds = [
            FaultKind::WebhookDrop,
            FaultKind::WebhookDuplicate,
            FaultKind::WebhookReorder,
        ];
        let mut batch = Vec::new();
        match self.faults.take(None, &kinds).map(|fault| fault.kind) {
            Some(FaultKind::WebhookDrop) => return,
            Some(FaultKind::WebhookReorder) => batch.extend(self.hold(Some(outgoing))),
            Some(FaultKind::WebhookDuplicate) => {
                batch.push(outgoing.clone());
                batch.push(outgoing);
            }
            _ => {
                batch.push(outgoing);
                batch.extend(self.hold(None));
            }
        }
        let sender = self.clone();
        tokio::spawn(async move {
            for outgoing in batch {
                sender.deliver(&outgoing).await;
            }
        });
    }

    /// Swaps the held webhook for `next`, returning the one that was held.
    fn hold(&self, next: Option<Outgoing>) -> Option<Outgoing> {
        let mut held = self
            .held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        std::mem::replace(&mut *held, next)
    }

    async fn deliver(&self, outgoing: &Outgoing) {
        let Outgoing {
            url,
            item_id,
            code,
            body,
        } = outgoing;
        // Plaid's bodies are pretty-printed; the signature covers exactly these bytes.
        let Ok(bytes) = serde_json::to_vec_pretty(body) else {
            return;
        };
        let mut delay = FIRST_RETRY;
        for attempt in 1..=ATTEMPTS {
            let Ok(signature) = self.key.sign(&bytes, chrono::Utc::now().timestamp()) else {
                tracing::error!("simulator: cannot sign a webhook");
                return;
            };
            let outcome = self
                .http
                .post(url)
                .header("Content-Type", "application/json")
                .header("Plaid-Verification", signature)
                .body(bytes.clone())
                .send()
                .await;
            match outcome {
                Ok(response) if response.status().as_u16() == 200 => {
                    let _ = sqlx::query!(
                        "update plaid_sim.item set last_webhook_code = $2, last_webhook_at = now()
                         where item_id = $1",
                        item_id,
                        code
                    )
                    .execute(&self.db)
                    .await;
                    return;
                }
                Ok(response) => {
                    tracing::info!(%url, status = response.status().as_u16(), attempt, "simulator: webhook refused");
                }
                Err(error) => {
                    tracing::info!(%url, %error, attempt, "simulator: webhook not delivered")
                }
            }
            tokio::time::sleep(delay).await;
            delay = delay.saturating_mul(4);
        }
        tracing::warn!(%url, code, "simulator: webhook given up after {ATTEMPTS} attempts");
    }
}
