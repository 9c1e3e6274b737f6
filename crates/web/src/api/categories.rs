use super::{get, read_empty, send_json, ClientError};
use gloo_net::http::Request;
use tally_shared::api::categories::{Category, CategoryChanges, CategoryList, NewCategory};
use tally_shared::ids::CategoryId;

pub async fn list() -> Result<CategoryList, ClientError> {
    get("/api/categories").await
}

/// A 422 names each invalid field (`name`, `kind`, `parent_id`); a 409 is a name already taken.
pub async fn create(category: &NewCategory) -> Result<Category, ClientError> {
    send_json(Request::post("/api/categories"), category).await
}

pub async fn update(id: CategoryId, changes: &CategoryChanges) -> Result<Category, ClientError> {
    send_json(Request::patch(&format!("/api/categories/{id}")), changes).await
}

/// Deletes one of the person's own categories, moving what is in it to `reassign_to`.
pub async fn delete(id: CategoryId, reassign_to: CategoryId) -> Result<(), ClientError> {
    let url = format!("/api/categories/{id}?reassign_to={reassign_to}");
    read_empty(Request::delete(&url).send().await?).await
}
