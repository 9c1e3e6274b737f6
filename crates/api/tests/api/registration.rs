//! Who may sign up: the first account (the administrator), `REGISTRATION` = invite, open or
//! closed, and one-time invites.

use crate::api_calls::{decoded, named_fields, register_request, PASSWORD};
use crate::helpers::{browser_like_client, captured_logs, spawn_app_with, test_settings, TestApp};
use reqwest::{Response, StatusCode};
use sqlx::PgPool;
use tally_shared::api::admin::{CreatedInvite, InviteList};
use tally_shared::api::config::Registration;
use tally_shared::api::session::SessionResponse;
use tally_shared::{ApiError, ErrorCode};

async fn spawn_with_registration(db: PgPool, mode: &str) -> TestApp {
    spawn_app_with(db, &[("REGISTRATION", mode)]).await
}

/// Signs `username` up from a new tab, with `invite` when given.
async fn sign_up_with(app: &TestApp, username: &str, invite: Option<&str>) -> Response {
    let mut request = register_request(username, PASSWORD);
    request.invite = invite.map(str::to_owned);
    app.register(&browser_like_client(), &request).await
}

/// The token an invite link carries (`…/?invite=<token>`).
fn token_of(invite: &CreatedInvite) -> &str {
    invite.link.split_once("?invite=").unwrap().1
}

/// Asserts a 422 that names only the `invite` field, with a message saying `why`.
async fn assert_invite_refused(response: Response, why: &str) {
    let error: ApiError = decoded(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error.code, ErrorCode::Validation);
    assert_eq!(named_fields(&error), ["invite"]);
    assert!(error.fields[0].message.contains(why), "{:?}", error.fields);
}

#[sqlx::test(migrations = "../../migrations")]
async fn registration_is_by_invite_unless_the_setting_says_otherwise(db: PgPool) {
    // Empty counts as unset: the default of a real deployment.
    let app = spawn_with_registration(db, "").await;

    let config = app.config().await;

    assert_eq!(config.registration, Registration::Invite);
    assert!(config.first_user);
}

