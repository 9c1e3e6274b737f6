//! Simulated banking activity: what happens in a person's accounts on a given day.
//!
//! A day's activity depends only on the item's seed and the date, so history generated at link
//! time and days generated later by advancing the clock are the same data.

mod legacy_category;
mod merchants;

use crate::config::SIMULATOR_MOUNT;
use chrono::{Datelike, NaiveDate};
use merchants::Merchant;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use serde_json::{json, Value};

/// What an account is for, so activity lands where it would in real life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Checking,
    Savings,
    Card,
    StudentLoan,
    Mortgage,
}

impl Role {
    /// The role of an account with this Plaid type and subtype, if activity uses it.
    pub fn of(account_type: &str, subtype: Option<&str>) -> Option<Self> {
        match (account_type, subtype) {
            ("depository", Some("checking")) => Some(Self::Checking),
            ("depository", Some("savings")) => Some(Self::Savings),
            ("credit", Some("credit card")) => Some(Self::Card),
            ("loan", Some("student")) => Some(Self::StudentLoan),
            ("loan", Some("mortgage")) => Some(Self::Mortgage),
            _ => None,
        }
    }
}

/// One transaction of a day, before it gets an id.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub role: Role,
    pub merchant: &'static Merchant,
    /// Money out of the account positive, in the account's currency.
    pub amount: Decimal,
}

/// A day's activity for an item with accounts in `roles`. `extra` adds that many more everyday
/// purchases (large custom histories).
pub fn day(seed: u64, date: NaiveDate, roles: &[Role], extra: u32) -> Vec<Draft> {
    let mut rng = StdRng::seed_from_u64(day_seed(seed, date));
    let has = |role| roles.contains(&role);
    let spend_on = if has(Role::Card) {
        Role::Card
    } else {
        Role::Checking
    };
    let mut drafts = Vec::new();
    if !has(Role::Checking) && !has(Role::Card) {
        return drafts;
    }
    let push = |drafts: &mut Vec<Draft>, role, merchant: &'static Merchant, cents: i64| {
        drafts.push(Draft {
            role,
            merchant,
            amount: Decimal::new(cents, 2),
        });
    };
    let day_of_month = date.day();

    if has(Role::Checking) {
        if day_of_month == 1 || day_of_month == 15 {
            push(
                &mut drafts,
                Role::Checking,
                &merchants::SALARY,
                merchants::SALARY.min_cents,
            );
        }
        if day_of_month == 1 {
            if has(Role::Mortgage) {
                let cents = merchants::MORTGAGE_PAYMENT.min_cents;
                push(
                    &mut drafts,
                    Role::Checking,
                    &merchants::MORTGAGE_PAYMENT,
                    cents,
                );
                push(
                    &mut drafts,
                    Role::Mortgage,
                    &merchants::LOAN_PAYMENT_RECEIVED,
                    -cents,
                );
            } else {
                push(
                    &mut drafts,
                    Role::Checking,
                    &merchants::RENT,
                    merchants::RENT.min_cents,
                );
            }
        }
        if day_of_month == 3 && has(Role::Savings) {
            let cents = merchants::TO_SAVINGS.min_cents;
            push(&mut drafts, Role::Checking, &merchants::TO_SAVINGS, cents);
            push(
                &mut drafts,
                Role::Savings,
                &merchants::FROM_CHECKING,
                -cents,
            );
        }
        if day_of_month == 5 && has(Role::StudentLoan) {
            let cents = merchants::STUDENT_LOAN_PAYMENT.min_cents;
            push(
                &mut drafts,
                Role::Checking,
                &merchants::STUDENT_LOAN_PAYMENT,
                cents,
            );
            push(
                &mut drafts,
                Role::StudentLoan,
                &merchants::LOAN_PAYMENT_RECEIVED,
                -cents,
            );
        }
        for (bill_day, bill) in merchants::BILLS {
            if *bill_day == day_of_month {
                push(&mut drafts, Role::Checking, bill, amount_in(&mut rng, bill));
            }
        }
        if day_of_month == 20 && has(Role::Card) {
            let cents = amount_in(&mut rng, &merchants::CARD_PAYMENT);
            push(&mut drafts, Role::Checking, &merchants::CARD_PAYMENT, cents);
            push(
                &mut drafts,
                Role::Card,
                &merchants::CARD_PAYMENT_RECEIVED,
                -cents,
            );
        }
        if chance(&mut rng, 20) {
            push(
                &mut drafts,
                Role::Checking,
                &merchants::ATM,
                pick_round(&mut rng),
            );
            push(
                &mut drafts,
                Role::Checking,
                &merchants::ATM_FEE,
                merchants::ATM_FEE.min_cents,
            );
        }
    }
    if has(Role::Savings) && date.succ_opt().is_some_and(|next| next.day() == 1) {
        push(
            &mut drafts,
            Role::Savings,
            &merchants::INTEREST,
            amount_in(&mut rng, &merchants::INTEREST),
        );
    }
    for (charge_day, subscription) in merchants::SUBSCRIPTIONS {
        if *charge_day == day_of_month {
            push(&mut drafts, spend_on, subscription, subscription.min_cents);
        }
    }
    let everyday: [(&[Merchant], u32); 7] = [
        (merchants::GROCERIES, 260),
        (merchants::COFFEE, 400),
        (merchants::EATING_OUT, 450),
        (merchants::RIDES, 200),
        (merchants::FUEL, 120),
        (merchants::SHOPPING, 150),
        (merchants::TRAVEL, 15),
    ];
    for (pool, per_mille) in everyday {
        if chance(&mut rng, per_mille) {
            let merchant = pick(&mut rng, pool);
            push(
                &mut drafts,
                spend_on,
                merchant,
                amount_in(&mut rng, merchant),
            );
        }
    }
    if chance(&mut rng, 20) {
        // A refund: money back from a shop, negative.
        let merchant = pick(&mut rng, merchants::SHOPPING);
        push(
            &mut drafts,
            spend_on,
            merchant,
            -amount_in(&mut rng, merchant),
        );
    }
    for _ in 0..extra {
        let (pool, _) = everyday[rng.random_range(0..everyday.len())];
        let merchant = pick(&mut rng, pool);
        push(
            &mut drafts,
            spend_on,
            merchant,
            amount_in(&mut rng, merchant),
        );
    }
    drafts
}

