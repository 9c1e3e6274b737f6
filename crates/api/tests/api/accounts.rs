//! `GET /api/accounts`.

use crate::api_calls::assert_unauthorized;
use crate::fixtures::{account, alpha_bank, item, money};
use crate::helpers::spawn_app;
use sqlx::PgPool;
use tally_shared::api::accounts::AccountList;

#[sqlx::test(migrations = "../../migrations")]
async fn lists_every_account_by_bank_type_and_name(db: PgPool) {
    let app = spawn_app(db).await;
    let alice = app.sign_up("alice").await;
    let zeta = item(&app.db, alice.user_id, "ins_2", "Zeta Bank").await;
    let alpha = alpha_bank(&app.db, alice.user_id).await;
    account(zeta, "Everyday").insert(&app.db).await;
    let card = account(alpha, "Rewards Card")
        .kind("credit", Some("credit card"))
        .balances(Some("410.25"), Some("3589.75"), Some("4000"))
        .insert(&app.db)
        .await;
    account(alpha, "Mortgage")
        .kind("loan", Some("mortgage"))
        .balances(Some("250000.00"), None, None)
        .insert(&app.db)
        .await;
    account(alpha, "Savings")
        .kind("depository", Some("savings"))
        .no_mask()
        .insert(&app.db)
        .await;
    account(alpha, "Checking").insert(&app.db).await;
    account(alpha, "Bitcoin")
        .kind("crypto", None)
        .currency(None, Some("BTC"))
        .balances(Some("0.00012345"), None, None)
        .insert(&app.db)
        .await;

    let list: AccountList = app.get_json(&alice.client, "/api/accounts").await;

    let order: Vec<(&str, &str, &str, bool)> = list
        .accounts
        .iter()
        .map(|a| {
            (
                a.institution_name.as_str(),
                a.account_type.as_str(),
                a.name.as_str(),
                a.is_liability,
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            ("Alpha Credit Union", "credit", "Rewards Card", true),
            ("Alpha Credit Union", "crypto", "Bitcoin", false),
            ("Alpha Credit Union", "depository", "Checking", false),
            ("Alpha Credit Union", "depository", "Savings", false),
            ("Alpha Credit Union", "loan", "Mortgage", true),
            ("Zeta Bank", "depository", "Everyday", false),
        ]
    );

    let rewards = &list.accounts[0];
    assert_eq!(rewards.id.0, card.account_id);
    assert_eq!(rewards.item_id.0, card.item_id);
    assert_eq!(rewards.institution_id, "ins_1");
    assert_eq!(rewards.subtype.as_deref(), Some("credit card"));
    assert_eq!(rewards.mask.as_deref(), Some("0000"));
    assert_eq!(rewards.current_balance, Some(money("410.25")));
    assert_eq!(rewards.available_balance, Some(money("3589.75")));
    assert_eq!(rewards.credit_limit, Some(money("4000")));
    assert_eq!(rewards.currency.as_deref(), Some("USD"));
    let bitcoin = &list.accounts[1];
    assert_eq!(bitcoin.currency.as_deref(), Some("BTC"));
    assert_eq!(bitcoin.current_balance, Some(money("0.00012345")));
    assert_eq!(list.accounts[3].mask, None);

    // Balances are strings on the wire, never floats.
    let raw: serde_json::Value = app.get_json(&alice.client, "/api/accounts").await;
    assert_eq!(raw["accounts"][0]["current_balance"], "410.25");
    assert_eq!(raw["accounts"][0]["type"], "credit");
}

#[sqlx::test(migrations = "../../migrations")]
async fn nobody_sees_anyone_elses_accounts(db: PgPool) {
    let app = spawn_app(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let bank = alpha_bank(&app.db, alice.user_id).await;
    account(bank, "Checking").insert(&app.db).await;

    let mine: AccountList = app.get_json(&alice.client, "/api/accounts").await;
    let theirs: AccountList = app.get_json(&bob.client, "/api/accounts").await;

    assert_eq!(mine.accounts.len(), 1);
    assert!(theirs.accounts.is_empty());
}

#[sqlx::test(migrations = "../../migrations")]
async fn logged_out_is_unauthorized(db: PgPool) {
    let app = spawn_app(db).await;

    let response = app.get("/api/accounts").await;

    assert_unauthorized(response).await;
}
