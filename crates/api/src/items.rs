//! Linked banks: what the routes, the webhook handler and the sync engine all do with an item.

use crate::crypto::{CipherError, TokenCipher};
use crate::db;
use crate::db::items::{ItemSummary, PlaidItem};
use crate::db::sync_jobs::SyncReason;
use crate::error::ApiError;
use crate::plaid::{ItemAccess, PlaidError};
use crate::state::AppState;
use crate::ws::{EventHub, PublishError};
use secrecy::SecretString;
use sqlx::{Postgres, Transaction};
use tally_shared::api::items::{Item, ItemStatus};
use tally_shared::ids::ItemId;
use tally_shared::ws::ServerEvent;
use uuid::Uuid;

/// The countries whose banks Link offers (Plaid's transactions product covers all of them).
pub const COUNTRY_CODES: &[&str] = &["US", "CA", "GB", "IE", "FR", "ES", "NL", "DE"];

/// Opens the item's access token for one call to Plaid.
pub fn access(cipher: &TokenCipher, item: &PlaidItem) -> Result<ItemAccess, CipherError> {
    Ok(ItemAccess {
        item_id: item.plaid_item_id.clone(),
        access_token: cipher.open(&item.access_token, item.item_id.as_bytes())?,
    })
}

/// Seals an access token for `item_id`'s row: it opens for that row only.
pub fn seal(cipher: &TokenCipher, item_id: Uuid, access_token: &SecretString) -> Vec<u8> {
    cipher.seal(access_token, item_id.as_bytes())
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("this user already linked that institution")]
    Duplicate,
    #[error(transparent)]
    Plaid(#[from] PlaidError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("announcing the new item")]
    Announce(#[from] PublishError),
}

/// Links a bank: claims (user, institution), exchanges the public token, stores the item with
/// its token sealed, tells the owner and queues its first sync — all in one transaction, so a
/// refused duplicate never reaches Plaid and a failed exchange leaves nothing behind.
#[tracing::instrument(skip_all, fields(%user_id, institution_id))]
pub async fn link(
    state: &AppState,
    user_id: Uuid,
    public_token: &SecretString,
    institution_id: &str,
    institution_name: &str,
) -> Result<Uuid, LinkError> {
    let mut tx = state.db.begin().await?;
    let item_id = match db::items::claim(&mut tx, user_id, institution_id, institution_name).await {
        Ok(item_id) => item_id,
        Err(error)
            if db::violated_constraint(&error) == Some("plaid_item_user_institution_key") =>
        {
            return Err(LinkError::Duplicate);
        }
        Err(error) => return Err(error.into()),
    };
    let access = state.plaid.item_public_token_exchange(public_token).await?;
    if let Err(error) = store(state, tx, user_id, item_id, &access).await {
        // Plaid has an item we could not store: remove it there rather than leave it billed.
        if let Err(remove_error) = state.plaid.item_remove(&access).await {
            tracing::error!(error = %remove_error, "an item that could not be stored is left at Plaid");
        }
        return Err(error);
    }
    tracing::info!(%item_id, plaid_item_id = %access.item_id, "bank linked");
    Ok(item_id)
}

/// The rest of `link` once Plaid has the item. The owner's event goes out with the commit, so
/// it reaches them before anything the first sync announces.
async fn store(
    state: &AppState,
    mut tx: Transaction<'_, Postgres>,
    user_id: Uuid,
    item_id: Uuid,
    access: &ItemAccess,
) -> Result<(), LinkError> {
    let sealed = seal(&state.cipher, item_id, &access.access_token);
    db::items::set_exchanged(&mut tx, item_id, &access.item_id, &sealed).await?;
    let added = ServerEvent::ItemAdded {
        item_id: ItemId(item_id),
    };
    EventHub::publish_with(&mut *tx, user_id, added).await?;
    state
        .sync_queue
        .queue_and_commit(tx, item_id, SyncReason::Link)
        .await?;
    Ok(())
}

/// Sets the item's status and, when that changed it, tells the owner.
#[tracing::instrument(skip_all, fields(%item_id, status = status.as_str()))]
pub async fn set_status(
    state: &AppState,
    item_id: Uuid,
    status: ItemStatus,
    error_code: Option<&str>,
) -> Result<(), sqlx::Error> {
    if let Some(user_id) = db::items::set_status(&state.db, item_id, status, error_code).await? {
        let changed = ServerEvent::ItemStatusChanged {
            item_id: ItemId(item_id),
            status,
            error_code: error_code.map(str::to_owned),
        };
        announce(state, user_id, changed).await;
    }
    Ok(())
}

/// Removes the item at Plaid (an item Plaid no longer knows counts as removed) and then here,
/// with everything synced from it.
#[tracing::instrument(skip_all, fields(item_id = %item.item_id))]
pub async fn remove(state: &AppState, item: &PlaidItem) -> Result<(), ApiError> {
    match access(&state.cipher, item) {
        Ok(access) => match state.plaid.item_remove(&access).await {
            Ok(_) => {}
            Err(error) if error.is_item_gone() => {
                tracing::info!(code = ?error.code(), "Plaid had already removed the item");
            }
            Err(error) => return Err(plaid_failure(error)),
        },
        // A token no key opens cannot be used at Plaid either; removing here is all we can do.
        Err(error) => tracing::error!(%error, "removing an item whose token cannot be opened"),
    }
    if db::items::delete(&state.db, item.user_id, item.item_id).await? {
        announce(
            state,
            item.user_id,
            ServerEvent::ItemRemoved {
                item_id: ItemId(item.item_id),
            },
        )
        .await;
    }
    Ok(())
}

/// Removes every item of the user, each at Plaid first. Stops at the first that Plaid cannot
/// remove, so nothing is left linked there unseen.
pub async fn remove_all(state: &AppState, user_id: Uuid) -> Result<(), ApiError> {
    for item in db::items::all_owned(&state.db, user_id).await? {
        remove(state, &item).await?;
    }
    Ok(())
}

/// What `tally rotate-key` did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    /// Re-sealed under the current key.
    pub resealed: usize,
    /// Already under the current key.
    pub current: usize,
    /// Sealed under a key that is neither current nor listed as previous: left as they are.
    pub unreadable: usize,
}

