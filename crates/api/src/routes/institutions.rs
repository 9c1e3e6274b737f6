//! `/api/institutions/{institution_id}`: a bank's name, logo and colour. Public data, so any
//! signed-in user may ask about any bank; asked once of Plaid, then served from the database.

use crate::auth::AuthUser;
use crate::db::institutions::InstitutionRecord;
use crate::domain::InstitutionId;
use crate::error::ApiError;
use crate::institutions::{self, LookupError};
use crate::plaid::PlaidError;
use crate::state::AppState;
use actix_web::web;
use tally_shared::api::institutions::Institution;
use tally_shared::ApiError as ApiErrorBody;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/institutions/{institution_id}").get(get_institution));
}

#[utoipa::path(get, path = "/api/institutions/{institution_id}", tag = "banking",
    params(("institution_id" = String, Path, description = "Plaid's institution id, e.g. `ins_109508`")),
    responses((status = 200, body = Institution),
              (status = 404, description = "No such institution", body = ApiErrorBody),
              (status = 503, description = "Not known yet and Plaid cannot be reached", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "get institution", skip_all, fields(user_id = %user.user_id, institution_id = %institution_id))]
async fn get_institution(
    state: web::Data<AppState>,
    user: AuthUser,
    institution_id: web::Path<String>,
) -> Result<web::Json<Institution>, ApiError> {
    // Anything not shaped like Plaid's ids cannot exist.
    let institution_id = InstitutionId::parse(&institution_id).map_err(|_| ApiError::NotFound)?;
    match institutions::lookup(&state, &institution_id).await {
        Ok(record) => Ok(web::Json(institution(record))),
        Err(LookupError::Unknown) => Err(ApiError::NotFound),
        Err(LookupError::Plaid(error)) => Err(plaid_error(error)),
        Err(LookupError::Database(error)) => Err(error.into()),
    }
}

fn plaid_error(error: PlaidError) -> ApiError {
    if error.is_retryable() {
        tracing::warn!(error = %error, "Plaid could not describe the institution");
        return ApiError::ServiceUnavailable(
            "The bank directory cannot be reached right now; try again in a moment.".to_owned(),
        );
    }
    ApiError::Unexpected(error.into())
}

fn institution(record: InstitutionRecord) -> Institution {
    Institution {
        id: record.institution_id,
        name: record.name,
        logo: record.logo,
        primary_color: record.primary_color,
        url: record.url,
        oauth: record.oauth,
    }
}
