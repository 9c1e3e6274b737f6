//! Passkeys (WebAuthn, through webauthn-rs): the relying party, which is `PUBLIC_URL`, and the
//! two ceremonies, registering a passkey and signing in with one alone.
//!
//! A ceremony's state lives in the database, not in this process, so its answer may reach any
//! Tally process sharing it; it lasts [`CEREMONY_LIFETIME`] and the first answer, right or
//! wrong, takes it. Passkeys are discoverable credentials with user verification required, so
//! one is a whole sign-in by itself (something held and something known or been) and never
//! asks for a second factor.

use crate::db;
use crate::db::passkeys::{CeremonyKind, NewCeremony, NewPasskey, StoredPasskey};
use crate::domain::PasskeyName;
use crate::error::ApiError;
use crate::state::AppState;
use chrono::Utc;
use serde::de::DeserializeOwned;
use std::time::Duration;
use tally_shared::api::passkeys::{FinishPasskeyCeremony, Passkey as PasskeyDto, PasskeyCeremony};
use tally_shared::ids::UserId;
use url::Url;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, WebauthnError,
};
use webauthn_rs::{Webauthn, WebauthnBuilder};

/// How long the browser and the person have to answer a ceremony.
pub const CEREMONY_LIFETIME: Duration = Duration::from_secs(300);
/// How many passkeys one person may have.
pub const PASSKEYS_PER_USER: u32 = 10;

const UNKNOWN_CEREMONY: &str = "This passkey request is unknown or was already used. Start again.";
const EXPIRED_CEREMONY: &str =
    "This passkey request has expired (it lasts five minutes). Start again.";

/// The relying party: `PUBLIC_URL`'s host is the passkeys' scope (their RP ID), and its origin
/// the only page that may use them. An IP address cannot scope a passkey.
pub fn relying_party(public_url: &Url) -> Result<Webauthn, ApiError> {
    let unavailable = || {
        ApiError::Conflict(format!(
            "Passkeys need Tally to be reached by a domain name over https (or at localhost), \
             and PUBLIC_URL is {}. Ask your administrator to set PUBLIC_URL.",
            public_url.origin().ascii_serialization()
        ))
    };
    let host = public_url.domain().ok_or_else(unavailable)?;
    WebauthnBuilder::new(host, public_url)
        .and_then(|builder| builder.rp_name("Tally").timeout(CEREMONY_LIFETIME).build())
        .map_err(|error| {
            tracing::warn!(%error, "PUBLIC_URL cannot be a WebAuthn relying party");
            unavailable()
        })
}

/// Starts registering a passkey named `name` for the signed-in person.
pub async fn start_registration(
    state: &AppState,
    user_id: UserId,
    username: &str,
    name: &PasskeyName,
) -> Result<PasskeyCeremony, ApiError> {
    let rp = relying_party(&state.settings.server.public_url)?;
    let existing = db::passkeys::list_for_user(&state.db, user_id).await?;
    refuse_over_cap(existing.len())?;
    if existing.iter().any(|passkey| passkey.name == name.as_str()) {
        return Err(duplicate_name(name));
    }
    // The person's other passkeys are excluded: one authenticator holds one of their passkeys.
    let exclude = db::passkeys::credential_ids_of_user(&state.db, user_id).await?;
    let (challenge, registration) = rp
        .start_passkey_registration(user_id.0, username, username, Some(exclude))
        .map_err(unexpected)?;
    let mut options = to_json(&challenge)?;
    // A passkey that can sign in without a username must live on the authenticator
    // (a discoverable credential); webauthn-rs leaves that to the authenticator.
    if let Some(selection) = options.pointer_mut("/publicKey/authenticatorSelection") {
        selection["residentKey"] = "required".into();
        selection["requireResidentKey"] = true.into();
    }
    let ceremony = db::passkeys::insert_ceremony(
        &state.db,
        &NewCeremony {
            kind: CeremonyKind::Registration,
            user_id: Some(user_id),
            passkey_name: Some(name.as_str()),
            state: to_json(&registration)?,
            expires_at: expiry(),
        },
    )
    .await?;
    Ok(PasskeyCeremony { ceremony, options })
}

