//! The endpoints behind the Link stand-in (`assets/link-initialize.js`): choosing a bank,
//! logging in, MFA, OAuth, choosing accounts. See `assets/README.md` for the contract.
//!
//! Real Link runs in Plaid's iframe, so its failed requests never reach the app's console.
//! These answers are therefore always HTTP 200, with Plaid's error object when a step fails.

use super::items::item_json;
use super::Sim;
use crate::simulator::error::SimError;
use crate::simulator::institutions::{self, SimInstitution};
use crate::simulator::sessions::{self, LinkSession, LinkTokenRow, SessionUpdate};
use crate::simulator::users::{self, Mfa};
use crate::simulator::{ids, new_accounts, store};
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

fn respond(result: Result<Value, SimError>) -> HttpResponse {
    let mut body = match result {
        Ok(body) => body,
        Err(error) => return HttpResponse::Ok().json(error.body()),
    };
    body["request_id"] = Value::from(ids::request_id());
    HttpResponse::Ok().json(body)
}

fn institution_json(institution: &SimInstitution) -> Value {
    json!({
        "institution_id": institution.id,
        "name": institution.name,
        "oauth": institution.oauth,
        "primary_color": institution.primary_color,
        "logo": institution.logo(),
        "url": "https://plaid.com",
    })
}

fn institution_of(id: Option<&str>) -> Result<&'static SimInstitution, SimError> {
    id.and_then(institutions::find)
        .ok_or_else(SimError::invalid_institution)
}

#[derive(Deserialize)]
pub struct SessionStart {
    link_token: String,
}

pub async fn start_session(sim: Sim, body: web::Json<SessionStart>) -> HttpResponse {
    respond(start(&sim, &body.link_token).await)
}

async fn start(sim: &Sim, link_token: &str) -> Result<Value, SimError> {
    let token = sessions::link_token(&sim.db, link_token).await?;
    let session_id = sessions::create(&sim.db, &token.link_token, token.item_id.as_deref()).await?;
    if let (Some(item_id), true) = (token.item_id.as_deref(), token.account_selection) {
        return choose_accounts(sim, &token.link_token, &session_id, item_id).await;
    }
    let institution = match token.item_id.as_deref() {
        Some(item_id) => {
            let item = store::item_by_id(&sim.db, item_id).await?;
            Some(institution_json(institution_of(Some(
                &item.institution_id,
            ))?))
        }
        None => None,
    };
    Ok(json!({
        "link_session_id": session_id,
        "mode": if token.item_id.is_some() { "update" } else { "new" },
        "institution": institution,
    }))
}

/// Update mode with account selection: no login, straight to the accounts, the item's own
/// chosen already and those the bank has opened since offered beside them.
async fn choose_accounts(
    sim: &Sim,
    link_token: &str,
    session_id: &str,
    item_id: &str,
) -> Result<Value, SimError> {
    let item = store::item_by_id(&sim.db, item_id).await?;
    let institution = institution_of(Some(&item.institution_id))?;
    let mut accounts = link_accounts(sim, item_id).await?;
    for account in &mut accounts {
        account["selected"] = Value::Bool(true);
    }
    accounts.extend(
        new_accounts::offered(&sim.db, item_id)
            .await?
            .into_iter()
            .map(|a| {
                json!({
                    "id": a.account_id,
                    "name": a.name,
                    "mask": a.mask,
                    "type": a.account_type,
                    "subtype": a.subtype,
                    "selected": false,
                })
            }),
    );
    let session = sessions::get(&sim.db, link_token, session_id).await?;
    set_state(sim, &session, "accounts", Some(item_id)).await?;
    Ok(json!({
        "link_session_id": session_id,
        "mode": "update",
        "institution": institution_json(institution),
        "next": "select_accounts",
        "accounts": accounts,
    }))
}

#[derive(Deserialize)]
pub struct InstitutionQuery {
    #[serde(default)]
    query: String,
}

pub async fn list_institutions(query: web::Query<InstitutionQuery>) -> HttpResponse {
    let found: Vec<Value> = institutions::search(&query.query)
        .map(institution_json)
        .collect();
    respond(Ok(json!({ "institutions": found })))
}

