//! The simulated bank's own OAuth consent page, where OAuth institutions send people to log in.
//! "Authorize" or "Cancel" sends the browser back to the link token's `redirect_uri`.

use super::Sim;
use crate::simulator::error::SimError;
use crate::simulator::institutions;
use crate::simulator::sessions::{self, SessionUpdate};
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Consent {
    oauth_state_id: String,
}

pub async fn consent_page(sim: Sim, query: web::Query<Consent>) -> Result<HttpResponse, SimError> {
    let session = sessions::by_oauth_state(&sim.db, &query.oauth_state_id)
        .await?
        .filter(|session| session.state == "oauth")
        .ok_or_else(|| SimError::oauth("OAUTH_STATE_ID_NOT_FOUND", "oauth_state_id not found"))?;
    let institution = session
        .institution_id
        .as_deref()
        .and_then(institutions::find)
        .ok_or_else(SimError::invalid_institution)?;
    let name = escape(institution.name);
    let state = escape(&query.oauth_state_id);
    let page = format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name} · Authorize access</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{mount}/oauth.css">
</head>
<body>
<div class="bank-consent">
  <header style="background: {color}">{name}</header>
  <main>
    <h1>Share your accounts with Tally?</h1>
    <p>Tally is asking {name} for read-only access to:</p>
    <ul><li>Account names, numbers and balances</li><li>Transaction history</li></ul>
    <form method="post" action="{mount}/oauth/decision">
      <input type="hidden" name="oauth_state_id" value="{state}">
      <div class="actions">
        <button type="submit" name="decision" value="cancel">Cancel</button>
        <button type="submit" name="decision" value="authorize">Authorize</button>
      </div>
    </form>
    <p class="note">Simulated bank: no real login happens here.</p>
  </main>
</div>
</body>
</html>"#,
        mount = crate::config::SIMULATOR_MOUNT,
        color = institution.primary_color,
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(page))
}

#[derive(Deserialize)]
pub struct Decision {
    oauth_state_id: String,
    decision: String,
}

pub async fn decide(sim: Sim, form: web::Form<Decision>) -> Result<HttpResponse, SimError> {
    let session = sessions::by_oauth_state(&sim.db, &form.oauth_state_id)
        .await?
        .filter(|session| session.state == "oauth")
        .ok_or_else(|| {
            SimError::oauth(
                "OAUTH_STATE_ID_ALREADY_PROCESSED",
                "this OAuth request was already answered",
            )
        })?;
    let token = sessions::link_token(&sim.db, &session.link_token).await?;
    let redirect_uri = token
        .redirect_uri
        .ok_or_else(|| SimError::invalid_field("the link token has no redirect_uri"))?;
    // Checked when the link token was made; checked again in case PUBLIC_URL changed since.
    let mut back = sim.targets.check_redirect("redirect_uri", &redirect_uri)?;
    let state = if form.decision == "authorize" {
        "oauth_authorized"
    } else {
        "oauth_denied"
    };
    sessions::update(
        &sim.db,
        &session.link_session_id,
        &SessionUpdate::state(state),
    )
    .await?;
    back.query_pairs_mut()
        .append_pair("oauth_state_id", &form.oauth_state_id);
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, back.as_str()))
        .finish())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