fn day_seed(seed: u64, date: NaiveDate) -> u64 {
    let day = u64::from(date.num_days_from_ce().unsigned_abs());
    seed.rotate_left(17) ^ day.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn chance(rng: &mut StdRng, per_mille: u32) -> bool {
    rng.random_range(0..1000) < per_mille
}

fn pick<'a>(rng: &mut StdRng, pool: &'a [Merchant]) -> &'a Merchant {
    &pool[rng.random_range(0..pool.len())]
}

fn amount_in(rng: &mut StdRng, merchant: &Merchant) -> i64 {
    if merchant.min_cents >= merchant.max_cents {
        merchant.min_cents
    } else {
        rng.random_range(merchant.min_cents..=merchant.max_cents)
    }
}

/// ATM amounts come in twenties.
fn pick_round(rng: &mut StdRng) -> i64 {
    rng.random_range(3..=5) * 2000
}

/// Plaid's transaction object for a draft (`reference/plaid-api.md` §3.8).
pub fn transaction_body(
    transaction_id: &str,
    account_id: &str,
    currency: &str,
    draft: &Draft,
    date: NaiveDate,
    pending: bool,
    pending_transaction_id: Option<&str>,
) -> Value {
    let merchant = draft.merchant;
    // Plaid's logos live on `https://plaid-merchant-logos.plaid.com/<slug>.png`, which cannot
    // load offline (and a failed image is an error in the browser's console). The simulator
    // draws its own and serves them itself. It does not know the host browsers reach Tally by,
    // so, unlike Plaid, the URL is root-relative: right when the simulator is mounted in Tally
    // (the default), as Tally's pages are served from the same origin.
    let logo_url = merchant.logo.map(merchant_logo_url);
    let counterparties = match merchant.merchant_name {
        Some(name) => json!([{
            "name": name,
            "type": if merchant.primary == "INCOME" { "income_source" } else { "merchant" },
            "logo_url": logo_url,
            "website": merchant.website,
            "entity_id": merchant.logo.map(entity_id),
            "confidence_level": merchant.confidence,
        }]),
        None => json!([]),
    };
    let legacy = legacy_category::legacy_category(merchant.primary, merchant.detailed);
    let hierarchy = legacy.map(|(hierarchy, _)| hierarchy);
    json!({
        "transaction_id": transaction_id,
        "account_id": account_id,
        "amount": crate::simulator::plaid_number(draft.amount),
        "iso_currency_code": currency,
        "unofficial_currency_code": null,
        "date": date,
        "authorized_date": date,
        "authorized_datetime": null,
        "datetime": null,
        "pending": pending,
        "pending_transaction_id": pending_transaction_id,
        "name": merchant.description,
        "merchant_name": merchant.merchant_name,
        "merchant_entity_id": merchant.logo.map(entity_id),
        "logo_url": logo_url,
        "website": merchant.website,
        "payment_channel": merchant.channel,
        "personal_finance_category": {
            "primary": merchant.primary,
            "detailed": merchant.detailed,
            "confidence_level": merchant.confidence,
            "version": "v2",
        },
        "personal_finance_category_icon_url":
            format!("https://plaid-category-icons.plaid.com/PFC_{}.png", merchant.primary),
        "counterparties": counterparties,
        "location": {
            "address": null, "city": null, "region": null, "postal_code": null,
            "country": null, "lat": null, "lon": null, "store_number": null,
        },
        "payment_meta": {
            "reference_number": null, "ppd_id": null, "payee": null, "by_order_of": null,
            "payer": null,
            "payment_method": if merchant.channel == "other" { Value::from("ACH") } else { Value::Null },
            "payment_processor": null, "reason": null,
        },
        "account_owner": null,
        "check_number": null,
        "transaction_code": null,
        // Deprecated, and still sent by Plaid to teams that predate personal finance categories.
        "category": hierarchy,
        "category_id": legacy.map(|(_, id)| id),
        "transaction_type": legacy_category::transaction_type(hierarchy, merchant.channel),
    })
}

