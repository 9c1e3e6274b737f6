//! The Plaid client against the simulator over HTTP: every method, every error class.

use crate::helpers::{spawn_app, spawn_app_with, TestApp};
use crate::simulator_support::{link, link_token_request};
use secrecy::SecretString;
use sqlx::PgPool;
use std::str::FromStr;
use tally::plaid::types::{
    AccountType, Product, SandboxPublicTokenCreateRequest, SandboxPublicTokenOptions,
};
use tally::plaid::webhook::{
    WebhookRejection, WebhookVerifier, KEY_LOOKUPS_PER_MINUTE, KEY_REFRESH_SECS,
};
use tally::plaid::{ItemAccess, PlaidApiEvent, PlaidClient, PlaidCredentials, PlaidError};
use tally::simulator::SigningKey;
use tokio::sync::mpsc;

const FIRST_PLATYPUS: &str = "ins_109508";

fn client(app: &TestApp) -> (PlaidClient, mpsc::Receiver<PlaidApiEvent>) {
    let (sink, events) = mpsc::channel(100);
    let client = PlaidClient::new(
        url::Url::parse(&app.url("/sim/plaid")).unwrap(),
        PlaidCredentials {
            client_id: "test-client".to_owned(),
            secret: SecretString::from("test-secret"),
        },
    )
    .unwrap()
    .with_events(sink);
    (client, events)
}

fn sandbox_token(username: &str, password: &str) -> SandboxPublicTokenCreateRequest {
    SandboxPublicTokenCreateRequest {
        institution_id: FIRST_PLATYPUS.to_owned(),
        initial_products: vec![Product::Transactions],
        options: Some(SandboxPublicTokenOptions {
            override_username: Some(username.to_owned()),
            override_password: Some(password.to_owned()),
            ..Default::default()
        }),
    }
}

async fn linked_item(plaid: &PlaidClient) -> ItemAccess {
    link(plaid, "user_good", "pass_good", None).await
}

