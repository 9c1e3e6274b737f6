//! Limits under abuse: what is refused before a password is hashed, how many CSV exports run
//! at once, and the per-user caps.

use crate::api_calls::{decoded, login_request, named_fields, PASSWORD};
use crate::helpers::spawn_app;
use reqwest::StatusCode;
use sqlx::PgPool;
use tally_shared::{ApiError, ErrorCode};

#[sqlx::test(migrations = "../../migrations")]
async fn overlong_names_and_passwords_are_refused_before_hashing(db: PgPool) {
    let app = spawn_app(db).await;
    app.register_as(&app.client, "kim").await;
    let overlong_password = format!("{PASSWORD}{}", "x".repeat(1024));

    let refused: ApiError = decoded(
        app.log_in(
            &app.client,
            &login_request(&"k".repeat(33), &overlong_password),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused.code, ErrorCode::Validation);
    assert_eq!(named_fields(&refused), ["username", "password"]);

    let refused: ApiError = decoded(
        app.delete_me(&app.client, &overlong_password).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(named_fields(&refused), ["password"]);
    assert!(refused.fields[0].message.contains("1,024"), "{refused:?}");
    assert_eq!(app.who_am_i(&app.client).await.status(), StatusCode::OK);
}
