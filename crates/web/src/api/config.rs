use super::{read_json, ClientError};
use gloo_net::http::Request;
use tally_shared::api::config::ConfigResponse;

pub async fn get_config() -> Result<ConfigResponse, ClientError> {
    read_json(Request::get("/api/config").send().await?).await
}
