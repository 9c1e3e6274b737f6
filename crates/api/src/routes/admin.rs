//! `/api/admin`: the user list, promoting, demoting and removing users, and sign-up invites
//! (administrators only; others get 403).

use crate::auth::{session, sign_out, two_factor, AdminUser};
use crate::db;
use crate::db::invites::Revoked;
use crate::error::ApiError;
use crate::items;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use chrono::{Duration, Utc};
use tally_shared::api::admin::{
    AdminUserList, AdminUserSummary, CreatedInvite, InviteList, InviteSummary, UpdateUserRequest,
};
use tally_shared::ids::{InviteId, UserId};
use tally_shared::ApiError as ApiErrorBody;

/// How long an invite link can be used.
const INVITE_LIFETIME: Duration = Duration::days(7);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/admin/users").get(list_users))
        .service(
            web::resource("/admin/users/{user_id}")
                .patch(update_user)
                .delete(delete_user),
        )
        .service(web::resource("/admin/users/{user_id}/two-factor/reset").post(reset_two_factor))
        .service(
            web::resource("/admin/invites")
                .get(list_invites)
                .post(create_invite),
        )
        .service(web::resource("/admin/invites/{invite_id}").delete(revoke_invite));
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
            passkeys: user.passkeys,
            two_factor: user.two_factor,
        })
        .collect();
    Ok(web::Json(AdminUserList { users }))
}

