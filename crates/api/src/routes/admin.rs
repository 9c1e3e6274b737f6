//! `/api/admin`: the user list and removing users (administrators only; others get 403).

use crate::auth::AdminUser;
use crate::db;
use crate::error::ApiError;
use crate::items;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use tally_shared::api::admin::{AdminUserList, AdminUserSummary};
use tally_shared::ids::UserId;
use tally_shared::ApiError as ApiErrorBody;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/admin/users").get(list_users))
        .service(web::resource("/admin/users/{user_id}").delete(delete_user));
}

#[utoipa::path(get, path = "/api/admin/users", tag = "admin",
    responses((status = 200, body = AdminUserList), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
#[tracing::instrument(name = "admin: list users", skip_all, fields(admin = %admin.0.user_id))]
async fn list_users(
    state: web::Data<AppState>,
    admin: AdminUser,
) -> Result<web::Json<AdminUserList>, ApiError> {
    let users = db::users::list(&state.db)
        .await?
        .into_iter()
        .map(|user| AdminUserSummary {
            id: user.user_id,
            username: user.username,
            is_admin: user.is_admin,
            created_at: user.created_at,
            linked_banks: user.linked_banks,
            last_synced_at: user.last_synced_at,
        })
        .collect();
    Ok(web::Json(AdminUserList { users }))
}

#[utoipa::path(delete, path = "/api/admin/users/{user_id}", tag = "admin",
    params(("user_id" = String, Path, description = "The user's id")),
    responses((status = 204), (status = 404, body = ApiErrorBody), (status = 409, description = "That is you", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
#[tracing::instrument(name = "admin: delete user", skip_all, fields(admin = %admin.0.user_id))]
async fn delete_user(
    state: web::Data<AppState>,
    admin: AdminUser,
    user_id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let user_id = user_id.into_inner();
    if user_id == admin.0.user_id {
        return Err(ApiError::Conflict(
            "Administrators cannot delete themselves here; use “Delete my account”.".to_owned(),
        ));
    }
    // Their banks are removed at Plaid first, so that nothing stays linked (and billed) there.
    items::remove_all(&state, user_id).await?;
    if !db::users::delete(&state.db, user_id).await? {
        return Err(ApiError::NotFound);
    }
    tracing::info!(%user_id, "user deleted by an administrator");
    Ok(HttpResponse::NoContent().finish())
}
