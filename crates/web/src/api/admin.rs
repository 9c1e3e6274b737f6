use super::{delete, get, ClientError};
use tally_shared::api::admin::AdminUserList;
use tally_shared::ids::UserId;

pub async fn list_users() -> Result<AdminUserList, ClientError> {
    get("/api/admin/users").await
}

pub async fn delete_user(id: UserId) -> Result<(), ClientError> {
    delete(&format!("/api/admin/users/{id}")).await
}
