//! Passkeys: registering them, listing and removing them, and signing in with one alone, each
//! ceremony working once; forged answers, other people's ids and ceremonies refused.

use crate::api_calls::{assert_unauthorized, decoded, named_fields, Person};
use crate::helpers::{
    browser_like_client, client_with_header, count, spawn_app_at_localhost,
    spawn_app_at_localhost_with, spawn_app_with, TestApp,
};
use crate::soft_authenticator::SoftPasskey;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use tally_shared::api::admin::AdminUserList;
use tally_shared::api::passkeys::{Passkey, PasskeyCeremony, PasskeyList};
use tally_shared::api::session::SessionResponse;
use tally_shared::{ApiError, ErrorCode};
use uuid::Uuid;

/// The app at `http://localhost:<port>`, the relying party passkeys are made for, and that
/// origin.
async fn spawn_app(db: PgPool) -> (TestApp, String) {
    let app = spawn_app_at_localhost(db).await;
    let origin = app.address.clone();
    (app, origin)
}

async fn post(app: &TestApp, client: &Client, path: &str, body: Value) -> reqwest::Response {
    client.post(app.url(path)).json(&body).send().await.unwrap()
}

async fn start_registration(app: &TestApp, client: &Client, name: &str) -> PasskeyCeremony {
    let response = post(
        app,
        client,
        "/api/account/passkeys/register/start",
        json!({"name": name}),
    )
    .await;
    decoded(response, StatusCode::OK).await
}

async fn finish_registration(
    app: &TestApp,
    client: &Client,
    ceremony: Uuid,
    credential: Value,
) -> reqwest::Response {
    post(
        app,
        client,
        "/api/account/passkeys/register/finish",
        json!({"ceremony": ceremony, "credential": credential}),
    )
    .await
}

/// Registers a software passkey named `name` for `person`.
async fn register(
    app: &TestApp,
    origin: &str,
    person: &Person,
    name: &str,
) -> (SoftPasskey, Passkey) {
    let ceremony = start_registration(app, &person.client, name).await;
    let (authenticator, answer) = SoftPasskey::register(&ceremony.options, origin, name);
    let response = finish_registration(app, &person.client, ceremony.ceremony, answer).await;
    (authenticator, decoded(response, StatusCode::CREATED).await)
}

async fn start_sign_in(app: &TestApp, client: &Client) -> PasskeyCeremony {
    let response = post(app, client, "/api/session/passkey/start", json!(null)).await;
    decoded(response, StatusCode::OK).await
}

async fn finish_sign_in(
    app: &TestApp,
    client: &Client,
    ceremony: Uuid,
    credential: &Value,
) -> reqwest::Response {
    post(
        app,
        client,
        "/api/session/passkey/finish",
        json!({"ceremony": ceremony, "credential": credential}),
    )
    .await
}

async fn passkeys(app: &TestApp, client: &Client) -> Vec<Passkey> {
    app.get_json::<PasskeyList>(client, "/api/account/passkeys")
        .await
        .passkeys
}