fn code(error: &PlaidError) -> &str {
    error.code().unwrap_or("<no plaid error object>")
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_item_lives_from_public_token_to_removal(db: PgPool) {
    let app = spawn_app(db).await;
    let (plaid, _events) = client(&app);

    let item = linked_item(&plaid).await;
    assert_eq!(item.item_id.len(), 37);

    let got = plaid.item_get(&item).await.unwrap();
    assert_eq!(got.item.item_id, item.item_id);
    assert_eq!(got.item.institution_id.as_deref(), Some(FIRST_PLATYPUS));
    assert_eq!(
        got.item.institution_name.as_deref(),
        Some("First Platypus Bank")
    );
    assert!(got.item.error.is_none());
    assert_eq!(got.request_id.len(), 15);

    let accounts = plaid.accounts_get(&item).await.unwrap();
    assert_eq!(accounts.accounts.len(), 12);
    let k401 = accounts
        .accounts
        .iter()
        .find(|a| a.mask.as_deref() == Some("6666"))
        .unwrap();
    assert_eq!(k401.account_type, AccountType::Investment);
    assert_eq!(
        k401.balances.current,
        Some(rust_decimal::Decimal::from_str("23631.9805").unwrap())
    );
    assert_eq!(k401.balances.available, None);
    assert_eq!(k401.official_name, None);
    let card = accounts
        .accounts
        .iter()
        .find(|a| a.mask.as_deref() == Some("3333"))
        .unwrap();
    assert_eq!(card.subtype.as_deref(), Some("credit card"));
    assert_eq!(
        card.balances.limit,
        Some(rust_decimal::Decimal::new(2000, 0))
    );
    let live = plaid.accounts_balance_get(&item).await.unwrap();
    assert_eq!(live.accounts.len(), 12);

    plaid.item_remove(&item).await.unwrap();
    let gone = plaid.item_get(&item).await.unwrap_err();
    assert_eq!(code(&gone), "INVALID_ACCESS_TOKEN");
    assert!(gone.is_item_gone());
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_login_reset_blocks_data_until_repaired(db: PgPool) {
    let app = spawn_app(db).await;
    let (plaid, _events) = client(&app);
    let item = linked_item(&plaid).await;

    let reset = plaid.sandbox_item_reset_login(&item).await.unwrap();
    assert!(reset.reset_login);

    let error = plaid.accounts_get(&item).await.unwrap_err();
    assert!(error.is_login_required(), "{error}");
    assert_eq!(error.status(), Some(400));
    let got = plaid.item_get(&item).await.unwrap();
    let item_error = got.item.error.expect("item.error while login is required");
    assert_eq!(item_error.error_code, "ITEM_LOGIN_REQUIRED");
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_public_token_works_once(db: PgPool) {
    let app = spawn_app(db).await;
    let (plaid, _events) = client(&app);
    let public = plaid
        .sandbox_public_token_create(&sandbox_token("user_good", "pass_good"))
        .await
        .unwrap();
    let token = SecretString::from(public.public_token);

    plaid.item_public_token_exchange(&token).await.unwrap();
    let again = plaid.item_public_token_exchange(&token).await.unwrap_err();
    assert_eq!(code(&again), "INVALID_PUBLIC_TOKEN");
    let unknown = plaid
        .item_public_token_exchange(&SecretString::from("public-sandbox-nope"))
        .await
        .unwrap_err();
    assert_eq!(code(&unknown), "INVALID_PUBLIC_TOKEN");
}

#[sqlx::test(migrations = "../../migrations")]
async fn link_tokens_for_new_items_and_update_mode(db: PgPool) {
    // The simulator takes redirect URIs at PUBLIC_URL only, as Plaid takes registered ones.
    let app = spawn_app_with(db, &[("PUBLIC_URL", "http://localhost:3001")]).await;
    let (plaid, _events) = client(&app);
    let item = linked_item(&plaid).await;
    let request = |access_token: Option<String>, redirect: &str| {
        link_token_request(access_token, Some(app.url("/webhooks/plaid")), redirect)
    };

    let new_item = plaid
        .link_token_create(&request(None, "http://localhost:3001/oauth-link"))
        .await
        .unwrap();
    assert!(new_item.link_token.starts_with("link-sandbox-"));
    let lifetime = new_item.expiration - chrono::Utc::now();
    assert!(lifetime > chrono::Duration::minutes(230) && lifetime <= chrono::Duration::hours(4));

    let token = "access-sandbox-not-a-token".to_owned();
    let update = plaid
        .link_token_create(&request(
            Some(secrecy::ExposeSecret::expose_secret(&item.access_token).to_owned()),
            "http://localhost:3001/oauth-link",
        ))
        .await
        .unwrap();
    assert!(update.expiration - chrono::Utc::now() <= chrono::Duration::minutes(30));
    let bad_token = plaid
        .link_token_create(&request(Some(token), "http://localhost:3001/oauth-link"))
        .await
        .unwrap_err();
    assert_eq!(code(&bad_token), "INVALID_ACCESS_TOKEN");

    let bad_redirect = plaid
        .link_token_create(&request(None, "http://localhost:3001/oauth-link?x=1"))
        .await
        .unwrap_err();
    assert_eq!(code(&bad_redirect), "INVALID_FIELD");
}

#[sqlx::test(migrations = "../../migrations")]
async fn sandbox_credentials_decide_how_linking_fails(db: PgPool) {
    let app = spawn_app(db).await;
    let (plaid, _events) = client(&app);

    for (username, password, expected) in [
        ("user_good", "wrong", "INVALID_CREDENTIALS"),
        ("user_good", "error_ITEM_LOCKED", "ITEM_LOCKED"),
        ("user_good", "error_INSTITUTION_DOWN", "INSTITUTION_DOWN"),
    ] {
        let error = plaid
            .sandbox_public_token_create(&sandbox_token(username, password))
            .await
            .unwrap_err();
        assert_eq!(code(&error), expected, "{password}");
        assert!(error.request_id().is_some_and(|id| id.len() == 15));
    }
    let mut unknown_bank = sandbox_token("user_good", "pass_good");
    unknown_bank.institution_id = "ins_0".to_owned();
    let error = plaid
        .sandbox_public_token_create(&unknown_bank)
        .await
        .unwrap_err();
    assert_eq!(code(&error), "INVALID_INSTITUTION");
}

#[sqlx::test(migrations = "../../migrations")]
async fn institutions_come_with_their_metadata(db: PgPool) {
    let app = spawn_app(db).await;
    let (plaid, _events) = client(&app);

    let bank = plaid
        .institutions_get_by_id("ins_127287", &["US"], true)
        .await
        .unwrap()
        .institution;
    assert_eq!(bank.name, "Platypus OAuth Bank");
    assert!(bank.oauth);
    assert!(bank.primary_color.is_some_and(|c| c.starts_with('#')));
    let logo = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        bank.logo.unwrap(),
    )
    .unwrap();
    assert_eq!(&logo[1..4], b"PNG");
    let plain = plaid
        .institutions_get_by_id(FIRST_PLATYPUS, &["US"], false)
        .await
        .unwrap();
    assert!(plain.institution.primary_color.is_none());
    let wrong_country = plaid
        .institutions_get_by_id(FIRST_PLATYPUS, &["GB"], false)
        .await
        .unwrap_err();
    assert_eq!(code(&wrong_country), "INVALID_INSTITUTION");
}

#[sqlx::test(migrations = "../../migrations")]
async fn malformed_requests_get_plaids_error_shapes(db: PgPool) {
    let app = spawn_app(db).await;

    let cases = [
        ("/item/get", "not json", 400, "INVALID_BODY"),
        ("/item/get", "{}", 400, "MISSING_FIELDS"),
        (
            "/link/token/create",
            r#"{"client_name":"x"}"#,
            400,
            "MISSING_FIELDS",
        ),
        ("/no/such/endpoint", "{}", 404, "NOT_FOUND"),
    ];
    for (path, body, status, expected) in cases {
        let response = app
            .client
            .post(app.url(&format!("/sim/plaid{path}")))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{path} {body}");
        let error: serde_json::Value = response.json().await.unwrap();
        assert_eq!(error["error_code"], expected, "{path} {body}: {error}");
        assert!(error["request_id"]
            .as_str()
            .is_some_and(|id| id.len() == 15));
        assert!(error["error_type"].is_string() && error["error_message"].is_string());
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn every_call_leaves_an_event_without_secrets(db: PgPool) {
    let app = spawn_app(db).await;
    let (plaid, mut events) = client(&app);
    let item = linked_item(&plaid).await;
    plaid.sandbox_item_reset_login(&item).await.unwrap();
    let _ = plaid.accounts_get(&item).await.unwrap_err();

    let mut seen = Vec::new();
    while let Ok(event) = events.try_recv() {
        seen.push(event);
    }
    let methods: Vec<_> = seen.iter().map(|e| e.method).collect();
    assert_eq!(
        methods,
        [
            "/sandbox/public_token/create",
            "/item/public_token/exchange",
            "/sandbox/item/reset_login",
            "/accounts/get"
        ]
    );
    assert!(seen
        .iter()
        .all(|e| e.request_id.as_ref().is_some_and(|id| id.len() == 15)));
    let failed = seen.last().unwrap();
    assert_eq!(failed.item_id.as_deref(), Some(item.item_id.as_str()));
    assert_eq!(failed.error_code.as_deref(), Some("ITEM_LOGIN_REQUIRED"));
    assert_eq!(failed.error_type.as_deref(), Some("ITEM_ERROR"));
    let printed = format!("{seen:?}");
    assert!(!printed.contains(secrecy::ExposeSecret::expose_secret(&item.access_token)));
    assert!(!printed.contains("test-secret"));
}

#[sqlx::test(migrations = "../../migrations")]
async fn simulator_signed_webhooks_verify_and_forgeries_do_not(db: PgPool) {
    let app = spawn_app(db).await;
    let (verifier, key, _events) = verifier_and_key(&app).await;
    let body = br#"{
  "environment": "sandbox",
  "item_id": "abc",
  "webhook_code": "SYNC_UPDATES_AVAILABLE",
  "webhook_type": "TRANSACTIONS"
}"#;
    let now = chrono::Utc::now().timestamp();
    let jwt = key.sign(body, now).unwrap();

    verifier.verify(Some(&jwt), body, now).await.unwrap();

    let tampered = String::from_utf8_lossy(body).replace("abc", "abd");
    assert!(matches!(
        verifier.verify(Some(&jwt), tampered.as_bytes(), now).await,
        Err(WebhookRejection::BodyMismatch)
    ));
    let stale = key.sign(body, now - 301).unwrap();
    assert!(matches!(
        verifier.verify(Some(&stale), body, now).await,
        Err(WebhookRejection::Stale { .. })
    ));
    assert!(matches!(
        verifier.verify(None, body, now).await,
        Err(WebhookRejection::MissingSignature)
    ));
    // A token naming a key the simulator never issued: Plaid refuses the key id.
    let forged_header = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        r#"{"alg":"ES256","kid":"not-a-key","typ":"JWT"}"#,
    );
    let rest = jwt.split_once('.').unwrap().1;
    let forged = format!("{forged_header}.{rest}");
    match verifier.verify(Some(&forged), body, now).await {
        Err(WebhookRejection::KeyUnavailable(error)) => {
            assert_eq!(code(&error), "INVALID_WEBHOOK_VERIFICATION_KEY_ID")
        }
        other => panic!("forged kid accepted or misjudged: {other:?}"),
    }
}

/// `jwt` with its header replaced by one naming `kid` (the signature no longer matches).
fn naming_key(jwt: &str, kid: &str) -> String {
    let header = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        format!(r#"{{"alg":"ES256","kid":"{kid}","typ":"JWT"}}"#),
    );
    format!("{header}.{}", jwt.split_once('.').unwrap().1)
}

/// A webhook body as Plaid sends it, to sign.
const SYNC_UPDATES: &[u8] = br#"{"webhook_type":"TRANSACTIONS","webhook_code":"SYNC_UPDATES_AVAILABLE","item_id":"abc","environment":"sandbox"}"#;

/// A verifier asking the simulator for keys, the simulator's signing key, and the verifier's
/// calls to Plaid.
async fn verifier_and_key(
    app: &TestApp,
) -> (WebhookVerifier, SigningKey, mpsc::Receiver<PlaidApiEvent>) {
    let (plaid, events) = client(app);
    let key = SigningKey::load_or_create(&app.db).await.unwrap();
    (WebhookVerifier::new(plaid), key, events)
}

fn key_lookups(events: &mut mpsc::Receiver<PlaidApiEvent>) -> u32 {
    let mut lookups = 0;
    while let Ok(event) = events.try_recv() {
        if event.method == "/webhook_verification_key/get" {
            lookups += 1;
        }
    }
    lookups
}

#[sqlx::test(migrations = "../../migrations")]
async fn made_up_key_ids_cost_plaid_few_lookups(db: PgPool) {
    let app = spawn_app(db).await;
    let (verifier, key, mut events) = verifier_and_key(&app).await;
    let body = SYNC_UPDATES;
    let now = chrono::Utc::now().timestamp();
    let genuine = key.sign(body, now).unwrap();

    // Stale or for another body: refused before any key is looked up.
    let stale = naming_key(&key.sign(body, now - 3_600).unwrap(), "made-up-stale");
    assert!(matches!(
        verifier.verify(Some(&stale), body, now).await,
        Err(WebhookRejection::Stale { .. })
    ));
    let altered = naming_key(&genuine, "made-up-altered");
    assert!(matches!(
        verifier.verify(Some(&altered), b"{}", now).await,
        Err(WebhookRejection::BodyMismatch)
    ));
    assert_eq!(key_lookups(&mut events), 0);

    // Plaid's own key, looked up once and cached.
    verifier.verify(Some(&genuine), body, now).await.unwrap();
    assert_eq!(key_lookups(&mut events), 1);

    // Fresh forgeries, each naming a new key: lookups until the minute's budget is spent.
    let mut unknown_to_plaid = 0;
    let mut not_looked_up = 0;
    for n in 0..25 {
        let forged = naming_key(&genuine, &format!("made-up-{n}"));
        match verifier.verify(Some(&forged), body, now).await {
            Err(WebhookRejection::KeyUnavailable(_)) => unknown_to_plaid += 1,
            Err(WebhookRejection::KeyLookupsExhausted) => not_looked_up += 1,
            other => panic!("forgery {n}: {other:?}"),
        }
    }
    assert_eq!(unknown_to_plaid, KEY_LOOKUPS_PER_MINUTE - 1);
    assert_eq!(not_looked_up, 25 - unknown_to_plaid);
    assert_eq!(key_lookups(&mut events), KEY_LOOKUPS_PER_MINUTE - 1);

    // The cached key still verifies while lookups are paused.
    verifier.verify(Some(&genuine), body, now).await.unwrap();
    assert_eq!(key_lookups(&mut events), 0);
}

/// Retires the simulator's signing key (as Plaid does when it rotates keys) at `at`.
async fn expire_signing_key(db: &PgPool, kid: &str, at: i64) {
    sqlx::query(
        "update plaid_sim.signing_key set expired_at = to_timestamp($2::bigint) where kid = $1",
    )
    .bind(kid)
    .bind(at)
    .execute(db)
    .await
    .unwrap();
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_cached_key_is_asked_again_and_refused_once_expired(db: PgPool) {
    let app = spawn_app(db).await;
    let (verifier, key, mut events) = verifier_and_key(&app).await;
    let body = SYNC_UPDATES;
    let now = chrono::Utc::now().timestamp();
    let signed_at = |at: i64| key.sign(body, at).unwrap();

    verifier
        .verify(Some(&signed_at(now)), body, now)
        .await
        .unwrap();
    assert_eq!(key_lookups(&mut events), 1);

    // Plaid retires the key. Until the cached copy is due for a refresh, it is used as it is.
    expire_signing_key(&app.db, &key.kid, now + 10).await;
    let later = now + 5;
    verifier
        .verify(Some(&signed_at(later)), body, later)
        .await
        .unwrap();
    assert_eq!(key_lookups(&mut events), 0);

    // Once due, it is asked of Plaid again, which says it has expired.
    let due = now + KEY_REFRESH_SECS;
    assert!(matches!(
        verifier.verify(Some(&signed_at(due)), body, due).await,
        Err(WebhookRejection::ExpiredKey)
    ));
    assert_eq!(key_lookups(&mut events), 1);
    // An expired key stays refused, without asking Plaid each time.
    assert!(matches!(
        verifier
            .verify(Some(&signed_at(due + 1)), body, due + 1)
            .await,
        Err(WebhookRejection::ExpiredKey)
    ));
    assert_eq!(key_lookups(&mut events), 0);
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_cached_key_is_refused_after_its_expiry_without_asking_plaid(db: PgPool) {
    let app = spawn_app(db).await;
    let (verifier, key, mut events) = verifier_and_key(&app).await;
    let body = br#"{"webhook_type":"ITEM","webhook_code":"LOGIN_REPAIRED","item_id":"abc","environment":"sandbox"}"#;
    let now = chrono::Utc::now().timestamp();
    // Plaid has announced the key's retirement a minute from now.
    expire_signing_key(&app.db, &key.kid, now + 60).await;

    verifier
        .verify(Some(&key.sign(body, now).unwrap()), body, now)
        .await
        .unwrap();
    let after = now + 61;
    assert!(matches!(
        verifier
            .verify(Some(&key.sign(body, after).unwrap()), body, after)
            .await,
        Err(WebhookRejection::ExpiredKey)
    ));
    assert_eq!(key_lookups(&mut events), 1);
}
