//! `/api/institutions/{id}`: a bank's name, logo and colour.

use super::{get, ClientError};
use tally_shared::api::institutions::Institution;

pub async fn get_institution(id: &str) -> Result<Institution, ClientError> {
    let id = String::from(js_sys::encode_uri_component(id));
    get(&format!("/api/institutions/{id}")).await
}
