//! Link sessions of the simulator's Link stand-in (`plaid_sim.link_session`).

use super::error::SimError;
use sqlx::PgPool;

/// A link token as Link reads it.
pub struct LinkTokenRow {
    pub link_token: String,
    /// Update mode: the item being repaired.
    pub item_id: Option<String>,
    pub webhook: Option<String>,
    pub redirect_uri: Option<String>,
    pub days_requested: i32,
    /// Update mode with `update.account_selection_enabled`: Link offers the item's accounts.
    pub account_selection: bool,
}

#[derive(Clone)]
pub struct LinkSession {
    pub link_session_id: String,
    pub link_token: String,
    pub institution_id: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub state: String,
    pub mfa_expected: Option<String>,
    pub mfa_remaining: i32,
    pub item_id: Option<String>,
}

/// A link token that exists and has not expired (Plaid lets sandbox tokens be reused).
pub async fn link_token(db: &PgPool, token: &str) -> Result<LinkTokenRow, SimError> {
    sqlx::query_as!(
        LinkTokenRow,
        "select link_token, item_id, webhook, redirect_uri, days_requested, account_selection
         from plaid_sim.link_token where link_token = $1 and expires_at > now()",
        token
    )
    .fetch_optional(db)
    .await?
    .ok_or_else(SimError::invalid_link_token)
}

pub async fn create(
    db: &PgPool,
    link_token: &str,
    item_id: Option<&str>,
) -> Result<String, SimError> {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query!(
        "insert into plaid_sim.link_session (link_session_id, link_token, item_id) values ($1, $2, $3)",
        id,
        link_token,
        item_id
    )
    .execute(db)
    .await?;
    Ok(id)
}

/// The session, which must belong to `link_token`.
pub async fn get(db: &PgPool, link_token: &str, session_id: &str) -> Result<LinkSession, SimError> {
    sqlx::query_as!(
        LinkSession,
        "select link_session_id, link_token, institution_id, username, password, state,
                mfa_expected, mfa_remaining, item_id
         from plaid_sim.link_session where link_session_id = $1 and link_token = $2",
        session_id,
        link_token
    )
    .fetch_optional(db)
    .await?
    .ok_or_else(|| SimError::invalid_field("link_session_id is not a session of this link token"))
}

pub async fn by_oauth_state(
    db: &PgPool,
    oauth_state_id: &str,
) -> Result<Option<LinkSession>, SimError> {
    Ok(sqlx::query_as!(
        LinkSession,
        "select link_session_id, link_token, institution_id, username, password, state,
                mfa_expected, mfa_remaining, item_id
         from plaid_sim.link_session where oauth_state_id = $1",
        oauth_state_id
    )
    .fetch_optional(db)
    .await?)
}

/// Everything a step may change about a session.
pub struct SessionUpdate<'a> {
    pub state: &'a str,
    pub institution_id: Option<&'a str>,
    pub username: Option<&'a str>,
    pub password: Option<&'a str>,
    pub mfa_expected: Option<&'a str>,
    pub mfa_remaining: i32,
    pub item_id: Option<&'a str>,
    pub oauth_state_id: Option<&'a str>,
}

impl<'a> SessionUpdate<'a> {
    /// Only a new state; everything else stays as it is.
    pub fn state(state: &'a str) -> Self {
        Self {
            state,
            institution_id: None,
            username: None,
            password: None,
            mfa_expected: None,
            mfa_remaining: 0,
            item_id: None,
            oauth_state_id: None,
        }
    }
}

pub async fn update(
    db: &PgPool,
    session_id: &str,
    update: &SessionUpdate<'_>,
) -> Result<(), SimError> {
    sqlx::query!(
        "update plaid_sim.link_session set state = $2,
             institution_id = coalesce($3, institution_id), username = coalesce($4, username),
             password = coalesce($5, password), mfa_expected = $6, mfa_remaining = $7,
             item_id = coalesce($8, item_id), oauth_state_id = coalesce($9, oauth_state_id)
         where link_session_id = $1",
        session_id,
        update.state,
        update.institution_id,
        update.username,
        update.password,
        update.mfa_expected,
        update.mfa_remaining,
        update.item_id,
        update.oauth_state_id
    )
    .execute(db)
    .await?;
    Ok(())
}
