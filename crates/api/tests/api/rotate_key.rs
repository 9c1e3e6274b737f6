//! `tally rotate-key`: access tokens move to the new key, and the old key can then go.

use crate::helpers::{captured_logs, spawn_app_with};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use sqlx::PgPool;
use tally::crypto::TokenCipher;
use tally::items::{rotate_keys, Rotation};

#[sqlx::test(migrations = "../../migrations")]
async fn rotating_moves_every_token_to_the_new_key(db: PgPool) {
    let (old, new) = (TokenCipher::generate_key(), TokenCipher::generate_key());
    let old_app =
        spawn_app_with(db.clone(), &[("TALLY_ENCRYPTION_KEY", old.expose_secret())]).await;
    let (alice, item) = old_app.sign_up_with_bank("alice").await;
    // Sessions live in the database and cookies ignore ports: the same tab works on both apps.
    let new_app =
        spawn_app_with(db.clone(), &[("TALLY_ENCRYPTION_KEY", new.expose_secret())]).await;
    assert_eq!(
        new_app.refresh_item(&alice, item.id).await.status(),
        StatusCode::INTERNAL_SERVER_ERROR,
        "the new key alone opened an old token"
    );
    assert!(
        captured_logs()
            .contains("1 bank access tokens and two-factor secrets are sealed under a key that is no longer current"),
        "no warning at start about the token under the old key"
    );

    let cipher =
        TokenCipher::new(&new, &[SecretString::from(old.expose_secret().to_owned())]).unwrap();
    let first = rotate_keys(&db, &cipher).await.unwrap();
    let again = rotate_keys(&db, &cipher).await.unwrap();

    assert_eq!(
        first,
        Rotation {
            resealed: 1,
            current: 0,
            unreadable: 0
        }
    );
    assert_eq!(
        again,
        Rotation {
            resealed: 0,
            current: 1,
            unreadable: 0
        }
    );
    assert_eq!(
        new_app.refresh_item(&alice, item.id).await.status(),
        StatusCode::ACCEPTED
    );
    assert_eq!(
        old_app.refresh_item(&alice, item.id).await.status(),
        StatusCode::INTERNAL_SERVER_ERROR,
        "the old key still opens the token"
    );

    let stranger = TokenCipher::new(&TokenCipher::generate_key(), &[]).unwrap();
    let lost = rotate_keys(&db, &stranger).await.unwrap();
    assert_eq!(
        lost,
        Rotation {
            resealed: 0,
            current: 0,
            unreadable: 1
        }
    );
}
