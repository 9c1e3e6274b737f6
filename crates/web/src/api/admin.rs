use super::{delete, get, post, read_empty, ClientError};
use gloo_net::http::Request;
use tally_shared::api::admin::{AdminUserList, CreatedInvite, InviteList, UpdateUserRequest};
use tally_shared::ids::{InviteId, UserId};

pub async fn list_users() -> Result<AdminUserList, ClientError> {
    get("/api/admin/users").await
}

pub async fn delete_user(id: UserId) -> Result<(), ClientError> {
    delete(&format!("/api/admin/users/{id}")).await
}

/// Promotes (`true`) or demotes (`false`) a user.
pub async fn set_admin(id: UserId, is_admin: bool) -> Result<(), ClientError> {
    let body = UpdateUserRequest { is_admin };
    let request = Request::patch(&format!("/api/admin/users/{id}")).json(&body)?;
    read_empty(request.send().await?).await
}

/// Removes the user's second factor and signs them out everywhere.
pub async fn reset_two_factor(id: UserId) -> Result<(), ClientError> {
    read_empty(
        Request::post(&format!("/api/admin/users/{id}/two-factor/reset"))
            .send()
            .await?,
    )
    .await
}

pub async fn create_invite() -> Result<CreatedInvite, ClientError> {
    post("/api/admin/invites").await
}

pub async fn list_invites() -> Result<InviteList, ClientError> {
    get("/api/admin/invites").await
}

pub async fn revoke_invite(id: InviteId) -> Result<(), ClientError> {
    delete(&format!("/api/admin/invites/{id}")).await
}