/// Re-seals every access token that is not under the current key, one row at a time (each
/// row's update checks it still holds what was read, so a concurrent link is never undone).
/// Afterwards the previous keys can be dropped from the configuration.
pub async fn rotate_keys(db: &sqlx::PgPool, cipher: &TokenCipher) -> Result<Rotation, sqlx::Error> {
    let mut rotation = Rotation::default();
    for (item_id, sealed) in db::items::all_tokens(db).await? {
        if cipher.is_current(&sealed) {
            rotation.current += 1;
            continue;
        }
        match cipher.open(&sealed, item_id.as_bytes()) {
            Ok(token) => {
                let resealed = seal(cipher, item_id, &token);
                if db::items::replace_token(db, item_id, &sealed, &resealed).await? {
                    rotation.resealed += 1;
                }
            }
            Err(error) => {
                tracing::error!(%item_id, %error, "an access token no configured key opens");
                rotation.unreadable += 1;
            }
        }
    }
    Ok(rotation)
}

/// What a person should hear when Plaid fails a request they made.
pub fn plaid_failure(error: PlaidError) -> ApiError {
    tracing::warn!(%error, "Plaid refused or failed");
    if error.is_retryable() {
        return ApiError::ServiceUnavailable(
            "The bank connection service is not answering right now. Try again in a minute."
                .to_owned(),
        );
    }
    if error.is_login_required() {
        return ApiError::Conflict(
            "The bank wants you to log in again: use “Update login”.".to_owned(),
        );
    }
    let message = match error.code() {
        Some("INVALID_PUBLIC_TOKEN") => {
            "Link's token has expired or was already used. Link the bank again.".to_owned()
        }
        Some(code) => match error.body().and_then(|b| b.display_message.clone()) {
            Some(display) => display,
            None => format!("The bank connection service refused the request ({code})."),
        },
        None => "The bank connection service gave an answer Tally could not read.".to_owned(),
    };
    ApiError::Plaid(message)
}

/// Sends `event` to every browser of `user_id`, on every api process. Call after the commit.
/// Events are best-effort: a browser that misses one catches up on its next fetch.
pub async fn announce(state: &AppState, user_id: Uuid, event: ServerEvent) {
    if let Err(error) = state.events.publish(user_id, event).await {
        tracing::warn!(%error, %user_id, "cannot publish a live event");
    }
}

/// The owner's view of an item.
pub fn to_dto(summary: ItemSummary) -> Item {
    Item {
        id: ItemId(summary.item_id),
        institution_id: summary.institution_id,
        institution_name: summary.institution_name,
        status: ItemStatus::parse(&summary.status).unwrap_or(ItemStatus::Error),
        error_code: summary.error_code,
        last_synced_at: summary.last_synced_at,
        last_webhook_at: summary.last_webhook_at,
        consent_expires_at: summary.consent_expires_at,
        syncing: summary.syncing,
        account_count: summary.account_count,
        created_at: summary.created_at,
    }
}
