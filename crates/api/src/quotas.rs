//! Per-user caps on what costs this server or Plaid: CSV exports running at once, link tokens
//! and Plaid-billed refreshes per hour. In memory, per process, like the log-in limits; the cap
//! on manual assets is kept by the database (`db::assets::insert_within`).

use crate::auth::limits::{forget_idle, seconds_until};
use crate::error::ApiError;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::hash::Hash;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use tally_shared::ids::{ItemId, UserId};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// CSV exports one person may run at once.
pub const EXPORTS_PER_USER: usize = 2;
/// CSV exports running at once on this server, everyone's together.
pub const EXPORTS_IN_ALL: usize = 4;
/// Manual assets one person may keep.
pub const ASSETS_PER_USER: i64 = 200;
/// Link tokens one person may ask for in an hour (each opens Link once; a person linking or
/// repairing a few banks needs a handful).
pub const LINK_TOKENS_PER_HOUR: NonZeroU32 = NonZeroU32::MIN.saturating_add(29);
/// `/transactions/refresh` calls per bank per hour: Plaid bills each one.
pub const REFRESHES_PER_ITEM_PER_HOUR: NonZeroU32 = NonZeroU32::MIN.saturating_add(2);

pub struct Quotas {
    exports: Arc<ExportSlots>,
    link_tokens: DefaultKeyedRateLimiter<UserId>,
    refreshes: DefaultKeyedRateLimiter<ItemId>,
}

impl Default for Quotas {
    fn default() -> Self {
        Self {
            exports: Arc::new(ExportSlots {
                in_all: Arc::new(Semaphore::new(EXPORTS_IN_ALL)),
                per_user: Mutex::new(HashMap::new()),
            }),
            link_tokens: RateLimiter::keyed(Quota::per_hour(LINK_TOKENS_PER_HOUR)),
            refreshes: RateLimiter::keyed(Quota::per_hour(REFRESHES_PER_ITEM_PER_HOUR)),
        }
    }
}

impl Quotas {
    /// A place for one more export of `user_id`'s, held until the export ends.
    pub fn export(&self, user_id: UserId) -> Result<ExportSlot, ApiError> {
        ExportSlots::take(&self.exports, user_id)
    }

    pub fn link_token(&self, user_id: UserId) -> Result<(), ApiError> {
        hourly(
            &self.link_tokens,
            &user_id,
            "You have asked for many Link sessions in the last hour",
        )
    }

    pub fn refresh(&self, item_id: ItemId) -> Result<(), ApiError> {
        hourly(
            &self.refreshes,
            &item_id,
            "This bank was refreshed several times in the last hour",
        )
    }
}

fn hourly<K: Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
    what: &str,
) -> Result<(), ApiError> {
    forget_idle(limiter);
    limiter.check_key(key).map_err(|not_until| {
        let wait = seconds_until(&not_until);
        let minutes = wait.div_ceil(60);
        ApiError::TooMany {
            message: format!("{what}. Try again in {minutes} minutes."),
            retry_after_secs: wait,
        }
    })
}

struct ExportSlots {
    in_all: Arc<Semaphore>,
    per_user: Mutex<HashMap<UserId, usize>>,
}

/// A running export's place; dropping it frees the place.
pub struct ExportSlot {
    slots: Arc<ExportSlots>,
    user_id: UserId,
    _in_all: OwnedSemaphorePermit,
}

/// How long a refused export is told to wait before trying again.
const EXPORT_RETRY_SECS: u64 = 30;

impl ExportSlots {
    fn take(slots: &Arc<Self>, user_id: UserId) -> Result<ExportSlot, ApiError> {
        let mut per_user = slots
            .per_user
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let running = per_user.get(&user_id).copied().unwrap_or(0);
        if running >= EXPORTS_PER_USER {
            return Err(ApiError::TooMany {
                message: format!(
                    "You already have {running} exports downloading. Wait for one to finish."
                ),
                retry_after_secs: EXPORT_RETRY_SECS,
            });
        }
        let in_all = slots
            .in_all
            .clone()
            .try_acquire_owned()
            .map_err(|_| ApiError::TooMany {
                message: "The server is busy with other exports. Try again in a minute.".to_owned(),
                retry_after_secs: EXPORT_RETRY_SECS,
            })?;
        per_user.insert(user_id, running.saturating_add(1));
        Ok(ExportSlot {
            slots: slots.clone(),
            user_id,
            _in_all: in_all,
        })
    }
}

impl Drop for ExportSlot {
    fn drop(&mut self) {
        let mut per_user = self
            .slots
            .per_user
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match per_user.get_mut(&self.user_id) {
            Some(running) if *running > 1 => *running -= 1,
            _ => {
                per_user.remove(&self.user_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_are_bounded_per_user_and_in_all() {
        let quotas = Quotas::default();
        let (alice, bob, carol) = (
            UserId(uuid::Uuid::new_v4()),
            UserId(uuid::Uuid::new_v4()),
            UserId(uuid::Uuid::new_v4()),
        );
        let first = quotas.export(alice).unwrap();
        let _second = quotas.export(alice).unwrap();
        assert!(matches!(
            quotas.export(alice),
            Err(ApiError::TooMany { .. })
        ));
        let _bobs = [quotas.export(bob).unwrap(), quotas.export(bob).unwrap()];
        assert!(matches!(
            quotas.export(carol),
            Err(ApiError::TooMany { .. })
        ));
        drop(first);
        let carols = quotas.export(carol).unwrap();
        // Alice has a place of her own left, but the server has none.
        assert!(matches!(
            quotas.export(alice),
            Err(ApiError::TooMany { .. })
        ));
        drop(carols);
        assert!(quotas.export(alice).is_ok());
    }
}
