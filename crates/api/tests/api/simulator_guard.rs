//! The simulator's control and sandbox routes answer only callers on the same machine or with
//! its secret (`PLAID-SECRET`).
//!
//! Every test server here listens on loopback, and every address in 127.0.0.0/8 is loopback, so
//! a real socket cannot show a stranger's call. The stranger is made with actix's test
//! requests instead, whose peer address is set, against the very `simulator::configure` that
//! Tally and `tally simulator` mount. The address rule itself is unit-tested in
//! `simulator::guard` (IPv4, IPv6, IPv4-mapped).

use crate::helpers::{count, spawn_app_with};
use crate::simulator_support::{link_token_request, plaid};
use actix_web::http::Method;
use actix_web::{test, web, App};
use secrecy::SecretString;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::net::SocketAddr;
use tally::simulator::{Simulator, SimulatorKeys};

const SECRET: &str = "sim-secret";

/// Every control and sandbox route, with a body it would accept, and a route under the
/// control prefix that does not exist (the guard covers the prefix, not a list).
fn guarded_routes() -> Vec<(Method, &'static str, Value)> {
    let item = json!({ "access_token": "access-sandbox-x", "client_id": "sim", "secret": SECRET });
    vec![
        (Method::POST, "/control/clock/advance", json!({ "days": 1 })),
        (
            Method::POST,
            "/control/faults",
            json!({ "endpoint": "/item/get", "kind": "server_error", "count": 1 }),
        ),
        (Method::GET, "/control/faults", Value::Null),
        (Method::DELETE, "/control/faults", Value::Null),
        (Method::GET, "/control/items/item-x", Value::Null),
        (Method::POST, "/control/no-such-control", json!({})),
        (
            Method::POST,
            "/sandbox/public_token/create",
            json!({ "institution_id": "ins_109508", "initial_products": ["transactions"],
                    "client_id": "sim", "secret": SECRET }),
        ),
        (Method::POST, "/sandbox/item/reset_login", item.clone()),
        (
            Method::POST,
            "/sandbox/item/fire_webhook",
            json!({ "access_token": "access-sandbox-x", "webhook_code": "DEFAULT_UPDATE",
                    "client_id": "sim", "secret": SECRET }),
        ),
    ]
}

/// The simulator as Tally mounts it, with keys, as an in-process actix service.
macro_rules! simulator_service {
    ($db:expr) => {{
        let keys = SimulatorKeys {
            client_id: "sim".to_owned(),
            secret: SecretString::from(SECRET),
        };
        let simulator = web::Data::new(Simulator::new($db, Some(keys), None).await.unwrap());
        test::init_service(
            App::new().configure(|cfg| tally::simulator::configure(cfg, simulator.clone())),
        )
        .await
    }};
}

