//! `/institutions/get_by_id` and `/institutions/search`.

use super::{answer, Sim};
use crate::simulator::error::SimError;
use crate::simulator::institutions;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

#[derive(serde::Deserialize)]
struct InstitutionBody {
    #[serde(default)]
    institution_id: Option<String>,
    #[serde(default)]
    query: Option<String>,
    country_codes: Vec<String>,
    #[serde(default)]
    options: Option<InstitutionOptions>,
}

#[derive(serde::Deserialize, Default)]
struct InstitutionOptions {
    #[serde(default)]
    include_optional_metadata: bool,
}

pub async fn get_by_id(
    sim: Sim,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, SimError> {
    let request = sim.read(&req, &body)?;
    request.require(&["institution_id", "country_codes"])?;
    let parsed: InstitutionBody = request.into_typed()?;
    let institution = parsed
        .institution_id
        .as_deref()
        .and_then(institutions::find)
        .filter(|institution| {
            parsed
                .country_codes
                .iter()
                .any(|c| c == institution.country)
        })
        .ok_or_else(SimError::invalid_institution)?;
    let metadata = parsed.options.unwrap_or_default().include_optional_metadata;
    Ok(answer(
        json!({ "institution": institution.to_json(metadata) }),
    ))
}

pub async fn search(
    sim: Sim,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, SimError> {
    let request = sim.read(&req, &body)?;
    request.require(&["query", "country_codes"])?;
    let parsed: InstitutionBody = request.into_typed()?;
    let metadata = parsed.options.unwrap_or_default().include_optional_metadata;
    let found: Vec<Value> = institutions::search(parsed.query.as_deref().unwrap_or_default())
        .filter(|institution| {
            parsed
                .country_codes
                .iter()
                .any(|c| c == institution.country)
        })
        .map(|institution| institution.to_json(metadata))
        .collect();
    Ok(answer(json!({ "institutions": found })))
}
