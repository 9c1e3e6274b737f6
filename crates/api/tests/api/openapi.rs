//! The OpenAPI document covers every route, and every route it names exists.

use crate::helpers::spawn_app;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

/// Every route under /api. Adding a route means adding it here and to the document.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/api/health"),
    ("get", "/api/config"),
    ("get", "/api/openapi.json"),
    ("get", "/api/session"),
    ("post", "/api/session"),
    ("delete", "/api/session"),
    ("post", "/api/users"),
    ("delete", "/api/users/me"),
    ("put", "/api/account/password"),
    ("get", "/api/account/sessions"),
    ("delete", "/api/account/sessions"),
    ("delete", "/api/account/sessions/{session_id}"),
    ("get", "/api/account/passkeys"),
    ("post", "/api/account/passkeys/register/start"),
    ("post", "/api/account/passkeys/register/finish"),
    ("delete", "/api/account/passkeys/{passkey_id}"),
    ("post", "/api/session/passkey/start"),
    ("post", "/api/session/passkey/finish"),
    ("get", "/api/account/totp"),
    ("post", "/api/account/totp"),
    ("delete", "/api/account/totp"),
    ("post", "/api/account/totp/confirm"),
    ("post", "/api/account/totp/recovery-codes"),
    ("post", "/api/session/two-factor"),
    ("get", "/api/admin/users"),
    ("delete", "/api/admin/users/{user_id}"),
    ("patch", "/api/admin/users/{user_id}"),
    ("post", "/api/admin/users/{user_id}/two-factor/reset"),
    ("get", "/api/admin/invites"),
    ("post", "/api/admin/invites"),
    ("delete", "/api/admin/invites/{invite_id}"),
    ("get", "/api/items"),
    ("post", "/api/items"),
    ("get", "/api/items/{item_id}"),
    ("delete", "/api/items/{item_id}"),
    ("post", "/api/items/{item_id}/refresh"),
    ("post", "/api/items/{item_id}/login-repaired"),
    ("post", "/api/items/{item_id}/sandbox/reset-login"),
    ("post", "/api/link/token"),
    ("post", "/api/link/events"),
    ("post", "/webhooks/plaid"),
    ("get", "/api/ws"),
    ("get", "/api/accounts"),
    ("get", "/api/transactions"),
    ("get", "/api/transactions/export.csv"),
    ("get", "/api/transactions/{transaction_id}"),
    ("patch", "/api/transactions/{transaction_id}"),
    ("put", "/api/transactions/{transaction_id}/splits"),
    ("delete", "/api/transactions/{transaction_id}/splits"),
    ("post", "/api/transactions/{transaction_id}/transfer"),
    ("delete", "/api/transactions/{transaction_id}/transfer"),
    ("get", "/api/institutions/{institution_id}"),
    ("get", "/api/assets"),
    ("post", "/api/assets"),
    ("delete", "/api/assets/{asset_id}"),
    ("get", "/api/categories"),
    ("post", "/api/categories"),
    ("patch", "/api/categories/{category_id}"),
    ("delete", "/api/categories/{category_id}"),
    ("get", "/api/budgets"),
    ("post", "/api/budgets/copy"),
    ("put", "/api/budgets/{category_id}"),
    ("delete", "/api/budgets/{category_id}"),
    ("get", "/api/budgets/{category_id}/history"),
    ("get", "/api/rules"),
    ("post", "/api/rules"),
    ("patch", "/api/rules/{rule_id}"),
    ("delete", "/api/rules/{rule_id}"),
    ("post", "/api/rules/preview"),
    ("post", "/api/rules/{rule_id}/apply"),
    ("get", "/api/recurring"),
    ("patch", "/api/recurring/{stream_id}"),
    ("get", "/api/insights/net-worth"),
    ("get", "/api/insights/net-worth/history"),
    ("get", "/api/insights/spending"),
    ("get", "/api/insights/upcoming"),
    ("get", "/api/insights/cash-flow"),
];

#[sqlx::test(migrations = "../../migrations")]
async fn the_document_lists_every_route_and_nothing_else(db: PgPool) {
    let app = spawn_app(db).await;

    let response = app.get("/api/openapi.json").await;

    assert_eq!(response.status(), StatusCode::OK);
    let doc: Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    documented.sort();
    let mut expected: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    expected.sort();
    assert_eq!(documented, expected);
    for schema in [
        "ApiError",
        "SessionResponse",
        "HealthResponse",
        "AdminUserList",
        "RegisterRequest",
        "DeleteAccountRequest",
        "ChangePasswordRequest",
        "ActiveSessionList",
        "UpdateUserRequest",
        "CreatedInvite",
        "InviteList",
        "ServerEvent",
        "AccountList",
        "TransactionPage",
        "Institution",
        "AssetList",
        "NewAsset",
        "CategoryList",
        "NewCategory",
        "CategoryChanges",
        "NetWorth",
        "NetWorthHistory",
        "Spending",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "schema {schema} missing"
        );
    }

    // A category holds its detailed categories: a reference to itself, not an endless schema.
    assert_eq!(
        doc["components"]["schemas"]["CategoryTotal"]["properties"]["detailed"]["items"]["$ref"],
        "#/components/schemas/CategoryTotal"
    );

    // Every documented route is really there: no route answers the generic 404.
    for (method, path) in ROUTES {
        let id = uuid::Uuid::new_v4().to_string();
        let url = app.url(
            &path
                .replace("{user_id}", &id)
                .replace("{asset_id}", &id)
                .replace("{category_id}", &id)
                .replace("{session_id}", &id)
                .replace("{transaction_id}", &id)
                .replace("{institution_id}", "ins_109508"),
        );
        let request = match *method {
            "get" => app.client.get(url),
            // Any body will do: the route only has to exist, not to accept it.
            "post" => app.client.post(url).json(&serde_json::json!({})),
            "put" => app.client.put(url).json(&serde_json::json!({})),
            "patch" => app.client.patch(url).json(&serde_json::json!({})),
            _ => app.client.delete(url),
        };
        let status = request.send().await.unwrap().status();
        assert!(
            status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} answered {status}"
        );
    }
}
