//! `tally rotate-key`: access tokens move to the new key, and the old key can then go.

use crate::banking_support::{link_bank, signed_in};
use crate::helpers::spawn_app_with;
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
    let alice = signed_in(&old_app, "alice").await;
    let item = link_bank(&old_app, &alice, "user_good").await;
    // Sessions live in the database and cookies ignore ports: the same tab works on both apps.
    let new_app =
        spawn_app_with(db.clone(), &[("TALLY_ENCRYPTION_KEY", new.expose_secret())]).await;
    let refresh = |app: &crate::helpers::TestApp| {
        alice
            .post(app.url(&format!("/api/items/{}/refresh", item.id)))
            .send()
    };
    assert_eq!(
        refresh(&new_app).await.unwrap().status(),
        StatusCode::INTERNAL_SERVER_ERROR,
        "the new key alone opened an old token"
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
        refresh(&new_app).await.unwrap().status(),
        StatusCode::ACCEPTED
    );
    assert_eq!(
        refresh(&old_app).await.unwrap().status(),
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