#[derive(Deserialize)]
pub struct Credentials {
    link_token: String,
    link_session_id: String,
    institution_id: String,
    username: String,
    password: String,
}

pub async fn submit_credentials(sim: Sim, body: web::Json<Credentials>) -> HttpResponse {
    respond(credentials(&sim, &body).await)
}

async fn credentials(sim: &Sim, body: &Credentials) -> Result<Value, SimError> {
    let token = sessions::link_token(&sim.db, &body.link_token).await?;
    let session = sessions::get(&sim.db, &token.link_token, &body.link_session_id).await?;
    institution_of(Some(&body.institution_id))?;
    users::log_in(&body.username, &body.password)?;
    let mut update = SessionUpdate {
        state: "mfa",
        institution_id: Some(&body.institution_id),
        username: Some(&body.username),
        password: Some(&body.password),
        mfa_expected: None,
        mfa_remaining: 0,
        item_id: None,
        oauth_state_id: None,
    };
    if let Some(mfa) = Mfa::for_password(&body.password) {
        let (prompt, expected) = mfa.prompt(0);
        update.mfa_expected = Some(&expected);
        update.mfa_remaining = i32::try_from(mfa.rounds).unwrap_or(1);
        sessions::update(&sim.db, &session.link_session_id, &update).await?;
        return Ok(json!({ "next": "mfa", "mfa_type": mfa.kind, "prompt": prompt }));
    }
    sessions::update(&sim.db, &session.link_session_id, &update).await?;
    let session = sessions::get(&sim.db, &token.link_token, &body.link_session_id).await?;
    logged_in(sim, &token, &session).await
}

#[derive(Deserialize)]
pub struct MfaAnswer {
    link_token: String,
    link_session_id: String,
    answer: String,
}

pub async fn submit_mfa(sim: Sim, body: web::Json<MfaAnswer>) -> HttpResponse {
    respond(mfa(&sim, &body).await)
}

async fn mfa(sim: &Sim, body: &MfaAnswer) -> Result<Value, SimError> {
    let token = sessions::link_token(&sim.db, &body.link_token).await?;
    let session = sessions::get(&sim.db, &token.link_token, &body.link_session_id).await?;
    let (Some(expected), Some(password)) =
        (session.mfa_expected.as_deref(), session.password.as_deref())
    else {
        return Err(SimError::invalid_field(
            "this session is not waiting for an MFA answer",
        ));
    };
    if body.answer.trim() != expected {
        return Err(SimError::invalid_mfa());
    }
    let remaining = session.mfa_remaining - 1;
    if remaining > 0 {
        let mfa = Mfa::for_password(password).ok_or_else(SimError::invalid_mfa)?;
        let asked = u32::try_from(i64::from(mfa.rounds) - i64::from(remaining)).unwrap_or(0);
        let (prompt, next_expected) = mfa.prompt(asked);
        sessions::update(
            &sim.db,
            &session.link_session_id,
            &SessionUpdate {
                mfa_expected: Some(&next_expected),
                mfa_remaining: remaining,
                ..SessionUpdate::state("mfa")
            },
        )
        .await?;
        return Ok(json!({ "next": "mfa", "mfa_type": mfa.kind, "prompt": prompt }));
    }
    logged_in(sim, &token, &session).await
}

/// The bank accepted the login: repair the item (update mode) or create it and offer its
/// accounts (new item).
async fn logged_in(
    sim: &Sim,
    token: &LinkTokenRow,
    session: &LinkSession,
) -> Result<Value, SimError> {
    if let Some(item_id) = token.item_id.as_deref() {
        return repaired(sim, session, item_id).await;
    }
    let institution = institution_of(session.institution_id.as_deref())?;
    let username = session.username.as_deref().unwrap_or("user_good");
    let password = session.password.as_deref().unwrap_or("pass_good");
    let user = users::log_in(username, password)?;
    let (item_id, _) = store::create_item(
        &sim.db,
        store::NewItem {
            institution,
            username,
            password,
            user: &user,
            webhook: token.webhook.as_deref(),
            days_requested: u32::try_from(token.days_requested).unwrap_or(90),
        },
    )
    .await?;
    set_state(sim, session, "accounts", Some(&item_id)).await?;
    Ok(json!({ "next": "select_accounts", "accounts": link_accounts(sim, &item_id).await? }))
}

