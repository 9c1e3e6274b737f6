//! `/api/recurring`: the payments and income that repeat, and the person's decision on each.

use super::{get, send_json_ignoring_answer, ClientError};
use gloo_net::http::Request;
use tally_shared::api::recurring::{RecurringList, RecurringPatch};
use tally_shared::ids::RecurringStreamId;

/// Every stream of the person's, confirmed, suggested and dismissed.
pub async fn list() -> Result<RecurringList, ClientError> {
    get("/api/recurring").await
}

/// Confirms, dismisses, renames or categorises a stream (the caller reloads the list).
pub async fn patch(id: RecurringStreamId, patch: &RecurringPatch) -> Result<(), ClientError> {
    send_json_ignoring_answer(Request::patch(&format!("/api/recurring/{id}")), patch).await
}
