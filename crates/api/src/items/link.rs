//! Linking a bank and removing one: at Plaid and here, in the order that leaves nothing behind.

use super::access_token::{access, seal};
use crate::db;
use crate::db::items::PlaidItem;
use crate::db::sync_jobs::SyncReason;
use crate::error::ApiError;
use crate::plaid::{ItemAccess, PlaidError};
use crate::state::AppState;
use crate::ws::{EventHub, PublishError};
use secrecy::SecretString;
use sqlx::{Postgres, Transaction};
use tally_shared::ids::{ItemId, UserId};
use tally_shared::ws::ServerEvent;

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("this user already linked that institution")]
    Duplicate { institution_name: String },
    #[error(transparent)]
    Plaid(#[from] PlaidError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("announcing the new item")]
    Announce(#[from] PublishError),
}

/// Links a bank: claims (user, institution), exchanges the public token, confirms the bank with
/// Plaid, stores the item with its token sealed, tells the owner and queues its first sync — all
/// in one transaction, so a refused duplicate never reaches Plaid and a failed exchange leaves
/// nothing behind. The claim is the client's word; the bank Plaid reports after the exchange is
/// claimed too, so a client naming another bank cannot link the same one twice (that item is
/// removed at Plaid again).
#[tracing::instrument(skip_all, fields(%user_id, institution_id))]
pub async fn link(
    state: &AppState,
    user_id: UserId,
    public_token: &SecretString,
    institution_id: &str,
    institution_name: &str,
) -> Result<ItemId, LinkError> {
    let mut tx = state.db.begin().await?;
    let item_id = match db::items::claim(&mut tx, user_id, institution_id, institution_name).await {
        Ok(item_id) => item_id,
        Err(error)
            if db::violated_constraint(&error) == Some("plaid_item_user_institution_key") =>
        {
            return Err(LinkError::Duplicate {
                institution_name: institution_name.to_owned(),
            });
        }
        Err(error) => return Err(error.into()),
    };
    let access = state.plaid.item_public_token_exchange(public_token).await?;
    let confirmed = confirm_institution(state, &mut tx, item_id, institution_id, &access).await;
    let stored = match confirmed {
        Ok(()) => store(state, tx, user_id, item_id, &access).await,
        Err(error) => Err(error),
    };
    if let Err(error) = stored {
        // Plaid has an item we could not store: remove it there rather than leave it billed.
        if let Err(remove_error) = state.plaid.item_remove(&access).await {
            tracing::error!(error = %remove_error, "an item that could not be stored is left at Plaid");
        }
        return Err(error);
    }
    tracing::info!(%item_id, plaid_item_id = %access.item_id, "bank linked");
    Ok(item_id)
}

/// Claims the bank Plaid says the item is at, when Link named another: a second item at a bank
/// the user already has fails on the same constraint as `claim`.
async fn confirm_institution(
    state: &AppState,
    tx: &mut Transaction<'_, Postgres>,
    item_id: ItemId,
    claimed: &str,
    access: &ItemAccess,
) -> Result<(), LinkError> {
    let reported = state.plaid.item_get(access).await?.item;
    let Some(reported_id) = reported.institution_id.filter(|id| id != claimed) else {
        return Ok(());
    };
    tracing::warn!(claimed, reported = %reported_id, "Link named another bank than the item's");
    let name = reported
        .institution_name
        .unwrap_or_else(|| reported_id.clone());
    match db::items::set_institution(tx, item_id, &reported_id, &name).await {
        Ok(()) => Ok(()),
        Err(error)
            if db::violated_constraint(&error) == Some("plaid_item_user_institution_key") =>
        {
            Err(LinkError::Duplicate {
                institution_name: name,
            })
        }
        Err(error) => Err(error.into()),
    }
}

/// The rest of `link` once Plaid has the item. The owner's event goes out with the commit, so
/// it reaches them before anything the first sync announces.
async fn store(
    state: &AppState,
    mut tx: Transaction<'_, Postgres>,
    user_id: UserId,
    item_id: ItemId,
    access: &ItemAccess,
) -> Result<(), LinkError> {
    let sealed = seal(&state.cipher, item_id, &access.access_token);
    db::items::set_exchanged(&mut tx, item_id, &access.item_id, &sealed).await?;
    let added = ServerEvent::ItemAdded { item_id };
    EventHub::publish_with(&mut *tx, user_id, added).await?;
    state
        .sync_queue
        .queue_and_commit(tx, item_id, SyncReason::Link)
        .await?;
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
            Err(error) => return Err(error.into()),
        },
        // A token no key opens cannot be used at Plaid either; removing here is all we can do.
        Err(error) => tracing::error!(%error, "removing an item whose token cannot be opened"),
    }
    if db::items::delete(&state.db, item.user_id, item.item_id).await? {
        db::spending::compact(&state.db, item.user_id).await?;
        let removed = ServerEvent::ItemRemoved {
            item_id: item.item_id,
        };
        state.events.announce(item.user_id, removed).await;
    }
    Ok(())
}

/// Removes every item of the user, each at Plaid first. Stops at the first that Plaid cannot
/// remove, so nothing is left linked there unseen.
pub async fn remove_all(state: &AppState, user_id: UserId) -> Result<(), ApiError> {
    for item in db::items::all_owned(&state.db, user_id).await? {
        remove(state, &item).await?;
    }
    Ok(())
}
