//! `/api/admin`: administrators only.

use crate::helpers::{browser_like_client, spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use tally_shared::api::admin::AdminUserList;
use tally_shared::api::session::SessionResponse;

async fn register(app: &TestApp, username: &str) -> (reqwest::Client, SessionResponse) {
    let client = browser_like_client();
    let response = client
        .post(app.url("/api/users"))
        .json(&json!({ "username": username, "password": "a long enough password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let session = response.json().await.unwrap();
    (client, session)
}

#[sqlx::test(migrations = "../../migrations")]
async fn admins_list_and_delete_users(db: PgPool) {
    let app = spawn_app(db).await;
    let (admin, admin_session) = register(&app, "root").await;
    let (_, bob) = register(&app, "bob").await;

    let list: AdminUserList = admin
        .get(app.url("/api/admin/users"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<_> = list.users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["root", "bob"]);

    let gone = admin
        .delete(app.url(&format!("/api/admin/users/{}", bob.user.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    let again = admin
        .delete(app.url(&format!("/api/admin/users/{}", bob.user.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let malformed = admin
        .delete(app.url("/api/admin/users/not-a-uuid"))
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::NOT_FOUND);

    let myself = admin
        .delete(app.url(&format!("/api/admin/users/{}", admin_session.user.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(myself.status(), StatusCode::CONFLICT);
}

#[sqlx::test(migrations = "../../migrations")]
async fn everyone_else_is_turned_away(db: PgPool) {
    let app = spawn_app(db).await;
    let (_, root) = register(&app, "root").await;
    let (user, _) = register(&app, "carol").await;

    let listed = user.get(app.url("/api/admin/users")).send().await.unwrap();
    assert_eq!(listed.status(), StatusCode::FORBIDDEN);
    let deleted = user
        .delete(app.url(&format!("/api/admin/users/{}", root.user.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::FORBIDDEN);
    let anonymous = reqwest::Client::new()
        .get(app.url("/api/admin/users"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = anonymous.json().await.unwrap();
    assert_eq!(body["code"], "unauthorized");
}