/// Checks the authenticator's answer to a registration and keeps the new passkey.
pub async fn finish_registration(
    state: &AppState,
    user_id: UserId,
    finish: FinishPasskeyCeremony,
) -> Result<PasskeyDto, ApiError> {
    let rp = relying_party(&state.settings.server.public_url)?;
    let taken = take(
        state,
        finish.ceremony,
        CeremonyKind::Registration,
        Some(user_id),
    )
    .await?;
    let registration: PasskeyRegistration = from_stored(taken.state)?;
    let name = taken
        .passkey_name
        .as_deref()
        .map(PasskeyName::parse)
        .transpose()
        .map_err(|message| ApiError::Unexpected(anyhow::anyhow!(message)))?
        .ok_or_else(|| ApiError::Unexpected(anyhow::anyhow!("a registration without a name")))?;
    let answer: RegisterPublicKeyCredential = from_browser(finish.credential)?;
    let passkey = rp
        .finish_passkey_registration(&answer, &registration)
        .map_err(refused)?;
    let mut tx = state.db.begin().await?;
    db::passkeys::lock_for_user(&mut tx, user_id).await?;
    let count = db::passkeys::count_for_user(&mut *tx, user_id).await?;
    refuse_over_cap(usize::try_from(count).unwrap_or(usize::MAX))?;
    let stored = db::passkeys::insert(
        &mut *tx,
        &NewPasskey {
            user_id,
            credential_id: passkey.cred_id().as_ref(),
            name: name.as_str(),
            credential: to_json(&passkey)?,
        },
    )
    .await
    .map_err(|error| match db::violated_constraint(&error) {
        Some("passkey_credential_id_key") => ApiError::Conflict(
            "That passkey is already registered with Tally. Use another authenticator.".to_owned(),
        ),
        Some("passkey_user_name_key") => duplicate_name(&name),
        _ => error.into(),
    })?;
    tx.commit().await?;
    tracing::info!(passkey_id = %stored.passkey_id, "passkey registered");
    Ok(PasskeyDto {
        id: stored.passkey_id,
        name: stored.name,
        created_at: stored.created_at,
        last_used_at: stored.last_used_at,
    })
}

/// Starts a sign-in with whichever of this site's passkeys the person picks.
pub async fn start_sign_in(state: &AppState) -> Result<PasskeyCeremony, ApiError> {
    let rp = relying_party(&state.settings.server.public_url)?;
    let (mut challenge, authentication) =
        rp.start_discoverable_authentication().map_err(unexpected)?;
    // webauthn-rs asks for the autofill prompt (conditional mediation); Tally's button asks at
    // once, in the browser's own dialog.
    challenge.mediation = None;
    let ceremony = db::passkeys::insert_ceremony(
        &state.db,
        &NewCeremony {
            kind: CeremonyKind::SignIn,
            user_id: None,
            passkey_name: None,
            state: to_json(&authentication)?,
            expires_at: expiry(),
        },
    )
    .await?;
    Ok(PasskeyCeremony {
        ceremony,
        options: to_json(&challenge)?,
    })
}

