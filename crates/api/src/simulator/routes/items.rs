//! `/item/*`: exchanging a public token, reading, removing and re-pointing an item.

use super::{answer, Sim};
use crate::simulator::error::SimError;
use crate::simulator::institutions;
use crate::simulator::store::{self, SimItem};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

pub async fn exchange_public_token(
    sim: Sim,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, SimError> {
    let public_token = sim.read(&req, &body)?.required_text("public_token")?;
    let (item_id, access_token) = store::exchange_public_token(&sim.db, &public_token).await?;
    Ok(answer(
        json!({ "access_token": access_token, "item_id": item_id }),
    ))
}

pub async fn get_item(
    sim: Sim,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, SimError> {
    let item = sim.item_of(&req, &body).await?;
    Ok(answer(json!({
        "item": item_json(&item),
        "status": {
            "transactions": { "last_successful_update": null, "last_failed_update": null },
            // Plaid sends `null` until a webhook has been sent, never an object of nulls.
            "last_webhook": item.last_webhook_at.map(|sent_at| json!({
                "sent_at": sent_at,
                "code_sent": item.last_webhook_code,
            })),
        },
    })))
}

pub async fn remove_item(
    sim: Sim,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, SimError> {
    let item = sim.item_of(&req, &body).await?;
    store::remove_item(&sim.db, &item.item_id).await?;
    Ok(answer(json!({})))
}

pub async fn update_webhook(
    sim: Sim,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, SimError> {
    let request = sim.read(&req, &body)?;
    let access_token = request.required_text("access_token")?;
    let webhook = request.text("webhook");
    if let Some(url) = webhook.as_deref() {
        sim.targets.check_webhook("webhook", url)?;
    }
    let item = store::item_by_access_token(&sim.db, &access_token).await?;
    store::set_webhook(&sim.db, &item.item_id, webhook.as_deref()).await?;
    let item = store::item_by_access_token(&sim.db, &access_token).await?;
    if let Some(url) = webhook.as_deref() {
        sim.webhooks.send(
            url,
            &item.item_id,
            "ITEM",
            "WEBHOOK_UPDATE_ACKNOWLEDGED",
            json!({ "new_webhook_url": url, "error": null }),
        );
    }
    Ok(answer(json!({ "item": item_json(&item) })))
}

/// The item object (`reference/plaid-api.md` §3.3).
pub fn item_json(item: &SimItem) -> Value {
    let error = if item.login_required {
        SimError::item_login_required().object()
    } else {
        Value::Null
    };
    json!({
        "item_id": item.item_id,
        "institution_id": item.institution_id,
        "institution_name": institutions::find(&item.institution_id).map(|i| i.name),
        "webhook": item.webhook,
        "auth_method": null,
        "error": error,
        "available_products": ["assets", "auth", "balance", "identity", "investments", "liabilities"],
        "billed_products": ["transactions"],
        "products": ["transactions"],
        "consented_products": ["transactions"],
        "consent_expiration_time": null,
        "update_type": "background",
        "created_at": item.created_at,
    })
}
