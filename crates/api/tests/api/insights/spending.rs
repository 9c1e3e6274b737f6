//! `/api/insights/spending` against a hand-computed March.

use super::refused;
use crate::helpers::spawn_app;
use crate::insights_fixtures::{
    dec, insert_account, insert_item, insert_transaction, AccountSpec, TransactionSpec,
};
use chrono::{Datelike, Days, Utc};
use rust_decimal::Decimal;
use sqlx::PgPool;
use tally_shared::api::insights::{CategoryTotal, MerchantTotal, Spending};
use uuid::Uuid;

/// A category's total as these tests write it: Plaid's code (or, for a person's own category,
/// its name), the total, the count, and the categories under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Total {
    pub(super) category: String,
    pub(super) total: Decimal,
    pub(super) transactions: i64,
    pub(super) detailed: Vec<Total>,
}

/// The response's categories as `Total`s.
pub(super) fn totals(categories: &[CategoryTotal]) -> Vec<Total> {
    categories
        .iter()
        .map(|c| Total {
            category: c.plaid_code.clone().unwrap_or_else(|| c.name.clone()),
            total: c.total,
            transactions: c.transactions,
            detailed: totals(&c.detailed),
        })
        .collect()
}

pub(super) fn category(name: &str, total: &str, transactions: i64, detailed: Vec<Total>) -> Total {
    Total {
        category: name.to_owned(),
        total: dec(total),
        transactions,
        detailed,
    }
}

pub(super) fn detailed(name: &str, total: &str, transactions: i64) -> Total {
    category(name, total, transactions, Vec::new())
}

/// A category of one transaction, so of one detailed category.
fn single(name: &str, detailed_name: &str, total: &str) -> Total {
    category(name, total, 1, vec![detailed(detailed_name, total, 1)])
}

pub(super) fn merchant(name: &str, total: &str, transactions: i64) -> MerchantTotal {
    MerchantTotal {
        merchant: name.to_owned(),
        total: dec(total),
        transactions,
    }
}

const COFFEE: (&str, &str) = ("FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE");
const GROCERIES: (&str, &str) = ("FOOD_AND_DRINK", "FOOD_AND_DRINK_GROCERIES");
const ELECTRONICS: (&str, &str) = ("GENERAL_MERCHANDISE", "GENERAL_MERCHANDISE_ELECTRONICS");
const CONVENIENCE: (&str, &str) = (
    "GENERAL_MERCHANDISE",
    "GENERAL_MERCHANDISE_CONVENIENCE_STORES",
);
const LODGING: (&str, &str) = ("TRAVEL", "TRAVEL_LODGING");
const FLIGHTS: (&str, &str) = ("TRAVEL", "TRAVEL_FLIGHTS");
const ATM_FEES: (&str, &str) = ("BANK_FEES", "BANK_FEES_ATM_FEES");

