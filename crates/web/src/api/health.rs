use super::ClientError;
use gloo_net::http::Request;
use tally_shared::api::health::HealthResponse;

/// The server's health. A 503 still carries the health body (saying what is down).
pub async fn get_health() -> Result<HealthResponse, ClientError> {
    let response = Request::get("/api/health").send().await?;
    match response.status() {
        200 | 503 => Ok(response.json::<HealthResponse>().await?),
        status => Err(ClientError::Decode(format!("unexpected HTTP {status}"))),
    }
}