#[sqlx::test(migrations = "../../migrations")]
async fn by_invite_the_first_account_is_the_admin_and_then_an_invite_is_needed(db: PgPool) {
    let app = spawn_with_registration(db, "invite").await;

    let first: SessionResponse =
        decoded(sign_up_with(&app, "root", None).await, StatusCode::CREATED).await;
    assert!(first.user.is_admin);
    assert!(!app.config().await.first_user);

    assert_invite_refused(sign_up_with(&app, "bob", None).await, "needs an invite").await;
    assert_invite_refused(
        sign_up_with(&app, "bob", Some("made-up-token")).await,
        "not valid",
    )
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn open_registration_lets_anyone_in_and_the_first_is_the_only_admin(db: PgPool) {
    let app = spawn_with_registration(db, "open").await;
    assert!(app.config().await.first_user);

    let first: SessionResponse =
        decoded(sign_up_with(&app, "root", None).await, StatusCode::CREATED).await;
    let second: SessionResponse =
        decoded(sign_up_with(&app, "bob", None).await, StatusCode::CREATED).await;

    assert!(first.user.is_admin);
    assert!(!second.user.is_admin);
    assert_eq!(app.config().await.registration, Registration::Open);
}

#[sqlx::test(migrations = "../../migrations")]
async fn closed_registration_takes_only_the_first_account(db: PgPool) {
    let app = spawn_with_registration(db, "closed").await;
    assert!(app.config().await.first_user);

    let first: SessionResponse =
        decoded(sign_up_with(&app, "root", None).await, StatusCode::CREATED).await;
    assert!(first.user.is_admin);
    let refused: ApiError =
        decoded(sign_up_with(&app, "bob", None).await, StatusCode::FORBIDDEN).await;

    assert_eq!(refused.code, ErrorCode::Forbidden);
    assert!(
        refused.message.contains("not taking new accounts"),
        "{refused:?}"
    );
    // Not even with an invite: closed is closed.
    let admin = &app.sign_in_as("root").await;
    let invite = app.invite(admin).await;
    let with_invite = sign_up_with(&app, "bob", Some(token_of(&invite))).await;
    assert_eq!(with_invite.status(), StatusCode::FORBIDDEN);
}

/// Sign-ups sent all at once: as many as the test's pool of five connections serves at once
/// beside the app's own (its event listener holds one).
const RACERS: usize = 3;

fn racers() -> Vec<String> {
    (0..RACERS).map(|n| format!("racer{n}")).collect()
}

/// Runs `racers` while no one may write to `table` (reading it is allowed), and lets them on once
/// every one of them waits for a lock: each has then made its checks and waits to write (or
/// waits for the lock that orders sign-ups), so a check-then-write race shows every time rather
/// than only when the password hashes happen to finish together.
async fn all_at_once<F: std::future::Future>(db: &PgPool, table: &str, racers: F) -> F::Output {
    use sqlx::{Connection, PgConnection};
    // Connections of its own, so that the gate takes none of the pool the sign-ups need.
    let options = db.connect_options();
    let mut gate_connection = PgConnection::connect_with(&options).await.unwrap();
    let mut watcher = PgConnection::connect_with(&options).await.unwrap();
    let mut gate = gate_connection.begin().await.unwrap();
    sqlx::query(&format!("lock table {table} in share mode"))
        .execute(&mut *gate)
        .await
        .unwrap();
    let count = i64::try_from(RACERS).unwrap();
    let open = async {
        for _ in 0..1000 {
            let waiting: i64 = sqlx::query_scalar(
                "select count(*) from pg_stat_activity
                 where wait_event_type = 'Lock' and datname = current_database()",
            )
            .fetch_one(&mut watcher)
            .await
            .unwrap();
            if waiting >= count {
                gate.rollback().await.unwrap();
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the sign-ups never all waited at the database");
    };
    let (output, ()) = tokio::join!(racers, open);
    output
}

#[sqlx::test(migrations = "../../migrations")]
async fn two_first_sign_ups_at_once_make_one_admin(db: PgPool) {
    let app = spawn_with_registration(db, "closed").await;

    let names = racers();
    let sign_ups =
        futures_util::future::join_all(names.iter().map(|n| sign_up_with(&app, n, None)));
    let answers = all_at_once(&app.db, "app_user", sign_ups).await;

    let statuses: Vec<_> = answers.iter().map(Response::status).collect();
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::FORBIDDEN)
        .count();
    assert_eq!((created, refused), (1, names.len() - 1), "{statuses:?}");
    let admins: i64 = sqlx::query_scalar("select count(*) from app_user where is_admin")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(admins, 1);
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_invite_signs_up_one_person_once(db: PgPool) {
    let app = spawn_with_registration(db, "invite").await;
    let root = sign_up_with(&app, "root", None).await;
    assert_eq!(root.status(), StatusCode::CREATED);
    let admin = &app.sign_in_as("root").await;

    let invite = app.invite(admin).await;

    let public_url = test_settings(&[]).server.public_url;
    assert!(
        invite.link.starts_with(&format!("{public_url}?invite=")),
        "{} is not at {public_url}",
        invite.link
    );
    let days = (invite.expires_at - chrono::Utc::now()).num_hours();
    assert!((167..=168).contains(&days), "{days} hours");
    let bob: SessionResponse = decoded(
        sign_up_with(&app, "bob", Some(token_of(&invite))).await,
        StatusCode::CREATED,
    )
    .await;
    assert!(!bob.user.is_admin);
    assert_invite_refused(
        sign_up_with(&app, "carl", Some(token_of(&invite))).await,
        "already been used",
    )
    .await;

    let listed = app.list_invites(admin).await;
    let text = listed.text().await.unwrap();
    assert!(
        !text.contains(token_of(&invite)),
        "the token is shown: {text}"
    );
    let list: InviteList = serde_json::from_str(&text).unwrap();
    assert_eq!(list.invites.len(), 1);
    let shown = &list.invites[0];
    assert_eq!(shown.id, invite.id);
    assert_eq!(shown.created_by.as_deref(), Some("root"));
    assert_eq!(shown.used_by.as_deref(), Some("bob"));
    assert!(shown.used_at.is_some() && shown.revoked_at.is_none());
    // Only its hash is kept.
    let stored: i64 = sqlx::query_scalar("select count(*) from invite where token_hash = $1")
        .bind(token_of(&invite).as_bytes())
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, 0);
}

#[sqlx::test(migrations = "../../migrations")]
async fn two_sign_ups_with_one_invite_at_once_make_one_account(db: PgPool) {
    let app = spawn_with_registration(db, "invite").await;
    sign_up_with(&app, "root", None).await;
    let admin = &app.sign_in_as("root").await;
    let invite = app.invite(admin).await;

    let names = racers();
    let sign_ups = futures_util::future::join_all(
        names
            .iter()
            .map(|name| sign_up_with(&app, name, Some(token_of(&invite)))),
    );
    let answers = all_at_once(&app.db, "invite", sign_ups).await;

    let statuses: Vec<_> = answers.iter().map(Response::status).collect();
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "{statuses:?}");
    let users: i64 = sqlx::query_scalar("select count(*) from app_user")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(users, 2);
}

#[sqlx::test(migrations = "../../migrations")]
async fn revoked_and_expired_invites_are_refused(db: PgPool) {
    let app = spawn_with_registration(db, "invite").await;
    sign_up_with(&app, "root", None).await;
    let admin = &app.sign_in_as("root").await;
    let revoked = app.invite(admin).await;
    let expired = app.invite(admin).await;
    let used = app.invite(admin).await;

    let revoking = app.revoke_invite(admin, revoked.id).await;
    assert_eq!(revoking.status(), StatusCode::NO_CONTENT);
    let again = app.revoke_invite(admin, revoked.id).await;
    assert_eq!(again.status(), StatusCode::NO_CONTENT);
    sqlx::query("update invite set expires_at = now() - interval '1 minute' where invite_id = $1")
        .bind(expired.id.0)
        .execute(&app.db)
        .await
        .unwrap();

    assert_invite_refused(
        sign_up_with(&app, "bob", Some(token_of(&revoked))).await,
        "revoked",
    )
    .await;
    assert_invite_refused(
        sign_up_with(&app, "bob", Some(token_of(&expired))).await,
        "expired",
    )
    .await;
    assert_eq!(
        sign_up_with(&app, "bob", Some(token_of(&used)))
            .await
            .status(),
        StatusCode::CREATED
    );
    let used_revoked = app.revoke_invite(admin, used.id).await;
    assert_eq!(used_revoked.status(), StatusCode::CONFLICT);
    let unknown = app
        .revoke_invite(admin, "67e55044-10b1-426f-9247-bb680e5fe0c8")
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let list: InviteList = app.get_json(admin, "/api/admin/invites").await;
    let revoked_shown = list.invites.iter().find(|i| i.id == revoked.id).unwrap();
    assert!(revoked_shown.revoked_at.is_some() && revoked_shown.used_at.is_none());
}

#[sqlx::test(migrations = "../../migrations")]
async fn admin_usernames_no_longer_makes_admins(db: PgPool) {
    let app = spawn_app_with(
        db,
        &[("REGISTRATION", "open"), ("ADMIN_USERNAMES", "root, Ivan")],
    )
    .await;
    let first: SessionResponse =
        decoded(sign_up_with(&app, "first", None).await, StatusCode::CREATED).await;

    let ivan: SessionResponse =
        decoded(sign_up_with(&app, "ivan", None).await, StatusCode::CREATED).await;
    let root: SessionResponse =
        decoded(sign_up_with(&app, "root", None).await, StatusCode::CREATED).await;

    assert!(first.user.is_admin);
    assert!(!ivan.user.is_admin);
    assert!(!root.user.is_admin);
    assert!(
        captured_logs().contains("ADMIN_USERNAMES is set but no longer read"),
        "no warning at start"
    );
}