/// Ana's March 2026: what counts, what does not, and a pending flight.
async fn march(db: &PgPool, user: Uuid) {
    let bank = insert_item(db, user, "ins_1").await;
    let checking = AccountSpec::usd("depository", Some("checking"), "0");
    let checking = insert_account(db, user, bank, checking).await;
    let euros = AccountSpec::iso("EUR", "depository", Some("checking"), "0");
    let euros = insert_account(db, user, bank, euros).await;
    let buy = TransactionSpec::purchase;
    let uncategorised = |amount| TransactionSpec {
        category: None,
        merchant: None,
        ..buy(amount, "2026-03-18", COFFEE, "MYSTERY SHOP")
    };
    let bank_entry = |amount, detailed| TransactionSpec {
        merchant: None,
        ..buy(amount, "2026-03-25", detailed, "BANK ENTRY")
    };
    let mut usd = vec![
        buy("4.50", "2026-03-02", COFFEE, "Starbucks"),
        buy("5.25", "2026-03-09", COFFEE, "Starbucks"),
        buy("120.00", "2026-03-10", GROCERIES, "Whole Foods"),
        buy("300.00", "2026-03-05", ELECTRONICS, "Best Buy"),
        // A refund: shown apart, not netted against electronics or Best Buy.
        buy("-50.00", "2026-03-12", ELECTRONICS, "Best Buy"),
        // Bank fees are spending; no merchant name, so the description names it.
        TransactionSpec {
            merchant: None,
            ..buy("3.00", "2026-03-15", ATM_FEES, "ATM FEE")
        },
        buy("210.00", "2026-03-22", LODGING, "Hilton"),
        // Not categorised: OTHER when money goes out; money in is not a refund.
        uncategorised("20.00"),
        uncategorised("-15.00"),
        // Not spending, whatever the sign.
        bank_entry("500", ("TRANSFER_OUT", "TRANSFER_OUT_SAVINGS")),
        bank_entry("-500", ("TRANSFER_IN", "TRANSFER_IN_SAVINGS")),
        bank_entry(
            "250",
            ("LOAN_PAYMENTS", "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT"),
        ),
        bank_entry("-3000", ("INCOME", "INCOME_SALARY")),
        bank_entry("5850", ("INCOME", "INCOME_SALARY")),
        bank_entry(
            "-1000",
            ("LOAN_DISBURSEMENTS", "LOAN_DISBURSEMENTS_PERSONAL"),
        ),
        bank_entry("40", ("LOAN_DISBURSEMENTS", "LOAN_DISBURSEMENTS_PERSONAL")),
        // Outside the period on either side.
        buy("1000", "2026-02-28", COFFEE, "Starbucks"),
        buy("1000", "2026-04-01", COFFEE, "Starbucks"),
        // Pending: only when asked.
        TransactionSpec {
            pending: true,
            ..buy("400.00", "2026-03-20", FLIGHTS, "United Airlines")
        },
    ];
    let kiosks = ["1.10", "2.20", "3.30", "4.40", "5.50", "6.60"];
    let names: Vec<String> = (1..=kiosks.len()).map(|n| format!("Kiosk {n}")).collect();
    for (amount, name) in kiosks.iter().zip(&names) {
        usd.push(buy(amount, "2026-03-28", CONVENIENCE, name));
    }
    for spec in usd {
        insert_transaction(db, user, bank, checking, spec).await;
    }
    let eur = [
        buy(
            "45.00",
            "2026-03-03",
            ("FOOD_AND_DRINK", "FOOD_AND_DRINK_RESTAURANT"),
            "Le Bistro",
        ),
        buy(
            "2.10",
            "2026-03-04",
            ("TRANSPORTATION", "TRANSPORTATION_PUBLIC_TRANSIT"),
            "RATP",
        ),
        // A category with a refund only: counted in refunds, not listed as spending.
        buy(
            "-10.00",
            "2026-03-06",
            ("ENTERTAINMENT", "ENTERTAINMENT_TV_AND_MOVIES"),
            "Cinema",
        ),
    ];
    for spec in eur {
        let spec = TransactionSpec {
            currency: "EUR",
            ..spec
        };
        insert_transaction(db, user, bank, euros, spec).await;
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn spending_by_category_with_refunds_apart(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let ana = app.sign_up("ana").await;
    let bob = app.sign_up("bob").await;
    march(&db, ana.user_id).await;
    march(&db, bob.user_id).await;

    let spending: Spending = app
        .get_json(
            &ana.client,
            "/api/insights/spending?from=2026-03-01&to=2026-03-31",
        )
        .await;

    assert!(!spending.include_pending);
    let currencies: Vec<_> = spending
        .currencies
        .iter()
        .map(|c| c.currency.as_str())
        .collect();
    assert_eq!(currencies, ["EUR", "USD"]);
    let (eur, usd) = (&spending.currencies[0], &spending.currencies[1]);

    assert_eq!(usd.total, dec("685.85"));
    assert_eq!(usd.refunds, dec("50.00"));
    assert_eq!(
        totals(&usd.categories),
        vec![
            category(
                "GENERAL_MERCHANDISE",
                "323.10",
                7,
                vec![
                    detailed("GENERAL_MERCHANDISE_ELECTRONICS", "300.00", 1),
                    detailed("GENERAL_MERCHANDISE_CONVENIENCE_STORES", "23.10", 6),
                ]
            ),
            single("TRAVEL", "TRAVEL_LODGING", "210.00"),
            category(
                "FOOD_AND_DRINK",
                "129.75",
                3,
                vec![
                    detailed("FOOD_AND_DRINK_GROCERIES", "120.00", 1),
                    detailed("FOOD_AND_DRINK_COFFEE", "9.75", 2),
                ]
            ),
            single("OTHER", "OTHER_OTHER", "20.00"),
            single("BANK_FEES", "BANK_FEES_ATM_FEES", "3.00"),
        ]
    );
    assert_eq!(
        usd.top_merchants,
        vec![
            merchant("Best Buy", "300.00", 1),
            merchant("Hilton", "210.00", 1),
            merchant("Whole Foods", "120.00", 1),
            merchant("MYSTERY SHOP", "20.00", 1),
            merchant("Starbucks", "9.75", 2),
            merchant("Kiosk 6", "6.60", 1),
            merchant("Kiosk 5", "5.50", 1),
            merchant("Kiosk 4", "4.40", 1),
            merchant("Kiosk 3", "3.30", 1),
            merchant("ATM FEE", "3.00", 1),
        ]
    );

    assert_eq!((eur.total, eur.refunds), (dec("47.10"), dec("10.00")));
    let eur_categories: Vec<_> = totals(&eur.categories)
        .into_iter()
        .map(|c| c.category)
        .collect();
    assert_eq!(eur_categories, ["FOOD_AND_DRINK", "TRANSPORTATION"]);
    assert_eq!(eur.top_merchants.len(), 2);

    // With pending: the flight counts, tops travel and the merchants, and pushes out the fee.
    let with_pending: Spending = app
        .get_json(
            &ana.client,
            "/api/insights/spending?from=2026-03-01&to=2026-03-31&include_pending=true",
        )
        .await;
    assert!(with_pending.include_pending);
    let usd = &with_pending.currencies[1];
    assert_eq!(usd.total, dec("1085.85"));
    assert_eq!(
        totals(&usd.categories)[0],
        category(
            "TRAVEL",
            "610.00",
            2,
            vec![
                detailed("TRAVEL_FLIGHTS", "400.00", 1),
                detailed("TRAVEL_LODGING", "210.00", 1),
            ]
        )
    );
    assert_eq!(
        usd.top_merchants[0],
        merchant("United Airlines", "400.00", 1)
    );
    assert_eq!(usd.top_merchants.len(), 10);
    assert_eq!(usd.top_merchants[9], merchant("Kiosk 3", "3.30", 1));
}

#[sqlx::test(migrations = "../../migrations")]
async fn spending_defaults_to_this_month_so_far(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let ana = app.sign_up("ana").await;
    let bank = insert_item(&db, ana.user_id, "ins_1").await;
    let spec = AccountSpec::usd("depository", Some("checking"), "0");
    let checking = insert_account(&db, ana.user_id, bank, spec).await;
    let today = Utc::now().date_naive();
    let first = today.with_day(1).unwrap();
    let last_month = first.checked_sub_days(Days::new(1)).unwrap();
    let (today_s, last_month_s) = (today.to_string(), last_month.to_string());
    for (amount, date) in [("7.00", &today_s), ("8.00", &last_month_s)] {
        let spec = TransactionSpec::purchase(amount, date, COFFEE, "Starbucks");
        insert_transaction(&db, ana.user_id, bank, checking, spec).await;
    }

    let spending: Spending = app.get_json(&ana.client, "/api/insights/spending").await;

    assert_eq!(spending.from, spending.to.with_day(1).unwrap());
    assert!(spending.to >= today, "{}", spending.to);
    assert_eq!(spending.currencies.len(), 1);
    assert_eq!(spending.currencies[0].total, dec("7.00"));

    let backwards = refused(
        &app,
        &ana.client,
        "/api/insights/spending?from=2026-03-02&to=2026-03-01",
    )
    .await;
    assert_eq!(backwards.fields[0].field, "from");
}
