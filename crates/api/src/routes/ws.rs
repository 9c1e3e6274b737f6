//! `/api/ws`: the signed-in user's live events over a WebSocket.

use crate::auth::AuthUser;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use crate::ws;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use tally_shared::ws::ServerEvent;
use tally_shared::ApiError as ApiErrorBody;
use tracing::Instrument;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/ws").get(events));
}

#[utoipa::path(get, path = "/api/ws", tag = "events",
    responses((status = 101, description = "Switching Protocols: a WebSocket on which each text \
        message is one ServerEvent for the signed-in user. A heartbeat comes at once and every 15 \
        seconds, with a ping; a client silent for 45 seconds is disconnected. Clients send \
        nothing but pings and a close frame.", body = ServerEvent),
              (status = 400, description = "Not a WebSocket handshake", body = ApiErrorBody),
              (status = 401, description = "Not logged in; no upgrade", body = ApiErrorBody),
              (status = 403, description = "The handshake comes from another site's page", body = ApiErrorBody),
              (status = 503, description = "The server is shutting down", body = ApiErrorBody)))]
#[tracing::instrument(name = "open event socket", skip_all, fields(user_id = %user.user_id))]
async fn events(
    user: AuthUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    // A handshake is a GET, so the cross-site write check does not cover it, and `SameSite=Lax`
    // still lets pages of the same site (another subdomain or port) open it with the cookie: only
    // our own pages may read these events.
    if !super::is_same_origin(&req) {
        tracing::warn!(origin = ?req.headers().get(header::ORIGIN), "cross-site event socket refused");
        return Err(ApiError::Forbidden);
    }
    let (response, socket, frames) = actix_ws::handle(&req, body).map_err(|_| {
        ApiError::BadRequest("This address only answers WebSocket handshakes.".to_owned())
    })?;
    let subscription = state
        .events
        .subscribe(user.user_id, user.session_id)
        .await
        .map_err(|_| ApiError::ServiceUnavailable("The server is shutting down.".to_owned()))?;
    // Signed out between the check of the cookie and the subscription: the hub may have heard
    // of it before this socket was there to close.
    if !db::sessions::exists(&state.db, user.session_id).await? {
        return Err(ApiError::Unauthorized);
    }
    let span = tracing::info_span!(
        "event socket",
        user_id = %user.user_id,
        connection = ?subscription.connection()
    );
    actix_web::rt::spawn(ws::serve(socket, frames, subscription).instrument(span));
    Ok(response)
}
