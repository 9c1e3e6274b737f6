//! `/api/rules`: the person's ordered rules, a preview of what conditions match, and applying a
//! rule to the past.

use super::{delete, get, post, send_json, ClientError};
use gloo_net::http::Request;
use tally_shared::api::rules::{
    NewRule, Rule, RuleApplied, RuleList, RulePreview, RulePreviewRequest, RuleUpdate,
};
use tally_shared::ids::RuleId;

/// Every rule, in the order they apply.
pub async fn list() -> Result<RuleList, ClientError> {
    get("/api/rules").await
}

/// A 422 names each invalid field (`name`, `conditions`, `actions`, …).
pub async fn create(rule: &NewRule) -> Result<Rule, ClientError> {
    send_json(Request::post("/api/rules"), rule).await
}

/// Changes what `update` gives; a new `position` moves the rule, shifting those between.
pub async fn update(id: RuleId, update: &RuleUpdate) -> Result<Rule, ClientError> {
    send_json(Request::patch(&format!("/api/rules/{id}")), update).await
}

pub async fn remove(id: RuleId) -> Result<(), ClientError> {
    delete(&format!("/api/rules/{id}")).await
}

/// How many of the person's transactions `request`'s conditions match, and the newest of them.
pub async fn preview(request: &RulePreviewRequest) -> Result<RulePreview, ClientError> {
    send_json(Request::post("/api/rules/preview"), request).await
}

/// Runs the rules over the person's past transactions; says how many changed.
pub async fn apply(id: RuleId) -> Result<RuleApplied, ClientError> {
    post(&format!("/api/rules/{id}/apply")).await
}