/// Update mode succeeded: the item works again; a fresh public token for it closes Link.
async fn repaired(sim: &Sim, session: &LinkSession, item_id: &str) -> Result<Value, SimError> {
    store::set_login_required(&sim.db, item_id, false).await?;
    let item = store::item_by_id(&sim.db, item_id).await?;
    if let Some(url) = item.webhook.as_deref() {
        sim.webhooks
            .send(url, item_id, "ITEM", "LOGIN_REPAIRED", json!({}));
    }
    let public_token = ids::token("public");
    store::insert_public_token(&sim.db, &public_token, item_id).await?;
    set_state(sim, session, "done", Some(item_id)).await?;
    Ok(json!({
        "next": "done",
        "public_token": public_token,
        "accounts": link_accounts(sim, item_id).await?,
    }))
}

async fn set_state(
    sim: &Sim,
    session: &LinkSession,
    state: &str,
    item_id: Option<&str>,
) -> Result<(), SimError> {
    sessions::update(
        &sim.db,
        &session.link_session_id,
        &SessionUpdate {
            item_id,
            ..SessionUpdate::state(state)
        },
    )
    .await
}

async fn link_accounts(sim: &Sim, item_id: &str) -> Result<Vec<Value>, SimError> {
    Ok(store::accounts(&sim.db, item_id)
        .await?
        .iter()
        .map(|account| {
            json!({
                "id": account.account_id,
                "name": account.name,
                "mask": account.mask,
                "type": account.account_type,
                "subtype": account.subtype,
            })
        })
        .collect())
}

#[derive(Deserialize)]
pub struct OAuthStart {
    link_token: String,
    link_session_id: String,
    institution_id: String,
}

pub async fn start_oauth(sim: Sim, body: web::Json<OAuthStart>) -> HttpResponse {
    respond(oauth_start(&sim, &body).await)
}

async fn oauth_start(sim: &Sim, body: &OAuthStart) -> Result<Value, SimError> {
    let token = sessions::link_token(&sim.db, &body.link_token).await?;
    let session = sessions::get(&sim.db, &token.link_token, &body.link_session_id).await?;
    let institution = institution_of(Some(&body.institution_id))?;
    if !institution.oauth {
        return Err(SimError::invalid_field(
            "this institution does not use OAuth",
        ));
    }
    if token.redirect_uri.is_none() {
        return Err(SimError::invalid_field(
            "OAuth institutions need a link token created with a redirect_uri",
        ));
    }
    let state_id = uuid::Uuid::new_v4().to_string();
    sessions::update(
        &sim.db,
        &session.link_session_id,
        &SessionUpdate {
            institution_id: Some(institution.id),
            oauth_state_id: Some(&state_id),
            ..SessionUpdate::state("oauth")
        },
    )
    .await?;
    Ok(
        json!({ "oauth_url": format!("{}/oauth/authorize?oauth_state_id={state_id}", crate::config::SIMULATOR_MOUNT) }),
    )
}

#[derive(Deserialize)]
pub struct OAuthResume {
    link_token: String,
    received_redirect_uri: String,
}

pub async fn resume_oauth(sim: Sim, body: web::Json<OAuthResume>) -> HttpResponse {
    respond(oauth_resume(&sim, &body).await)
}

