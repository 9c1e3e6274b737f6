//! `/api/admin`: administrators only.

use crate::api_calls::assert_unauthorized;
use crate::helpers::spawn_app;
use reqwest::StatusCode;
use sqlx::PgPool;
use tally_shared::api::admin::AdminUserList;

#[sqlx::test(migrations = "../../migrations")]
async fn admins_list_and_delete_users(db: PgPool) {
    let app = spawn_app(db).await;
    let root = app.sign_up("root").await;
    let bob = app.sign_up("bob").await;
    let admin = &root.client;

    let list: AdminUserList = app.get_json(admin, "/api/admin/users").await;
    let names: Vec<_> = list.users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["root", "bob"]);

    let gone = app.delete_user(admin, bob.user_id).await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    let again = app.delete_user(admin, bob.user_id).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let malformed = app.delete_user(admin, "not-a-uuid").await;
    assert_eq!(malformed.status(), StatusCode::NOT_FOUND);

    let myself = app.delete_user(admin, root.user_id).await;
    assert_eq!(myself.status(), StatusCode::CONFLICT);
}

#[sqlx::test(migrations = "../../migrations")]
async fn everyone_else_is_turned_away(db: PgPool) {
    let app = spawn_app(db).await;
    let root = app.sign_up("root").await;
    let user = app.sign_up("carol").await.client;

    let listed = user.get(app.url("/api/admin/users")).send().await.unwrap();
    assert_eq!(listed.status(), StatusCode::FORBIDDEN);
    let deleted = app.delete_user(&user, root.user_id).await;
    assert_eq!(deleted.status(), StatusCode::FORBIDDEN);
    assert_unauthorized(app.get("/api/admin/users").await).await;
}