#[utoipa::path(delete, path = "/api/admin/users/{user_id}", tag = "admin",
    params(("user_id" = String, Path, description = "The user's id")),
    responses((status = 204), (status = 404, body = ApiErrorBody),
              (status = 409, description = "That is you, or the last administrator", body = ApiErrorBody),
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
    if db::users::by_id(&state.db, user_id).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    // Their banks are removed at Plaid first, so that nothing stays linked (and billed) there.
    items::remove_all(&state, user_id).await?;
    // Under the lock: another administrator deleting or demoting at the same time cannot leave
    // the server without one.
    let mut tx = state.db.begin().await?;
    db::users::lock_roles(&mut tx).await?;
    if db::users::is_last_admin_of_others(&mut *tx, user_id).await? {
        return Err(last_admin("deleted"));
    }
    sign_out::everywhere(&mut tx, user_id).await?;
    if !db::users::delete(&mut *tx, user_id).await? {
        return Err(ApiError::NotFound);
    }
    tx.commit().await?;
    tracing::info!(%user_id, "user deleted by an administrator");
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(patch, path = "/api/admin/users/{user_id}", tag = "admin", request_body = UpdateUserRequest,
    params(("user_id" = String, Path, description = "The user's id")),
    responses((status = 204, description = "Promoted or demoted (or already so)"), (status = 404, body = ApiErrorBody),
              (status = 409, description = "That would leave no administrator", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
/// Makes a user an administrator, or no longer one. The last administrator cannot be demoted.
#[tracing::instrument(name = "admin: update user", skip_all, fields(admin = %admin.0.user_id))]
async fn update_user(
    state: web::Data<AppState>,
    admin: AdminUser,
    user_id: web::Path<UserId>,
    body: web::Json<UpdateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let user_id = user_id.into_inner();
    let is_admin = body.is_admin;
    let mut tx = state.db.begin().await?;
    // Two administrators demoting each other at once: the second waits here, then sees that the
    // first's demotion left it the last one.
    db::users::lock_roles(&mut tx).await?;
    if !is_admin && db::users::is_last_admin(&mut *tx, user_id).await? {
        return Err(last_admin("demoted"));
    }
    if !db::users::set_admin(&mut *tx, user_id, is_admin).await? {
        return Err(ApiError::NotFound);
    }
    tx.commit().await?;
    tracing::info!(%user_id, is_admin, "administrator role changed");
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/admin/users/{user_id}/two-factor/reset", tag = "admin",
    params(("user_id" = String, Path, description = "The user's id")),
    responses((status = 204, description = "Their second factor is removed and every session of theirs ended: they sign in with the password alone"),
              (status = 404, body = ApiErrorBody),
              (status = 409, description = "That is you", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
/// Resets a user's second factor (someone who lost their authenticator and recovery codes).
#[tracing::instrument(name = "admin: reset second factor", skip_all, fields(admin = %admin.0.user_id))]
async fn reset_two_factor(
    state: web::Data<AppState>,
    admin: AdminUser,
    user_id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let user_id = user_id.into_inner();
    if user_id == admin.0.user_id {
        return Err(ApiError::Conflict(
            "Administrators cannot reset their own second factor; another administrator can, \
             or turn it off on Settings."
                .to_owned(),
        ));
    }
    let mut tx = state.db.begin().await?;
    if db::users::by_id(&mut *tx, user_id).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    two_factor::reset(&mut tx, user_id).await?;
    tx.commit().await?;
    tracing::info!(%user_id, "second factor reset by an administrator");
    Ok(HttpResponse::NoContent().finish())
}

fn last_admin(what: &str) -> ApiError {
    ApiError::Conflict(format!(
        "That is the only administrator, who cannot be {what}: make someone else an \
         administrator first."
    ))
}

#[utoipa::path(post, path = "/api/admin/invites", tag = "admin",
    responses((status = 201, description = "A one-time sign-up link, valid 7 days; shown only now", body = CreatedInvite),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
#[tracing::instrument(name = "admin: create invite", skip_all, fields(admin = %admin.0.user_id))]
async fn create_invite(
    state: web::Data<AppState>,
    admin: AdminUser,
) -> Result<HttpResponse, ApiError> {
    // A token like a session's: random, given out once, kept only as its hash.
    let (token, hash) = session::new_token();
    let expires_at = Utc::now() + INVITE_LIFETIME;
    let id = db::invites::insert(&state.db, &hash, admin.0.user_id, expires_at).await?;
    let mut link = state.settings.server.public_url.clone();
    link.set_path("/");
    link.query_pairs_mut().clear().append_pair("invite", &token);
    tracing::info!(invite_id = %id, "invite created");
    Ok(HttpResponse::Created().json(CreatedInvite {
        id,
        link: link.to_string(),
        expires_at,
    }))
}

#[utoipa::path(get, path = "/api/admin/invites", tag = "admin",
    responses((status = 200, body = InviteList), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
#[tracing::instrument(name = "admin: list invites", skip_all, fields(admin = %admin.0.user_id))]
async fn list_invites(
    state: web::Data<AppState>,
    admin: AdminUser,
) -> Result<web::Json<InviteList>, ApiError> {
    let invites = db::invites::list(&state.db)
        .await?
        .into_iter()
        .map(|invite| InviteSummary {
            id: invite.invite_id,
            created_by: invite.created_by,
            created_at: invite.created_at,
            expires_at: invite.expires_at,
            used_at: invite.used_at,
            used_by: invite.used_by,
            revoked_at: invite.revoked_at,
        })
        .collect();
    Ok(web::Json(InviteList { invites }))
}

#[utoipa::path(delete, path = "/api/admin/invites/{invite_id}", tag = "admin",
    params(("invite_id" = String, Path, description = "The invite's id")),
    responses((status = 204, description = "Revoked (or already so): the link no longer signs anyone up"),
              (status = 404, body = ApiErrorBody),
              (status = 409, description = "Already used", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
#[tracing::instrument(name = "admin: revoke invite", skip_all, fields(admin = %admin.0.user_id))]
async fn revoke_invite(
    state: web::Data<AppState>,
    admin: AdminUser,
    invite_id: web::Path<InviteId>,
) -> Result<HttpResponse, ApiError> {
    let invite_id = invite_id.into_inner();
    let mut tx = state.db.begin().await?;
    let revoked = db::invites::revoke(&mut tx, invite_id).await?;
    tx.commit().await?;
    match revoked {
        Revoked::Done => {
            tracing::info!(%invite_id, "invite revoked");
            Ok(HttpResponse::NoContent().finish())
        }
        Revoked::AlreadyUsed => Err(ApiError::Conflict(
            "Someone already signed up with this invite.".to_owned(),
        )),
        Revoked::NotFound => Err(ApiError::NotFound),
    }
}
