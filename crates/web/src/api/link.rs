//! `/api/link/*`: tokens that open Plaid Link, and the record of what happened in it.

use super::{read_empty, send_json, ClientError};
use gloo_net::http::Request;
use tally_shared::api::items::{LinkEventRequest, LinkTokenRequest, LinkTokenResponse};

/// A token for linking a new bank, or (with `item_id`) for update mode on that bank.
pub async fn create_link_token(
    request: LinkTokenRequest,
) -> Result<LinkTokenResponse, ClientError> {
    send_json(Request::post("/api/link/token"), &request).await
}

/// Records one of Link's callbacks, so a link that failed can be explained later.
pub async fn record_link_event(event: &LinkEventRequest) -> Result<(), ClientError> {
    read_empty(
        Request::post("/api/link/events")
            .json(event)?
            .send()
            .await?,
    )
    .await
}