/// Checks the authenticator's answer to a sign-in and returns whose passkey signed it, after
/// recording its use.
pub async fn finish_sign_in(
    state: &AppState,
    finish: FinishPasskeyCeremony,
) -> Result<StoredPasskey, ApiError> {
    let rp = relying_party(&state.settings.server.public_url)?;
    let taken = take(state, finish.ceremony, CeremonyKind::SignIn, None).await?;
    let authentication: DiscoverableAuthentication = from_stored(taken.state)?;
    let answer: PublicKeyCredential = from_browser(finish.credential)?;
    let (user_handle, credential_id) = rp
        .identify_discoverable_authentication(&answer)
        .map_err(refused)?;
    let not_registered = || {
        ApiError::BadRequest(
            "That passkey is not registered with Tally (it may have been removed). \
             Sign in with your password."
                .to_owned(),
        )
    };
    let stored = db::passkeys::by_credential_id(&state.db, credential_id)
        .await?
        .filter(|stored| stored.user_id.0 == user_handle)
        .ok_or_else(not_registered)?;
    let mut passkey: Passkey = from_stored(stored.credential.clone())?;
    let result = rp
        .finish_discoverable_authentication_v2(&answer, authentication, &passkey)
        .map_err(refused)?;
    passkey.update_credential(&result);
    db::passkeys::record_use(&state.db, stored.passkey_id, to_json(&passkey)?).await?;
    tracing::info!(passkey_id = %stored.passkey_id, user_id = %stored.user_id, "signed in with a passkey");
    Ok(stored)
}

/// Takes the ceremony an answer names: each works once, and only while it lasts.
async fn take(
    state: &AppState,
    ceremony: uuid::Uuid,
    kind: CeremonyKind,
    user_id: Option<UserId>,
) -> Result<db::passkeys::TakenCeremony, ApiError> {
    let taken = db::passkeys::take_ceremony(&state.db, ceremony, kind, user_id)
        .await?
        .ok_or_else(|| ApiError::BadRequest(UNKNOWN_CEREMONY.to_owned()))?;
    if taken.expires_at <= Utc::now() {
        return Err(ApiError::BadRequest(EXPIRED_CEREMONY.to_owned()));
    }
    Ok(taken)
}

fn refuse_over_cap(count: usize) -> Result<(), ApiError> {
    if count >= usize::try_from(PASSKEYS_PER_USER).unwrap_or(usize::MAX) {
        return Err(ApiError::Conflict(format!(
            "You have {PASSKEYS_PER_USER} passkeys, the most one person may have. \
             Remove one to add another."
        )));
    }
    Ok(())
}

fn duplicate_name(name: &PasskeyName) -> ApiError {
    ApiError::Conflict(format!(
        "You already have a passkey named “{name}”. Choose another name."
    ))
}

fn expiry() -> chrono::DateTime<Utc> {
    let lifetime = chrono::Duration::from_std(CEREMONY_LIFETIME).unwrap_or(chrono::Duration::MAX);
    Utc::now() + lifetime
}

/// An answer from the browser that is not WebAuthn's JSON at all.
fn from_browser<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|error| {
        ApiError::BadRequest(format!(
            "The passkey's answer is not a WebAuthn credential: {error}"
        ))
    })
}

/// The authenticator's answer did not hold up: a forged or mangled response, another site's,
/// an unverified user, or a cloned authenticator.
fn refused(error: WebauthnError) -> ApiError {
    tracing::info!(%error, "passkey answer refused");
    let reason = match error {
        WebauthnError::InvalidRPOrigin | WebauthnError::InvalidRPIDHash => {
            "it was made for another site"
        }
        WebauthnError::MismatchedChallenge => "it answers another request",
        WebauthnError::UserNotVerified => {
            "the authenticator did not verify you (with a PIN, fingerprint or face)"
        }
        WebauthnError::CredentialPossibleCompromise => {
            "its signature counter went backwards, which a copied authenticator does"
        }
        WebauthnError::InvalidUserUniqueId => "it does not say whose passkey it is",
        _ => "its data or signature does not check out",
    };
    ApiError::BadRequest(format!("The passkey's answer was refused: {reason}."))
}

fn from_stored<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|error| ApiError::Unexpected(error.into()))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(|error| ApiError::Unexpected(error.into()))
}

fn unexpected(error: WebauthnError) -> ApiError {
    ApiError::Unexpected(error.into())
}
