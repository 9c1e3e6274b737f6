//! `/transactions/sync`, `/transactions/refresh` and `/transactions/recurring/get`.

use super::{answer, Sim};
use crate::simulator::error::SimError;
use crate::simulator::faults::FaultKind;
use crate::simulator::ids;
use crate::simulator::ledger::{self, Cursor};
use crate::simulator::recurring;
use crate::simulator::store::{self, SimItem};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Days;
use serde_json::value::RawValue;
use serde_json::{json, Value};

pub async fn sync(sim: Sim, req: HttpRequest, body: web::Bytes) -> Result<HttpResponse, SimError> {
    let request = sim.read(&req, &body)?;
    let access_token = request.required_text("access_token")?;
    let parsed: SyncBody = request.into_typed()?;
    let count = parsed.count.unwrap_or(100);
    if !(1..=500).contains(&count) {
        return Err(SimError::invalid_field("count must be between 1 and 500"));
    }
    let cursor = match parsed.cursor.as_deref() {
        None | Some("") => None,
        Some(text) => Some(
            Cursor::decode(text)
                .ok_or_else(|| SimError::invalid_field("cursor is not a valid cursor"))?,
        ),
    };
    let item = usable(store::item_by_access_token(&sim.db, &access_token).await?)?;
    let mid_pagination = cursor.is_some_and(|c| c.position < c.end);
    if mid_pagination
        && sim
            .faults
            .take(
                Some("/transactions/sync"),
                &[FaultKind::MutationDuringPagination],
            )
            .is_some()
    {
        return Err(SimError::mutation_during_pagination());
    }
    if !item.sync_activated {
        store::activate_sync(&sim.db, &item.item_id).await?;
    }
    let page = ledger::sync_page(&sim.db, &item.item_id, cursor, count).await?;
    let accounts: Vec<Value> = store::accounts(&sim.db, &item.item_id)
        .await?
        .iter()
        .filter(|account| account.account_type != "investment")
        .map(store::SimAccount::to_json)
        .collect();
    // Serialized straight from the stored text: a page of 500 is most of a megabyte.
    Ok(HttpResponse::Ok().json(SyncAnswer {
        added: &page.added,
        modified: &page.modified,
        removed: &page.removed,
        next_cursor: page.next_cursor.encode(),
        has_more: page.has_more,
        transactions_update_status: "HISTORICAL_UPDATE_COMPLETE",
        accounts,
        request_id: ids::request_id(),
    }))
}

#[derive(serde::Serialize)]
struct SyncAnswer<'a> {
    added: &'a [Box<RawValue>],
    modified: &'a [Box<RawValue>],
    removed: &'a [ledger::RemovedTransaction],
    next_cursor: String,
    has_more: bool,
    transactions_update_status: &'static str,
    accounts: Vec<Value>,
    request_id: String,
}

#[derive(serde::Deserialize)]
struct SyncBody {
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    count: Option<i64>,
}

/// Checks the bank now: days not yet generated are, pending transactions old enough post, and
/// `user_transactions_dynamic` gets its churn. Changes are announced by webhook.
pub async fn refresh(
    sim: Sim,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, SimError> {
    let item = usable(sim.item_of(&req, &body).await?)?;
    let changes = sim
        .catch_up(&item.item_id, item.username == "user_transactions_dynamic")
        .await?;
    sim.announce_changes(&item, changes);
    Ok(answer(json!({})))
}

pub async fn recurring(
    sim: Sim,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, SimError> {
    let item = usable(sim.item_of(&req, &body).await?)?;
    let streams = recurring::item_streams(&sim.db, &item.item_id).await?;
    recurring::remember(&sim.db, &item.item_id, &streams).await?;
    let (inflow, outflow) = streams;
    Ok(answer(json!({
        "inflow_streams": inflow,
        "outflow_streams": outflow,
        "updated_datetime": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "personal_finance_category_version": "v2",
    })))
}

/// An item data calls may read: refused while its login needs repair.
fn usable(item: SimItem) -> Result<SimItem, SimError> {
    if item.login_required {
        return Err(SimError::item_login_required());
    }
    Ok(item)
}

impl crate::simulator::Simulator {
    /// Brings an item's books up to the simulator's today. Returns how many changes it made.
    pub(crate) async fn catch_up(&self, item_id: &str, churn: bool) -> Result<usize, SimError> {
        let mut tx = self.db.begin().await?;
        // One catch-up per item at a time; how far its days go is read under the lock, since
        // a catch-up that ran meanwhile may have moved it on.
        let generated_through = sqlx::query_scalar!(
            "select generated_through from plaid_sim.item where item_id = $1 for update",
            item_id
        )
        .fetch_optional(&mut *tx)
        .await?
        .flatten();
        let today = ledger::today(&mut *tx).await?;
        let mut changes = 0;
        if let Some(next_day) = generated_through.and_then(|d| d.succ_opt()) {
            if next_day <= today {
                changes +=
                    ledger::generate_through(&mut tx, item_id, next_day, today, true).await?;
            }
        }
        let post_through = if churn {
            today
        } else {
            today
                .checked_sub_days(Days::new(ledger::PENDING_DAYS))
                .unwrap_or(today)
        };
        changes += ledger::post_pending(&mut tx, item_id, post_through).await?;
        if churn {
            changes += ledger::churn(&mut tx, item_id, today).await?;
        }
        tx.commit().await?;
        Ok(changes)
    }

    /// Tells the item's webhook that there is new data, once `/transactions/sync` was called,
    /// and then, once its streams are worked out again, that they changed (if they did).
    pub(crate) fn announce_changes(&self, item: &SimItem, changes: usize) {
        let Some(url) = item.webhook.as_deref() else {
            return;
        };
        if changes == 0 {
            return;
        }
        if item.sync_activated {
            self.webhooks.send(
                url,
                &item.item_id,
                "TRANSACTIONS",
                "SYNC_UPDATES_AVAILABLE",
                json!({ "initial_update_complete": true, "historical_update_complete": true }),
            );
        }
        let (db, webhooks) = (self.db.clone(), self.webhooks.clone());
        let (url, item_id) = (url.to_owned(), item.item_id.clone());
        tokio::spawn(async move {
            match recurring::changed_accounts(&db, &item_id).await {
                Ok(Some(account_ids)) => webhooks.send(
                    &url,
                    &item_id,
                    "TRANSACTIONS",
                    "RECURRING_TRANSACTIONS_UPDATE",
                    json!({ "account_ids": account_ids }),
                ),
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(%error, "simulator: cannot work out recurring streams")
                }
            }
        });
    }
}
