//! `AuthUser`: the signed-in user of a request, or 401. `AdminUser`: the same, or 403.

use super::session::{self, COOKIE_NAME};
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use chrono::Utc;
use std::future::Future;
use std::pin::Pin;
use tally_shared::ids::{SessionId, UserId};

#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user_id: UserId,
    pub username: String,
    pub is_admin: bool,
    pub session_id: SessionId,
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = req.cookie(COOKIE_NAME).map(|c| c.value().to_owned());
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let (Some(token), Some(state)) = (token.filter(|t| !t.is_empty()), state) else {
                return Err(ApiError::Unauthorized);
            };
            let lifetime = state.settings.auth.session_lifetime;
            let found = db::sessions::find(
                &state.db,
                &session::token_hash(&token),
                session::oldest_live_start(lifetime),
            )
            .await
            .map_err(|e| ApiError::Unexpected(e.into()))?
            .ok_or(ApiError::Unauthorized)?;
            if Utc::now() - found.last_seen_at > session::RENEW_AFTER {
                let expires_at = session::expiry(found.created_at, lifetime);
                db::sessions::renew(&state.db, found.session_id, expires_at)
                    .await
                    .map_err(|e| ApiError::Unexpected(e.into()))?;
            }
            Ok(Self {
                user_id: found.user_id,
                username: found.username,
                is_admin: found.is_admin,
                session_id: found.session_id,
            })
        })
    }
}

/// A signed-in administrator.
#[derive(Debug, Clone)]
pub struct AdminUser(pub AuthUser);

impl FromRequest for AdminUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = AuthUser::from_request(req, payload);
        Box::pin(async move {
            let user = user.await?;
            if user.is_admin {
                Ok(Self(user))
            } else {
                Err(ApiError::Forbidden)
            }
        })
    }
}
