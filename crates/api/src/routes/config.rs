//! `GET /api/config`: the Plaid mode and Link script the browser app should use, and who may
//! sign up.

use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::web;
use tally_shared::api::config::ConfigResponse;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/config").get(config));
}

#[utoipa::path(get, path = "/api/config", tag = "server",
    responses((status = 200, body = ConfigResponse)))]
#[tracing::instrument(name = "config", skip_all)]
async fn config(state: web::Data<AppState>) -> Result<web::Json<ConfigResponse>, ApiError> {
    let plaid = &state.settings.plaid;
    Ok(web::Json(ConfigResponse {
        plaid_mode: plaid.mode,
        link_script_url: plaid.link_script_url(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        registration: state.settings.auth.registration,
        first_user: !db::users::any_exist(&state.db).await?,
    }))
}
