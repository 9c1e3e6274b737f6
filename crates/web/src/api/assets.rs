use super::{get, send_json, ClientError};
use gloo_net::http::Request;
use tally_shared::api::assets::{Asset, AssetList, NewAsset};
use tally_shared::ids::AssetId;

pub async fn list() -> Result<AssetList, ClientError> {
    get("/api/assets").await
}

/// A 422 names each invalid field (`description`, `value`, `currency`).
pub async fn create(asset: &NewAsset) -> Result<Asset, ClientError> {
    send_json(Request::post("/api/assets"), asset).await
}

pub async fn delete(id: AssetId) -> Result<(), ClientError> {
    super::delete(&format!("/api/assets/{id}")).await
}
