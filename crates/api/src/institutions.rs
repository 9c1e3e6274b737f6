//! Banks as Plaid describes them (name, logo, colour): asked of Plaid once, then kept in the
//! `institution` table for every user and every later question.

use crate::db;
use crate::db::institutions::InstitutionRecord;
use crate::domain::InstitutionId;
use crate::plaid::{PlaidError, COUNTRY_CODES};
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum LookupError {
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
    let fetched = state
        .plaid
        .institutions_get_by_id(institution_id.as_str(), COUNTRY_CODES, true)
        .await?
        .institution;
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