/// A 400 in the one error shape whose message says `words`.
async fn assert_bad_request(response: reqwest::Response, words: &str) {
    let error: ApiError = decoded(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(error.code, ErrorCode::BadRequest);
    assert!(error.message.contains(words), "{}", error.message);
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_registered_passkey_alone_signs_its_owner_in_and_keeps_count(db: PgPool) {
    let (app, origin) = spawn_app(db).await;
    let alice = app.sign_up("alice").await;
    let ceremony = start_registration(&app, &alice.client, "  Phone ").await;
    let options = &ceremony.options["publicKey"];
    assert_eq!(options["rp"]["id"], "localhost");
    assert_eq!(options["user"]["name"], "alice");
    let selection = &options["authenticatorSelection"];
    assert_eq!(selection["residentKey"], "required", "{selection}");
    assert_eq!(selection["userVerification"], "required", "{selection}");

    let (mut phone, answer) = SoftPasskey::register(&ceremony.options, &origin, "phone");
    let response = finish_registration(&app, &alice.client, ceremony.ceremony, answer).await;
    let created: Passkey = decoded(response, StatusCode::CREATED).await;
    assert_eq!(created.name, "Phone");
    assert_eq!(created.last_used_at, None);
    assert_eq!(passkeys(&app, &alice.client).await, vec![created.clone()]);

    // A stranger's browser, no username, no password.
    let browser = browser_like_client();
    let sign_in = start_sign_in(&app, &browser).await;
    let request = &sign_in.options["publicKey"];
    assert_eq!(request["userVerification"], "required");
    assert!(
        request["allowCredentials"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "any of the site's passkeys may answer: {request}"
    );
    assert!(sign_in.options.get("mediation").is_none());
    let assertion = phone.sign_in(&sign_in.options, "localhost", &origin);
    let response = finish_sign_in(&app, &browser, sign_in.ceremony, &assertion).await;
    let session: SessionResponse = decoded(response, StatusCode::OK).await;
    assert_eq!(session.user.id.0, alice.user_id);
    assert_eq!(session.user.username, "alice");
    let me: SessionResponse = decoded(app.who_am_i(&browser).await, StatusCode::OK).await;
    assert_eq!(me.user.id.0, alice.user_id);

    let listed = passkeys(&app, &alice.client).await;
    assert!(listed[0].last_used_at.is_some(), "{listed:?}");
    let stored_counter: i64 =
        sqlx::query_scalar("select (credential->'cred'->>'counter')::bigint from passkey")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(stored_counter, 1, "the counter moves on with each use");

    // The same answer again: its ceremony is gone.
    let replayed = finish_sign_in(&app, &browser_like_client(), sign_in.ceremony, &assertion).await;
    assert_bad_request(replayed, "already used").await;
    // An old signature count under a fresh ceremony is what a copied authenticator sends.
    phone.counter = 0;
    let again = start_sign_in(&app, &browser).await;
    let cloned = phone.sign_in(&again.options, "localhost", &origin);
    let refused = finish_sign_in(&app, &browser_like_client(), again.ceremony, &cloned).await;
    assert_bad_request(refused, "counter").await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn forged_and_foreign_answers_are_refused_and_each_ceremony_works_once(db: PgPool) {
    let (app, origin) = spawn_app(db).await;
    let alice = app.sign_up("alice").await;
    let (mut phone, _) = register(&app, &origin, &alice, "Phone").await;

    // Not WebAuthn at all.
    let ceremony = start_registration(&app, &alice.client, "Key").await;
    let junk = finish_registration(&app, &alice.client, ceremony.ceremony, json!({"x": 1})).await;
    assert_bad_request(junk, "not a WebAuthn credential").await;
    // Its ceremony was taken by that answer.
    let (_, good) = SoftPasskey::register(&ceremony.options, &origin, "key");
    let late = finish_registration(&app, &alice.client, ceremony.ceremony, good).await;
    assert_bad_request(late, "unknown or was already used").await;

    // Made on another site.
    let ceremony = start_registration(&app, &alice.client, "Key").await;
    let (_, elsewhere) = SoftPasskey::register(&ceremony.options, "https://evil.example", "key");
    let refused = finish_registration(&app, &alice.client, ceremony.ceremony, elsewhere).await;
    assert_bad_request(refused, "another site").await;

    // Bob cannot finish Alice's registration; she still can.
    let bob = app.sign_up("bob").await;
    let ceremony = start_registration(&app, &alice.client, "Key").await;
    let (_, answer) = SoftPasskey::register(&ceremony.options, &origin, "key");
    let stolen = finish_registration(&app, &bob.client, ceremony.ceremony, answer.clone()).await;
    assert_bad_request(stolen, "unknown").await;
    let mine = finish_registration(&app, &alice.client, ceremony.ceremony, answer).await;
    assert_eq!(mine.status(), StatusCode::CREATED);
    assert!(passkeys(&app, &bob.client).await.is_empty());

    // A signature that does not check out.
    let sign_in = start_sign_in(&app, &browser_like_client()).await;
    let mut forged = phone.sign_in(&sign_in.options, "localhost", &origin);
    forged["response"]["signature"] = json!(forged["response"]["authenticatorData"]);
    let refused = finish_sign_in(&app, &browser_like_client(), sign_in.ceremony, &forged).await;
    assert_bad_request(refused, "refused").await;
    // A passkey that claims to be someone else's.
    let sign_in = start_sign_in(&app, &browser_like_client()).await;
    phone.user_handle = bob.user_id.as_bytes().to_vec();
    let impostor = phone.sign_in(&sign_in.options, "localhost", &origin);
    let refused = finish_sign_in(&app, &browser_like_client(), sign_in.ceremony, &impostor).await;
    assert_bad_request(refused, "not registered").await;

    // A ceremony left too long.
    let sign_in = start_sign_in(&app, &browser_like_client()).await;
    sqlx::query("update passkey_ceremony set expires_at = now() - interval '1 second'")
        .execute(&app.db)
        .await
        .unwrap();
    phone.user_handle = alice.user_id.as_bytes().to_vec();
    let assertion = phone.sign_in(&sign_in.options, "localhost", &origin);
    let late = finish_sign_in(&app, &browser_like_client(), sign_in.ceremony, &assertion).await;
    assert_bad_request(late, "expired").await;
    let unknown = finish_sign_in(&app, &browser_like_client(), Uuid::new_v4(), &assertion).await;
    assert_bad_request(unknown, "unknown").await;
    assert_eq!(
        count(
            &app.db,
            "user_session where user_id in (select user_id from app_user where username = 'bob')"
        )
        .await,
        1
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn people_name_list_and_remove_their_own_passkeys_only(db: PgPool) {
    let (app, origin) = spawn_app(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let (mut phone, first) = register(&app, &origin, &alice, "Phone").await;
    let (_, second) = register(&app, &origin, &alice, "Laptop").await;
    let names: Vec<String> = passkeys(&app, &alice.client)
        .await
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["Phone", "Laptop"]);

    for (name, field_error) in [("", true), (&"x".repeat(101), true), ("Phone", false)] {
        let response = post(
            &app,
            &alice.client,
            "/api/account/passkeys/register/start",
            json!({"name": name}),
        )
        .await;
        if field_error {
            let error: ApiError = decoded(response, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(named_fields(&error), ["name"]);
        } else {
            let error: ApiError = decoded(response, StatusCode::CONFLICT).await;
            assert!(
                error.message.contains("already have a passkey named"),
                "{}",
                error.message
            );
        }
    }

    let path = format!("/api/account/passkeys/{}", first.id);
    let not_yours = app.delete(&bob.client, &path).await;
    let error: ApiError = decoded(not_yours, StatusCode::NOT_FOUND).await;
    assert_eq!(error.code, ErrorCode::NotFound);
    assert_eq!(passkeys(&app, &alice.client).await.len(), 2);
    let malformed = app
        .delete(&alice.client, "/api/account/passkeys/not-an-id")
        .await;
    assert_eq!(malformed.status(), StatusCode::NOT_FOUND);

    assert_eq!(
        app.delete(&alice.client, &path).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(passkeys(&app, &alice.client).await, vec![second]);
    assert_eq!(
        app.delete(&alice.client, &path).await.status(),
        StatusCode::NOT_FOUND
    );
    // A removed passkey signs nobody in.
    let sign_in = start_sign_in(&app, &browser_like_client()).await;
    let assertion = phone.sign_in(&sign_in.options, "localhost", &origin);
    let refused = finish_sign_in(&app, &browser_like_client(), sign_in.ceremony, &assertion).await;
    assert_bad_request(refused, "not registered").await;

    let anonymous = browser_like_client();
    assert_unauthorized(app.get_from(&anonymous, "/api/account/passkeys").await).await;
    assert_unauthorized(
        post(
            &app,
            &anonymous,
            "/api/account/passkeys/register/start",
            json!({"name": "X"}),
        )
        .await,
    )
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn one_person_has_at_most_the_limit_and_admins_see_how_many(db: PgPool) {
    let (app, origin) = spawn_app(db).await;
    let admin = app.sign_up("admin").await;
    let alice = app.sign_up("alice").await;
    let limit = app
        .get_json::<PasskeyList>(&alice.client, "/api/account/passkeys")
        .await
        .limit;
    for n in 0..limit {
        register(&app, &origin, &alice, &format!("Key {n}")).await;
    }
    let response = post(
        &app,
        &alice.client,
        "/api/account/passkeys/register/start",
        json!({"name": "One too many"}),
    )
    .await;
    let error: ApiError = decoded(response, StatusCode::CONFLICT).await;
    assert!(
        error.message.contains("the most one person may have"),
        "{}",
        error.message
    );

    let users: AdminUserList = app.get_json(&admin.client, "/api/admin/users").await;
    let counts: Vec<(String, i64)> = users
        .users
        .into_iter()
        .map(|u| (u.username, u.passkeys))
        .collect();
    assert_eq!(
        counts,
        [
            ("admin".to_owned(), 0),
            ("alice".to_owned(), i64::from(limit))
        ]
    );

    let removed = tally::db::passkeys::delete_all_for_user(&app.db, alice.user_id.into())
        .await
        .unwrap();
    assert_eq!(removed, u64::from(limit));
    assert!(passkeys(&app, &alice.client).await.is_empty());
}

#[sqlx::test(migrations = "../../migrations")]
async fn passkeys_need_public_url_to_be_a_domain(db: PgPool) {
    let app = spawn_app_with(db, &[("PUBLIC_URL", "http://192.168.1.5:3001")]).await;
    let alice = app.sign_up("alice").await;
    let response = post(
        &app,
        &alice.client,
        "/api/account/passkeys/register/start",
        json!({"name": "Phone"}),
    )
    .await;
    let error: ApiError = decoded(response, StatusCode::CONFLICT).await;
    assert!(error.message.contains("PUBLIC_URL"), "{}", error.message);
    let response = post(
        &app,
        &alice.client,
        "/api/session/passkey/start",
        json!(null),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
}

/// Each start stores a ceremony for five minutes, and anyone may start one: an address may start
/// as many a minute as it may try log-ins, then gets 429 in the one error shape, and nothing more
/// is stored. Its passkey owner, from another address, signs in all the same.
#[sqlx::test(migrations = "../../migrations")]
async fn passkey_sign_ins_started_from_one_address_are_limited(db: PgPool) {
    let app = spawn_app_at_localhost_with(
        db,
        &[
            ("LOGIN_ATTEMPTS_PER_MINUTE", "2"),
            ("TRUSTED_PROXIES", "127.0.0.1"),
        ],
    )
    .await;
    let origin = app.address.clone();
    let alice = app.sign_up("alice").await;
    let (mut phone, _) = register(&app, &origin, &alice, "Phone").await;
    let stored_before = count(&app.db, "passkey_ceremony").await;

    // Two log-in failures a minute for one name make six attempts a minute for one address.
    let caller = client_with_header("x-forwarded-for", "203.0.113.80");
    for _ in 0..6 {
        start_sign_in(&app, &caller).await;
    }
    let refused = post(&app, &caller, "/api/session/passkey/start", json!(null)).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
    let error: ApiError = refused.json().await.unwrap();
    assert_eq!(error.code, ErrorCode::RateLimited);
    assert_eq!(
        count(&app.db, "passkey_ceremony").await,
        stored_before + 6,
        "a refused start stored a ceremony"
    );

    let elsewhere = client_with_header("x-forwarded-for", "198.51.100.80");
    let ceremony = start_sign_in(&app, &elsewhere).await;
    let answer = phone.sign_in(&ceremony.options, "localhost", &origin);
    let signed_in = finish_sign_in(&app, &elsewhere, ceremony.ceremony, &answer).await;
    assert_eq!(signed_in.status(), StatusCode::OK);
}
