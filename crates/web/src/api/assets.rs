use super::{read_json, send_json, ClientError};
use gloo_net::http::Request;
use tally_shared::api::assets::{Asset, AssetList, NewAsset};
use tally_shared::ids::AssetId;

pub async fn list() -> Result<AssetList, ClientError> {
    read_json(Request::get("/api/assets").send().await?).await
}

/// A 422 names each invalid field (`description`, `value`, `currency`).
pub async fn create(asset: &NewAsset) -> Result<Asset, ClientError> {
    send_json(Request::post("/api/assets"), asset).await
}

pub async fn delete(id: AssetId) -> Result<(), ClientError> {
    let response = Request::delete(&format!("/api/assets/{id}")).send().await?;
    if response.ok() {
        Ok(())
    } else {
        read_json::<()>(response).await
    }
}
