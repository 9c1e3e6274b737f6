//! Argon2id password hashes, computed off the async executor, at most one per core at a time:
//! a flood of log-ins queues for the cores instead of filling the blocking pool with hashes
//! that starve everything else.

use crate::db;
use crate::domain::Password;
use anyhow::Context;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use secrecy::{ExposeSecret, SecretString};
use sqlx::PgPool;
use std::num::NonZeroUsize;
use std::sync::{Arc, OnceLock};
use tally_shared::ids::UserId;
use tokio::sync::Semaphore;

/// A PHC-format Argon2id hash of `password` with a fresh salt.
pub async fn hash(password: SecretString) -> anyhow::Result<String> {
    if too_long(&password) {
        anyhow::bail!("refusing to hash a password longer than a new one may be");
    }
    on_a_core(move || hash_now(&password)).await?
}

fn hash_now(password: &SecretString) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.expose_secret().as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))?
        .to_string())
}

/// Whether `password` matches `stored`. With no stored hash (unknown user) the work is done
/// against a dummy hash all the same, so both answers take as long. A password longer than any
/// that can be set matches nothing, and is not hashed.
pub async fn verify(password: SecretString, stored: Option<String>) -> anyhow::Result<bool> {
    if too_long(&password) {
        return Ok(false);
    }
    on_a_core(move || {
        let dummy = dummy_hash()?;
        let (hash, known) = match &stored {
            Some(hash) => (hash.as_str(), true),
            None => (dummy, false),
        };
        let parsed = PasswordHash::new(hash).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
        let matches = Argon2::default()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await?
}

/// Whether `given` is the password of the person `user_id`, asked again before a change that
/// needs it (as `verify`: a longer one than any can be is refused unhashed).
pub async fn is_password_of(db: &PgPool, user_id: UserId, given: String) -> anyhow::Result<bool> {
    let stored = db::users::by_id(db, user_id)
        .await?
        .map(|record| record.password_hash);
    verify(SecretString::from(given), stored).await
}

fn too_long(password: &SecretString) -> bool {
    Password::within_limit(password.expose_secret()).is_err()
}

/// Runs `work` on the blocking pool once a core is free for it. The slot is held by the work
/// itself, so a caller that goes away does not free it while the hash still runs.
async fn on_a_core<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let slot = hashing_slots()
        .clone()
        .acquire_owned()
        .await
        .context("waiting for a core to hash on")?;
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        #[cfg(test)]
        let _busy = tests::Busy::enter();
        work()
    })
    .await
    .context("password hashing task")
}

/// One slot per core this process may use.
fn hashing_slots() -> &'static Arc<Semaphore> {
    static SLOTS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
        Arc::new(Semaphore::new(cores))
    })
}

fn dummy_hash() -> anyhow::Result<&'static str> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return Ok(hash);
    }
    let hash = hash_now(&SecretString::from("not anyone's password"))?;
    Ok(DUMMY.get_or_init(|| hash))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static RUNNING: AtomicUsize = AtomicUsize::new(0);
    static PEAK: AtomicUsize = AtomicUsize::new(0);

    /// Counts hashes running at once, for `no_more_hashes_run_at_once_than_there_are_cores`.
    pub(super) struct Busy;

    impl Busy {
        pub(super) fn enter() -> Self {
            let running = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
            PEAK.fetch_max(running, Ordering::SeqCst);
            Self
        }
    }

    impl Drop for Busy {
        fn drop(&mut self) {
            RUNNING.fetch_sub(1, Ordering::SeqCst);
        }
    }

    #[tokio::test]
    async fn hashes_verify_and_differ_per_salt() {
        let first = hash(SecretString::from("correct horse")).await.unwrap();
        let second = hash(SecretString::from("correct horse")).await.unwrap();
        assert!(first.starts_with("$argon2id$"));
        assert_ne!(first, second);
        assert!(
            verify(SecretString::from("correct horse"), Some(first.clone()))
                .await
                .unwrap()
        );
        assert!(!verify(SecretString::from("wrong horse"), Some(first))
            .await
            .unwrap());
        assert!(!verify(SecretString::from("not anyone's password"), None)
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn overlong_passwords_are_never_hashed() {
        let longest = "x".repeat(Password::MAX_CHARS);
        let stored = hash(SecretString::from(longest.clone())).await.unwrap();
        assert!(
            verify(SecretString::from(longest.clone()), Some(stored.clone()))
                .await
                .unwrap()
        );
        let overlong = format!("{longest}x");
        assert!(hash(SecretString::from(overlong.clone())).await.is_err());
        assert!(!verify(SecretString::from(overlong), Some(stored))
            .await
            .unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_hashes_run_at_once_than_there_are_cores() {
        let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
        let stored = hash(SecretString::from("correct horse")).await.unwrap();
        let checks: Vec<_> = (0..cores * 4)
            .map(|_| {
                let stored = stored.clone();
                tokio::spawn(verify(SecretString::from("correct horse"), Some(stored)))
            })
            .collect();
        for check in checks {
            assert!(check.await.unwrap().unwrap());
        }
        let peak = PEAK.load(Ordering::SeqCst);
        assert!(
            (1..=cores).contains(&peak),
            "{peak} hashes ran at once on {cores} cores"
        );
    }
}
