//! `/api/admin`: administrators only.

use crate::api_calls::{assert_unauthorized, decoded, PASSWORD};
use crate::helpers::{count, spawn_app};
use reqwest::StatusCode;
use sqlx::PgPool;
use tally_shared::api::admin::AdminUserList;
use tally_shared::ApiError;

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

    let invite = app.invite(&root.client).await;

    let answers = [
        user.get(app.url("/api/admin/users")).send().await.unwrap(),
        app.delete_user(&user, root.user_id).await,
        app.set_admin(&user, root.user_id, false).await,
        app.set_admin(&user, user_id_of(&app, "carol").await, true)
            .await,
        app.create_invite(&user).await,
        app.list_invites(&user).await,
        app.revoke_invite(&user, invite.id).await,
    ];
    for answer in answers {
        let url = answer.url().to_string();
        let error: ApiError = decoded(answer, StatusCode::FORBIDDEN).await;
        assert_eq!(error.code, tally_shared::ErrorCode::Forbidden, "{url}");
    }
    assert_unauthorized(app.get("/api/admin/users").await).await;
    assert_unauthorized(app.get("/api/admin/invites").await).await;
    // Nothing changed: carol is no admin, root still is, the invite still open.
    assert_eq!(count(&app.db, "app_user where is_admin").await, 1);
    assert_eq!(count(&app.db, "invite where revoked_at is null").await, 1);
}

async fn user_id_of(app: &crate::helpers::TestApp, username: &str) -> uuid::Uuid {
    sqlx::query_scalar("select user_id from app_user where username = $1")
        .bind(username)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../../migrations")]
async fn admins_promote_and_demote(db: PgPool) {
    let app = spawn_app(db).await;
    let root = app.sign_up("root").await;
    let bob = app.sign_up("bob").await;
    assert_eq!(
        bob.client
            .get(app.url("/api/admin/users"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );

    let promoted = app.set_admin(&root.client, bob.user_id, true).await;

    assert_eq!(promoted.status(), StatusCode::NO_CONTENT);
    let list: AdminUserList = app.get_json(&bob.client, "/api/admin/users").await;
    assert!(list.users.iter().all(|u| u.is_admin));
    // Bob, now an administrator, demotes root, who loses the admin routes at once.
    let demoted = app.set_admin(&bob.client, root.user_id, false).await;
    assert_eq!(demoted.status(), StatusCode::NO_CONTENT);
    let turned_away = root
        .client
        .get(app.url("/api/admin/users"))
        .send()
        .await
        .unwrap();
    assert_eq!(turned_away.status(), StatusCode::FORBIDDEN);
    let unknown = app
        .set_admin(&bob.client, "67e55044-10b1-426f-9247-bb680e5fe0c8", true)
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let malformed = app.set_admin(&bob.client, "not-a-uuid", true).await;
    assert_eq!(malformed.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_last_admin_can_be_neither_demoted_nor_deleted(db: PgPool) {
    let app = spawn_app(db).await;
    let root = app.sign_up("root").await;
    let bob = app.sign_up("bob").await;

    let refusals = [
        app.set_admin(&root.client, root.user_id, false).await,
        app.delete_user(&root.client, root.user_id).await,
        app.delete_me(&root.client, PASSWORD).await,
    ];

    for refused in refusals {
        let url = refused.url().to_string();
        let error: ApiError = decoded(refused, StatusCode::CONFLICT).await;
        // Through the admin route the answer is that one leaves by "Delete my account".
        assert!(
            error.message.to_lowercase().contains("administrator"),
            "{url}: {error:?}"
        );
    }
    assert_eq!(count(&app.db, "app_user where is_admin").await, 1);
    assert_eq!(count(&app.db, "app_user").await, 2);
    // With a second administrator, root may step down; bob is then the last one.
    app.set_admin(&root.client, bob.user_id, true).await;
    let stepped_down = app.set_admin(&root.client, root.user_id, false).await;
    assert_eq!(stepped_down.status(), StatusCode::NO_CONTENT);
    let bob_alone = app.set_admin(&bob.client, bob.user_id, false).await;
    assert_eq!(bob_alone.status(), StatusCode::CONFLICT);
    // Root, no longer an administrator, may leave; then bob may too, being the only account.
    assert_eq!(
        app.delete_me(&root.client, PASSWORD).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete_me(&bob.client, PASSWORD).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(count(&app.db, "app_user").await, 0);
}

#[sqlx::test(migrations = "../../migrations")]
async fn two_admins_demoting_each_other_at_once_leave_one(db: PgPool) {
    let app = spawn_app(db).await;
    let root = app.sign_up("root").await;
    let bob = app.sign_up("bob").await;
    app.sign_up("carol").await;

    for _ in 0..5 {
        app.set_admin(&root.client, bob.user_id, true).await;
        app.set_admin(&bob.client, root.user_id, true).await;
        let (one, other) = tokio::join!(
            app.set_admin(&root.client, bob.user_id, false),
            app.set_admin(&bob.client, root.user_id, false),
        );

        // One wins; the other is refused as the last administrator (409), or, when the first
        // demotion committed before it was even read, as no administrator any more (403).
        let mut statuses = [one.status(), other.status()];
        statuses.sort();
        assert_eq!(statuses[0], StatusCode::NO_CONTENT, "{statuses:?}");
        assert!(
            [StatusCode::CONFLICT, StatusCode::FORBIDDEN].contains(&statuses[1]),
            "{statuses:?}"
        );
        assert_eq!(count(&app.db, "app_user where is_admin").await, 1);
    }
    // Deleting each other at once: one stays.
    app.set_admin(&root.client, bob.user_id, true).await;
    app.set_admin(&bob.client, root.user_id, true).await;
    let (one, other) = tokio::join!(
        app.delete_user(&root.client, bob.user_id),
        app.delete_user(&bob.client, root.user_id),
    );
    let statuses = [one.status(), other.status()];
    assert!(statuses.contains(&StatusCode::NO_CONTENT), "{statuses:?}");
    assert_eq!(count(&app.db, "app_user where is_admin").await, 1);
}
