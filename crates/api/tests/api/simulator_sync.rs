//! `/transactions/sync` against the simulator: pages, cursors, refresh churn, mutation during
//! pagination, webhooks, recurring streams. The reference loop below is what Tally's sync
//! engine must do; after every round its state must equal the simulator's ground truth.

use crate::simulator_support::{link, simulator, Replica};
use sqlx::PgPool;

#[sqlx::test(migrations = "../../migrations")]
async fn two_years_of_history_arrive_in_pages_exactly_once(db: PgPool) {
    let (app, plaid) = simulator(db).await;
    let item = link(&plaid, "user_good", "pass_good", None).await;
    let mut replica = Replica::default();

    let pages = replica.sync(&plaid, &item, 500).await.unwrap();

    assert!(
        pages >= 2,
        "a two-year history needs several pages of 500, got {pages}"
    );
    assert!(
        replica.transactions.len() > 1000,
        "{} transactions",
        replica.transactions.len()
    );
    replica.assert_matches_truth(&app.db, &item).await;
    let dates: Vec<_> = replica.transactions.values().map(|t| t.date).collect();
    let span = *dates.iter().max().unwrap() - *dates.iter().min().unwrap();
    assert!(
        span.num_days() >= 700,
        "history spans {} days",
        span.num_days()
    );
    assert!(replica.transactions.values().any(|t| t.pending));
    assert!(replica
        .transactions
        .values()
        .all(|t| t.iso_currency_code.as_deref() == Some("USD")));

    // Nothing changed: the next run brings nothing.
    let again = plaid
        .transactions_sync(&item, replica.cursor.as_deref(), 500)
        .await
        .unwrap();
    assert!(again.added.is_empty() && again.modified.is_empty() && again.removed.is_empty());
    assert!(!again.has_more);
    assert!(again
        .accounts
        .iter()
        .all(|a| a.account_type != tally::plaid::types::AccountType::Investment));
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_dynamic_refresh_posts_adds_removes_and_modifies(db: PgPool) {
    let (app, plaid) = simulator(db).await;
    let item = link(&plaid, "user_transactions_dynamic", "any", None).await;
    let mut replica = Replica::default();
    replica.sync(&plaid, &item, 500).await.unwrap();
    let pending_before: Vec<String> = replica
        .transactions
        .values()
        .filter(|t| t.pending)
        .map(|t| t.transaction_id.clone())
        .collect();
    assert!(!pending_before.is_empty());

    plaid.transactions_refresh(&item).await.unwrap();
    let changes = plaid
        .transactions_sync(&item, replica.cursor.as_deref(), 500)
        .await
        .unwrap();

    assert!(changes.added.len() >= 3, "added {}", changes.added.len());
    assert!(
        !changes.modified.is_empty(),
        "a dollar correction is a modification"
    );
    let removed: Vec<_> = changes
        .removed
        .iter()
        .map(|r| r.transaction_id.clone())
        .collect();
    for pending_id in &pending_before {
        assert!(
            removed.contains(pending_id),
            "pending {pending_id} was not replaced"
        );
        let posted = changes
            .added
            .iter()
            .find(|t| t.pending_transaction_id.as_deref() == Some(pending_id))
            .unwrap_or_else(|| panic!("no posted transaction for pending {pending_id}"));
        assert!(!posted.pending);
    }
    replica.sync_to_truth(&plaid, &item, 500, &app.db).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_change_during_pagination_forces_a_restart_and_loses_nothing(db: PgPool) {
    let (app, plaid) = simulator(db).await;
    let item = link(&plaid, "user_transactions_dynamic", "any", None).await;

    let first = plaid.transactions_sync(&item, None, 100).await.unwrap();
    assert!(first.has_more);
    plaid.transactions_refresh(&item).await.unwrap();
    let error = plaid
        .transactions_sync(&item, Some(&first.next_cursor), 100)
        .await
        .unwrap_err();
    assert!(error.is_mutation_during_pagination(), "{error}");

    let mut replica = Replica::default();
    replica.sync_to_truth(&plaid, &item, 100, &app.db).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn sync_refuses_bad_input_and_broken_logins(db: PgPool) {
    let (_app, plaid) = simulator(db).await;
    let item = link(&plaid, "user_good", "pass_good", None).await;

    let bad_cursor = plaid
        .transactions_sync(&item, Some("bm9wZQ"), 100)
        .await
        .unwrap_err();
    assert_eq!(bad_cursor.code(), Some("INVALID_FIELD"));
    let too_many = plaid.transactions_sync(&item, None, 501).await.unwrap_err();
    assert_eq!(too_many.code(), Some("INVALID_FIELD"));

    plaid.sandbox_item_reset_login(&item).await.unwrap();
    let error = plaid.transactions_sync(&item, None, 100).await.unwrap_err();
    assert!(error.is_login_required());
    let error = plaid.transactions_refresh(&item).await.unwrap_err();
    assert!(error.is_login_required());
}

#[sqlx::test(migrations = "../../migrations")]
async fn recurring_streams_find_salary_and_subscriptions(db: PgPool) {
    let (_app, plaid) = simulator(db).await;
    let item = link(&plaid, "user_good", "pass_good", None).await;

    let recurring = plaid.transactions_recurring_get(&item).await.unwrap();

    let salary = recurring
        .inflow_streams
        .iter()
        .find(|s| s.merchant_name.as_deref() == Some("Gusto"))
        .expect("a salary stream");
    assert_eq!(salary.frequency.as_str(), "SEMI_MONTHLY");
    assert_eq!(
        salary.average_amount.amount,
        Some(rust_decimal::Decimal::new(-285_000, 2))
    );
    let netflix = recurring
        .outflow_streams
        .iter()
        .find(|s| s.merchant_name.as_deref() == Some("Netflix"))
        .expect("a Netflix stream");
    assert_eq!(netflix.frequency.as_str(), "MONTHLY");
    assert!(netflix.is_active);
    assert!(netflix.transaction_ids.len() >= 12);
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_custom_user_chooses_size_currency_and_accounts(db: PgPool) {
    let (_app, plaid) = simulator(db).await;
    let config = r#"{"transactions": 3000, "history_days": 60, "currency": "EUR", "seed": 11,
        "accounts": [{"type": "depository", "subtype": "checking", "balance": "2500.00"},
                     {"type": "credit", "subtype": "credit card", "balance": "120.50", "limit": "3000"}]}"#;
    let item = link(&plaid, "user_custom", config, None).await;

    let accounts = plaid.accounts_get(&item).await.unwrap().accounts;
    assert_eq!(accounts.len(), 2);
    assert!(accounts
        .iter()
        .all(|a| a.balances.iso_currency_code.as_deref() == Some("EUR")));
    let mut replica = Replica::default();
    replica.sync(&plaid, &item, 500).await.unwrap();
    let count = replica.transactions.len();
    assert!(
        (2700..=3600).contains(&count),
        "{count} transactions for a 3000 target"
    );
    assert!(replica
        .transactions
        .values()
        .all(|t| t.iso_currency_code.as_deref() == Some("EUR")));
}

#[sqlx::test(migrations = "../../migrations")]
async fn merchant_logos_are_served_by_the_simulator_itself(db: PgPool) {
    let (app, plaid) = simulator(db).await;
    let item = link(&plaid, "user_good", "pass_good", None).await;
    let mut replica = Replica::default();
    replica.sync(&plaid, &item, 500).await.unwrap();

    // Plaid's logo host cannot be reached offline: every logo is the simulator's own, on the
    // same origin as Tally's pages, and loads.
    let mut logos: Vec<&str> = replica
        .transactions
        .values()
        .filter_map(|t| t.logo_url.as_deref())
        .collect();
    logos.sort_unstable();
    logos.dedup();
    assert!(logos.len() > 10, "only {} logos", logos.len());
    for logo in logos {
        assert!(
            logo.starts_with("/sim/plaid/merchant-logos/") && logo.ends_with(".png"),
            "{logo}"
        );
        let response = app.get(logo).await;
        assert_eq!(response.status(), 200, "{logo}");
        assert_eq!(response.headers()["content-type"], "image/png");
        assert_eq!(&response.bytes().await.unwrap()[1..4], b"PNG");
    }
    let unknown = app.get("/sim/plaid/merchant-logos/nobody_1.png").await;
    assert_eq!(unknown.status(), 404);
}