fn request(peer: &str, method: Method, path: &str, body: &Value) -> test::TestRequest {
    let peer: SocketAddr = peer.parse().unwrap();
    let request = test::TestRequest::default()
        .method(method)
        .uri(&format!("/sim/plaid{path}"))
        .peer_addr(peer);
    if body.is_null() {
        request
    } else {
        request.set_json(body)
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn strangers_are_refused_on_every_control_and_sandbox_route(db: PgPool) {
    let service = simulator_service!(db.clone());
    let strangers = [
        "192.0.2.7:40000",
        "[2001:db8::7]:40000",
        "[::ffff:192.0.2.7]:40000",
    ];
    for peer in strangers {
        for (method, path, body) in guarded_routes() {
            let response = test::call_service(
                &service,
                request(peer, method.clone(), path, &body)
                    // Anyone can write these: they must not make a stranger local.
                    .insert_header(("X-Forwarded-For", "127.0.0.1"))
                    .insert_header(("Forwarded", "for=127.0.0.1"))
                    .insert_header(("X-Real-IP", "127.0.0.1"))
                    .insert_header(("PLAID-SECRET", "not-the-secret"))
                    .to_request(),
            )
            .await;
            assert_eq!(response.status(), 403, "{peer} {method} {path}");
            let error: Value = test::read_body_json(response).await;
            assert_eq!(error["error_type"], "INVALID_REQUEST", "{peer} {path}");
            assert_eq!(error["error_code"], "FORBIDDEN", "{peer} {path}");
            assert!(
                error["error_message"]
                    .as_str()
                    .unwrap()
                    .contains("PLAID-SECRET"),
                "{error}"
            );
            assert!(error["request_id"].is_string(), "{error}");
        }
        // Spelling the prefix differently does not get around the guard.
        let sneaky = test::call_service(
            &service,
            request(peer, Method::GET, "/%63ontrol/faults", &Value::Null).to_request(),
        )
        .await;
        assert!(!sneaky.status().is_success(), "{peer}: {}", sneaky.status());
    }

    // A reverse proxy on this machine passing a stranger's request on is not a local caller.
    for (header, value) in [
        ("X-Forwarded-For", "192.0.2.7"),
        ("Forwarded", "for=192.0.2.7"),
        ("X-Real-IP", "192.0.2.7"),
    ] {
        let proxied = test::call_service(
            &service,
            request(
                "127.0.0.1:40000",
                Method::POST,
                "/control/clock/advance",
                &json!({ "days": 1 }),
            )
            .insert_header((header, value))
            .to_request(),
        )
        .await;
        assert_eq!(proxied.status(), 403, "through a local proxy ({header})");
    }

    // Nothing the strangers asked for happened.
    let local = test::call_service(
        &service,
        request(
            "127.0.0.1:40000",
            Method::GET,
            "/control/faults",
            &Value::Null,
        )
        .to_request(),
    )
    .await;
    assert_eq!(local.status(), 200);
    let faults: Value = test::read_body_json(local).await;
    assert_eq!(faults["faults"], json!([]));
    assert_eq!(count(&db, "plaid_sim.item").await, 0);
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_secret_opens_the_controls_to_another_machine(db: PgPool) {
    let service = simulator_service!(db.clone());
    let stranger = "192.0.2.7:40000";
    let with_secret = |method, path, body: &Value| {
        request(stranger, method, path, body)
            .insert_header(("PLAID-SECRET", SECRET))
            .to_request()
    };

    let fault = json!({ "endpoint": "/item/get", "kind": "server_error", "count": 2 });
    let added = test::call_service(
        &service,
        with_secret(Method::POST, "/control/faults", &fault),
    )
    .await;
    assert_eq!(added.status(), 200);
    let listed: Value = test::call_and_read_body_json(
        &service,
        with_secret(Method::GET, "/control/faults", &Value::Null),
    )
    .await;
    assert_eq!(listed["faults"][0]["count"], 2);

    let body = json!({ "institution_id": "ins_109508", "initial_products": ["transactions"],
                       "client_id": "sim", "secret": SECRET });
    let created: Value = test::call_and_read_body_json(
        &service,
        with_secret(Method::POST, "/sandbox/public_token/create", &body),
    )
    .await;
    assert!(
        created["public_token"]
            .as_str()
            .is_some_and(|t| t.starts_with("public-")),
        "{created}"
    );
    assert_eq!(count(&db, "plaid_sim.item").await, 1);
}

#[sqlx::test(migrations = "../../migrations")]
async fn link_and_plaids_own_api_stay_open_to_strangers(db: PgPool) {
    let service = simulator_service!(db);
    let stranger = "192.0.2.7:40000";
    for path in ["/link-initialize.js", "/link.css", "/link/institutions"] {
        let response = test::call_service(
            &service,
            request(stranger, Method::GET, path, &Value::Null).to_request(),
        )
        .await;
        assert_eq!(response.status(), 200, "{path}");
    }
    // Plaid's API checks the keys itself, as Plaid does.
    let search = json!({ "query": "Platypus", "country_codes": ["US"],
                         "client_id": "sim", "secret": SECRET });
    let response = test::call_service(
        &service,
        request(stranger, Method::POST, "/institutions/search", &search).to_request(),
    )
    .await;
    assert_eq!(response.status(), 200);
}

/// With `PLAID_CLIENT_ID` and `PLAID_SECRET` in simulator mode, the built-in simulator wants
/// them as Plaid does, and Tally's own client sends them.
#[sqlx::test(migrations = "../../migrations")]
async fn tallys_simulator_requires_the_configured_keys(db: PgPool) {
    let app = spawn_app_with(
        db,
        &[
            ("PLAID_ENV", "simulator"),
            ("PLAID_CLIENT_ID", "sim"),
            ("PLAID_SECRET", SECRET),
        ],
    )
    .await;
    let refused = plaid(&app)
        .link_token_create(&link_token_request(
            None,
            None,
            "http://localhost/oauth-link",
        ))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some("INVALID_API_KEYS"));

    let person = app.sign_up("alice").await;
    let response = app
        .create_link_token(&person.client, &Default::default())
        .await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
}

/// A browser on this machine running a page whose DNS name was rebound to the simulator's
/// address connects from loopback but names its own host: it is not a local caller.
#[sqlx::test(migrations = "../../migrations")]
async fn a_page_rebound_to_this_machine_is_not_a_local_caller(db: PgPool) {
    let service = simulator_service!(db.clone());
    let advance = |host: &str| {
        request(
            "127.0.0.1:40000",
            Method::POST,
            "/control/clock/advance",
            &json!({ "days": 1 }),
        )
        .insert_header(("Host", host))
        .to_request()
    };
    for host in [
        "rebound.example:3000",
        "rebound.example",
        "localhost.evil.example",
    ] {
        let response = test::call_service(&service, advance(host)).await;
        assert_eq!(response.status(), 403, "Host: {host}");
    }
    for host in ["localhost:3000", "127.0.0.1:3000", "[::1]:3000"] {
        let response = test::call_service(&service, advance(host)).await;
        assert_eq!(response.status(), 200, "Host: {host}");
    }
}