async fn oauth_resume(sim: &Sim, body: &OAuthResume) -> Result<Value, SimError> {
    let token = sessions::link_token(&sim.db, &body.link_token).await?;
    let state_id = url::Url::parse(&body.received_redirect_uri)
        .ok()
        .and_then(|url| {
            url.query_pairs()
                .find(|(k, _)| k == "oauth_state_id")
                .map(|(_, v)| v.into_owned())
        })
        .ok_or_else(|| {
            SimError::oauth(
                "OAUTH_STATE_ID_NOT_FOUND",
                "the redirect URI carries no oauth_state_id",
            )
        })?;
    let session = sessions::by_oauth_state(&sim.db, &state_id)
        .await?
        .ok_or_else(|| SimError::oauth("OAUTH_STATE_ID_NOT_FOUND", "oauth_state_id not found"))?;
    if session.link_token != token.link_token {
        return Err(SimError::oauth(
            "INCORRECT_LINK_TOKEN",
            "the link token does not match the one the OAuth flow began with",
        ));
    }
    let institution = institution_of(session.institution_id.as_deref())?;
    match session.state.as_str() {
        "oauth_authorized" => {}
        "oauth_denied" => {
            return Err(SimError::oauth(
                "OAUTH_CONSENT_DENIED",
                "the user did not authorize access at the bank",
            ))
        }
        "oauth" => {
            return Err(SimError::oauth(
                "OAUTH_STATE_ID_NOT_FOUND",
                "the bank has not answered this OAuth request",
            ))
        }
        _ => {
            return Err(SimError::oauth(
                "OAUTH_STATE_ID_ALREADY_PROCESSED",
                "this OAuth request was already completed",
            ))
        }
    }
    let mut answer = logged_in(sim, &token, &session).await?;
    answer["link_session_id"] = Value::from(session.link_session_id.as_str());
    answer["institution"] = institution_json(institution);
    Ok(answer)
}

#[derive(Deserialize)]
pub struct Complete {
    link_token: String,
    link_session_id: String,
    account_ids: Vec<String>,
}

pub async fn complete(sim: Sim, body: web::Json<Complete>) -> HttpResponse {
    respond(finish(&sim, &body).await)
}

async fn finish(sim: &Sim, body: &Complete) -> Result<Value, SimError> {
    let token = sessions::link_token(&sim.db, &body.link_token).await?;
    let session = sessions::get(&sim.db, &token.link_token, &body.link_session_id).await?;
    let (Some(item_id), "accounts") = (session.item_id.as_deref(), session.state.as_str()) else {
        return Err(SimError::invalid_field(
            "this session has no accounts to choose from",
        ));
    };
    if body.account_ids.is_empty() {
        return Err(SimError::invalid_field("choose at least one account"));
    }
    let accounts = store::accounts(&sim.db, item_id).await?;
    let offered = match token.item_id {
        Some(_) => new_accounts::offered(&sim.db, item_id).await?,
        None => Vec::new(),
    };
    if let Some(unknown) = body.account_ids.iter().find(|id| {
        !accounts.iter().any(|a| &a.account_id == *id)
            && !offered.iter().any(|a| &a.account_id == *id)
    }) {
        return Err(SimError::invalid_account_id(unknown));
    }
    if token.item_id.is_some() {
        // Update mode: the chosen new accounts join the item; its own stay as they are.
        new_accounts::share(&sim.db, item_id, &body.account_ids).await?;
    } else {
        store::keep_accounts(&sim.db, item_id, &body.account_ids).await?;
    }
    let public_token = ids::token("public");
    store::insert_public_token(&sim.db, &public_token, item_id).await?;
    set_state(sim, &session, "done", None).await?;
    let item = store::item_by_id(&sim.db, item_id).await?;
    let institution = institution_of(Some(&item.institution_id))?;
    Ok(json!({
        "public_token": public_token,
        "accounts": link_accounts(sim, item_id).await?,
        "institution": { "institution_id": institution.id, "name": institution.name },
        "item": item_json(&item),
    }))
}

#[derive(Deserialize)]
pub struct Exit {
    link_token: String,
    link_session_id: String,
}

/// Link closed without success: an item created for this session is abandoned.
pub async fn exit(sim: Sim, body: web::Json<Exit>) -> HttpResponse {
    let result = async {
        let session = sessions::get(&sim.db, &body.link_token, &body.link_session_id).await?;
        let token = sessions::link_token(&sim.db, &body.link_token).await?;
        if let (Some(item_id), None, false) = (
            session.item_id.as_deref(),
            token.item_id.as_deref(),
            session.state == "done",
        ) {
            store::remove_item(&sim.db, item_id).await?;
        }
        set_state(&sim, &session, "exited", None).await?;
        Ok(json!({}))
    }
    .await;
    respond(result)
}
