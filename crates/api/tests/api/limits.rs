//! Limits under abuse: what is refused before a password is hashed, how many CSV exports run
//! at once, and the per-user caps.

use crate::api_calls::{
    decoded, login_request, named_fields, new_asset, register_request, session_token, PASSWORD,
};
use crate::fixtures::{account, alpha_bank, bulk_transactions};
use crate::helpers::{browser_like_client, count, spawn_app, TestApp};
use reqwest::StatusCode;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use tally_shared::api::items::LinkTokenRequest;
use tally_shared::api::session::SessionResponse;
use tally_shared::api::transactions::TransactionFilter;
use tally_shared::{ApiError, ErrorCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

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

/// Someone signed up, with their tab and the session token that tab carries.
struct Signed {
    client: reqwest::Client,
    user_id: uuid::Uuid,
    token: String,
}

async fn sign_up_with_token(app: &TestApp, username: &str) -> Signed {
    let client = browser_like_client();
    let response = app
        .register(&client, &register_request(username, PASSWORD))
        .await;
    let token = session_token(&response);
    let session: SessionResponse = decoded(response, StatusCode::CREATED).await;
    Signed {
        client,
        user_id: session.user.id.0,
        token,
    }
}

/// Gives `user_id` about ten megabytes of CSV to export: more than the socket buffers between
/// a stalled client and the server hold, so such an export stays running.
async fn lots_of_transactions(app: &TestApp, user_id: uuid::Uuid) {
    let bank = alpha_bank(&app.db, user_id).await;
    let checking = account(bank, "Checking").insert(&app.db).await;
    bulk_transactions(&app.db, checking, 40_000, &format!(" {}", "x".repeat(200))).await;
}

/// A client that starts an export and then stops reading (its receive buffer is tiny, so the
/// server cannot simply push the file into it). Returns the status and the open connection.
async fn stalled_export(app: &TestApp, token: &str) -> (u16, TcpStream) {
    let address: std::net::SocketAddr = app.address.trim_start_matches("http://").parse().unwrap();
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(address).await.unwrap();
    let request = format!(
        "GET /api/transactions/export.csv HTTP/1.1\r\nHost: {address}\r\n\
         Cookie: tally_session={token}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0_u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).await.unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, stream)
}

#[sqlx::test(migrations = "../../migrations")]
async fn exports_run_two_at_a_time_per_person_and_a_few_in_all(db: PgPool) {
    let app = spawn_app(db).await;
    let alice = sign_up_with_token(&app, "alice").await;
    let bob = sign_up_with_token(&app, "bob").await;
    let carol = sign_up_with_token(&app, "carol").await;
    lots_of_transactions(&app, alice.user_id).await;
    lots_of_transactions(&app, bob.user_id).await;

    let (first, _first) = stalled_export(&app, &alice.token).await;
    let (second, _second) = stalled_export(&app, &alice.token).await;
    assert_eq!((first, second), (200, 200));
    let third = app
        .export_transactions(&alice.client, &TransactionFilter::default())
        .await;
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(third.headers().contains_key("retry-after"));
    let refused: ApiError = third.json().await.unwrap();
    assert_eq!(refused.code, ErrorCode::RateLimited);
    assert!(refused.message.contains("2 exports"), "{refused:?}");

    // Bob's two still run; then the server as a whole is full, even for Carol's first.
    let (bobs_first, _bobs_first) = stalled_export(&app, &bob.token).await;
    let (bobs_second, _bobs_second) = stalled_export(&app, &bob.token).await;
    assert_eq!((bobs_first, bobs_second), (200, 200));
    let busy = app
        .export_transactions(&carol.client, &TransactionFilter::default())
        .await;
    assert_eq!(busy.status(), StatusCode::TOO_MANY_REQUESTS);
    let refused: ApiError = busy.json().await.unwrap();
    assert!(refused.message.contains("busy"), "{refused:?}");
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_stalled_export_holds_no_database_connection(
    pool: PgPoolOptions,
    options: PgConnectOptions,
) {
    // Three connections: the live events' listener keeps one for good; two are left.
    let db = pool.max_connections(3).connect_with(options).await.unwrap();
    let app = spawn_app(db.clone()).await;
    let alice = sign_up_with_token(&app, "alice").await;
    lots_of_transactions(&app, alice.user_id).await;

    let (first, first_client) = stalled_export(&app, &alice.token).await;
    let (second, second_client) = stalled_export(&app, &alice.token).await;
    assert_eq!((first, second), (200, 200));

    // Both exports wait for their clients; the connections serve everyone else meanwhile.
    let page = app
        .transactions(&alice.client, &TransactionFilter::default())
        .await;
    assert!(!page.transactions.is_empty());

    drop((first_client, second_client));
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), db.close()).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn one_person_keeps_at_most_200_assets(db: PgPool) {
    let app = spawn_app(db).await;
    let alice = app.sign_up("alice").await;
    sqlx::query(
        "insert into manual_asset (user_id, description, value, currency)
         select $1, 'Heirloom ' || n, n, 'USD' from generate_series(1, 199) as n",
    )
    .bind(alice.user_id)
    .execute(&app.db)
    .await
    .unwrap();

    let last = app
        .create_asset(&alice.client, &new_asset("Car", "12000", "USD"))
        .await;
    assert_eq!(last.status(), StatusCode::CREATED);
    let refused: ApiError = decoded(
        app.create_asset(&alice.client, &new_asset("Boat", "9000", "USD"))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(refused.message.contains("200 assets"), "{refused:?}");
    assert_eq!(count(&app.db, "manual_asset").await, 200);

    // Someone else's assets do not count against anyone.
    let bob = app.sign_up("bob").await;
    let bobs = app
        .create_asset(&bob.client, &new_asset("Bike", "300", "USD"))
        .await;
    assert_eq!(bobs.status(), StatusCode::CREATED);
}

#[sqlx::test(migrations = "../../migrations")]
async fn link_tokens_are_capped_per_person_and_hour(db: PgPool) {
    let app = spawn_app(db).await;
    let alice = app.sign_up("alice").await;
    for n in 0..30 {
        let response = app
            .create_link_token(&alice.client, &LinkTokenRequest::default())
            .await;
        assert_eq!(response.status(), StatusCode::OK, "link token {n}");
    }
    let refused = app
        .create_link_token(&alice.client, &LinkTokenRequest::default())
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    let refused: ApiError = refused.json().await.unwrap();
    assert_eq!(refused.code, ErrorCode::RateLimited);
    assert!(refused.message.contains("Link"), "{refused:?}");

    let bob = app.sign_up("bob").await;
    let bobs = app
        .create_link_token(&bob.client, &LinkTokenRequest::default())
        .await;
    assert_eq!(bobs.status(), StatusCode::OK);
}

#[sqlx::test(migrations = "../../migrations")]
async fn plaid_billed_refreshes_are_capped_per_bank_and_hour(db: PgPool) {
    let app = spawn_app(db).await;
    let (alice, item) = app.sign_up_with_bank("alice").await;
    for n in 0..3 {
        let response = app.refresh_item(&alice, item.id).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED, "refresh {n}");
    }
    let refused = app.refresh_item(&alice, item.id).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let refused: ApiError = refused.json().await.unwrap();
    assert!(refused.message.contains("refreshed"), "{refused:?}");

    // Someone else's bank is still not found, not "too many".
    let bob = app.sign_up("bob").await;
    assert_eq!(
        app.refresh_item(&bob.client, item.id).await.status(),
        StatusCode::NOT_FOUND
    );
}
