//! Banks as Plaid describes them (name, logo, colour): asked of Plaid once, then kept in the
//! `institution` table for every user and every later question. An id Plaid does not know is
//! remembered as unknown for `UNKNOWN_FOR`, so repeated questions about a made-up id do not
//! each cost a call to Plaid.

use crate::db;
use crate::db::institutions::InstitutionRecord;
use crate::domain::InstitutionId;
use crate::plaid::{PlaidError, COUNTRY_CODES};
use crate::state::AppState;
use std::time::Duration;

/// How long an id Plaid does not know is answered as unknown without asking Plaid again.
pub const UNKNOWN_FOR: Duration = Duration::from_secs(10 * 60);

#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error("Plaid knows no institution with this id")]
    Unknown,
    #[error(transparent)]
    Plaid(#[from] PlaidError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The kept description of `institution_id`, or Plaid's, which is then kept.
pub async fn lookup(
    state: &AppState,
    institution_id: &InstitutionId,
) -> Result<InstitutionRecord, LookupError> {
    if let Some(known) = db::institutions::find(&state.db, institution_id.as_str()).await? {
        return Ok(known);
    }
    if db::institutions::is_known_unknown(&state.db, institution_id.as_str()).await? {
        return Err(LookupError::Unknown);
    }
    let fetched = match state
        .plaid
        .institutions_get_by_id(institution_id.as_str(), COUNTRY_CODES, true)
        .await
    {
        Ok(answer) => answer.institution,
        Err(error) if error.code() == Some("INVALID_INSTITUTION") => {
            db::institutions::remember_unknown(&state.db, institution_id.as_str(), UNKNOWN_FOR)
                .await?;
            return Err(LookupError::Unknown);
        }
        Err(error) => return Err(error.into()),
    };
    let record = InstitutionRecord {
        institution_id: fetched.institution_id,
        name: fetched.name,
        logo: fetched.logo,
        primary_color: fetched.primary_color,
        url: fetched.url,
        oauth: fetched.oauth,
    };
    db::institutions::upsert(&state.db, &record).await?;
    tracing::info!(institution_id = %record.institution_id, "institution fetched from Plaid and kept");
    Ok(record)
}