/// Where the simulator serves a merchant's logo (`routes::merchant_logo`).
pub fn merchant_logo_url(slug: &str) -> String {
    format!("{SIMULATOR_MOUNT}/merchant-logos/{slug}.png")
}

/// The name of the merchant whose logo has this slug.
pub fn merchant_of_logo(slug: &str) -> Option<&'static str> {
    merchants::by_logo(slug).and_then(|merchant| merchant.merchant_name)
}

/// A stable merchant entity id derived from the logo slug.
fn entity_id(slug: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(slug.as_bytes());
    digest
        .iter()
        .take(12)
        .map(|b| {
            char::from(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                    [usize::from(*b) % 62],
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &[Role] = &[
        Role::Checking,
        Role::Savings,
        Role::Card,
        Role::StudentLoan,
        Role::Mortgage,
    ];

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_day_is_the_same_every_time_for_a_seed() {
        let first = day(42, date(2026, 3, 1), ALL, 0);
        assert_eq!(first, day(42, date(2026, 3, 1), ALL, 0));
        let many: Vec<_> = (1..=28)
            .map(|d| day(42, date(2026, 2, d), ALL, 0))
            .collect();
        let other: Vec<_> = (1..=28)
            .map(|d| day(43, date(2026, 2, d), ALL, 0))
            .collect();
        assert_ne!(many, other);
    }

    #[test]
    fn paydays_bills_and_transfers_land_where_they_belong() {
        let first = day(7, date(2026, 3, 1), ALL, 0);
        let salary = first
            .iter()
            .find(|d| d.merchant.detailed == "INCOME_SALARY")
            .unwrap();
        assert_eq!(
            (salary.role, salary.amount),
            (Role::Checking, Decimal::new(-285_000, 2))
        );
        let mortgage: Vec<_> = first
            .iter()
            .filter(|d| {
                d.merchant.detailed == "LOAN_PAYMENTS_MORTGAGE_PAYMENT" || d.role == Role::Mortgage
            })
            .collect();
        assert_eq!(mortgage.len(), 2);
        assert_eq!(mortgage[0].amount, -mortgage[1].amount);

        let card_payments: Vec<_> = day(7, date(2026, 3, 20), ALL, 0)
            .into_iter()
            .filter(|d| d.merchant.primary == "LOAN_PAYMENTS")
            .collect();
        assert_eq!(card_payments.len(), 2);
        assert_eq!(card_payments[0].role, Role::Checking);
        assert_eq!(card_payments[1].role, Role::Card);
        assert_eq!(card_payments[0].amount, -card_payments[1].amount);
    }

    #[test]
    fn a_year_looks_like_a_life() {
        let mut count = 0;
        let mut categories = std::collections::BTreeSet::new();
        let mut refunds = 0;
        let mut current = date(2025, 1, 1);
        while current.year() == 2025 {
            for draft in day(99, current, ALL, 0) {
                count += 1;
                categories.insert(draft.merchant.primary);
                if draft.amount.is_sign_negative()
                    && draft.merchant.primary == "GENERAL_MERCHANDISE"
                {
                    refunds += 1;
                }
            }
            current = current.succ_opt().unwrap();
        }
        assert!(
            (600..2500).contains(&count),
            "{count} transactions in a year"
        );
        assert!(categories.len() >= 10, "{categories:?}");
        assert!(refunds > 0);
        let extra = day(99, date(2025, 6, 1), ALL, 300);
        assert!(extra.len() >= 300);
    }

    #[test]
    fn bodies_carry_plaids_fields() {
        let draft = &day(1, date(2026, 3, 1), ALL, 0)[0];
        let body = transaction_body("t1", "a1", "USD", draft, date(2026, 3, 1), true, None);
        let parsed: crate::plaid::types::Transaction =
            serde_json::from_value(body.clone()).unwrap();
        assert_eq!(parsed.amount, draft.amount);
        assert!(parsed.pending);
        assert_eq!(
            parsed.personal_finance_category.unwrap().detailed,
            draft.merchant.detailed
        );
        assert!(body["location"]
            .as_object()
            .unwrap()
            .contains_key("store_number"));
        assert!(
            body["amount"].is_number(),
            "Plaid amounts are JSON numbers: {body}"
        );
    }
}
