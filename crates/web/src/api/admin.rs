use super::{read_json, ClientError};
use gloo_net::http::Request;
use tally_shared::api::admin::AdminUserList;
use tally_shared::ids::UserId;

pub async fn list_users() -> Result<AdminUserList, ClientError> {
    read_json(Request::get("/api/admin/users").send().await?).await
}

pub async fn delete_user(id: UserId) -> Result<(), ClientError> {
    let response = Request::delete(&format!("/api/admin/users/{id}"))
        .send()
        .await?;
    if response.ok() {
        Ok(())
    } else {
        read_json::<()>(response).await
    }
}
