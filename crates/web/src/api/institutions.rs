//! `/api/institutions/{id}`: a bank's name, logo and colour.

use super::{read_json, ClientError};
use gloo_net::http::Request;
use tally_shared::api::institutions::Institution;

pub async fn get_institution(id: &str) -> Result<Institution, ClientError> {
    let id = String::from(js_sys::encode_uri_component(id));
    read_json(
        Request::get(&format!("/api/institutions/{id}"))
            .send()
            .await?,
    )
    .await
}
