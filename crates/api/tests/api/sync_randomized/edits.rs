//! The person's side of the randomized run: before each round they edit a few of their
//! transactions by hand (`PATCH /api/transactions/{id}`), often pending ones and sometimes what
//! the bank withdraws next; after it, every edit is where the bank's changes put it: on the same
//! transaction when Plaid modified it, on the posted transaction that replaced a pending one
//! (once), and nowhere when the bank removed it.

use crate::helpers::TestApp;
use crate::transaction_edits::{own_category, plaid_category};
use rand::rngs::StdRng;
use rand::Rng;
use reqwest::StatusCode;
use sqlx::PgPool;
use std::collections::{BTreeMap, HashMap, HashSet};
use tally_shared::api::transactions::TransactionEdit;
use tally_shared::ids::{CategoryId, ItemId};
use uuid::Uuid;

/// What the person set by hand on one transaction: its row's person's columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Labels {
    category_id: Option<Uuid>,
    display_name: Option<String>,
    notes: Option<String>,
    tags: Option<Vec<String>>,
    hidden: Option<bool>,
}

impl Labels {
    /// As the API applies `edit`: an absent field stays, `null` clears it, a value sets it.
    fn apply(&mut self, edit: &TransactionEdit) {
        if let Some(category_id) = edit.category_id {
            self.category_id = category_id.map(|id| id.0);
        }
        if let Some(display_name) = &edit.display_name {
            self.display_name.clone_from(display_name);
        }
        if let Some(notes) = &edit.notes {
            self.notes.clone_from(notes);
        }
        if let Some(tags) = &edit.tags {
            self.tags.clone_from(tags);
        }
        if let Some(hidden) = edit.hidden {
            self.hidden = hidden;
        }
    }
}

/// Tags an edit picks from; in lower case and without commas, so they are stored as sent.
const TAGS: [&str; 4] = ["trip", "sam", "work", "gift"];

/// A person with one bank, and what they set by hand on its transactions, by Plaid's id.
pub struct Person {
    name: &'static str,
    client: reqwest::Client,
    item_id: ItemId,
    plaid_item_id: String,
    categories: Vec<CategoryId>,
    labels: BTreeMap<String, Labels>,
    edits: usize,
}

impl Person {
    pub async fn new(
        app: &TestApp,
        name: &'static str,
        client: reqwest::Client,
        item_id: ItemId,
        plaid_item_id: String,
    ) -> Self {
        let mut categories = Vec::new();
        for own in ["Trips", "Shared"] {
            categories.push(own_category(app, &client, own, None).await.id);
        }
        categories.push(plaid_category(app, &client, "TRAVEL_FLIGHTS").await.id);
        Self {
            name,
            client,
            item_id,
            plaid_item_id,
            categories,
            labels: BTreeMap::new(),
            edits: 0,
        }
    }

    /// Edits one to three of the person's transactions while Tally equals the bank: a pending
    /// one (if any), the one the bank's churn withdraws next, or any, a third of the time each;
    /// returns what, for the report.
    pub async fn edit_some(&mut self, app: &TestApp, rng: &mut StdRng) -> String {
        let held: Vec<(Uuid, String, bool)> = sqlx::query_as(
            "select transaction_id, plaid_transaction_id, pending from bank_transaction
             where item_id = $1 order by plaid_transaction_id",
        )
        .bind(self.item_id.0)
        .fetch_all(&app.db)
        .await
        .unwrap();
        let withdrawn_next = self.withdrawn_next(&app.db).await;
        let all: Vec<&(Uuid, String, bool)> = held.iter().collect();
        let pending: Vec<&(Uuid, String, bool)> = held.iter().filter(|t| t.2).collect();
        let doomed: Vec<&(Uuid, String, bool)> = held
            .iter()
            .filter(|t| Some(&t.1) == withdrawn_next.as_ref())
            .collect();
        let mut edited = Vec::new();
        for _ in 0..rng.random_range(1..=3) {
            let from = match rng.random_range(0..6) {
                0..=1 if !doomed.is_empty() => &doomed,
                2..=3 if !pending.is_empty() => &pending,
                _ => &all,
            };
            let (id, plaid_id, is_pending) = from[rng.random_range(0..from.len())];
            let edit = self.random_edit(rng);
            let response = app.edit_transaction(&self.client, id, &edit).await;
            assert_eq!(response.status(), StatusCode::OK, "editing {plaid_id}");
            let labels = self.labels.entry(plaid_id.clone()).or_default();
            labels.apply(&edit);
            if *labels == Labels::default() {
                self.labels.remove(plaid_id);
            }
            edited.push(format!(
                "{}{plaid_id}",
                if *is_pending { "pending " } else { "" }
            ));
        }
        format!("{} edits {}", self.name, edited.join(", "))
    }

    /// The Plaid id of the bank's latest posted transaction dated 3 or more days before the
    /// simulator's today: what a refresh with churn withdraws.
    async fn withdrawn_next(&self, db: &PgPool) -> Option<String> {
        sqlx::query_scalar(
            "select transaction_id from plaid_sim.transaction
             where item_id = $1 and not pending and not removed
               and date < (now() at time zone 'utc')::date
                          + (select offset_days from plaid_sim.clock) - 3
             order by date desc, seq desc limit 1",
        )
        .bind(&self.plaid_item_id)
        .fetch_optional(db)
        .await
        .unwrap()
    }

    /// Each field: left alone, given back, or set (to a value unique to this edit, so that a
    /// label found twice would show).
    fn random_edit(&mut self, rng: &mut StdRng) -> TransactionEdit {
        self.edits += 1;
        let n = self.edits;
        let category = self.categories[rng.random_range(0..self.categories.len())];
        let tags = TAGS
            .iter()
            .filter(|_| rng.random_bool(0.5))
            .map(|tag| (*tag).to_owned())
            .collect();
        let hidden = rng.random_bool(0.3);
        TransactionEdit {
            category_id: change(rng, category),
            display_name: change(rng, format!("{}'s name {n}", self.name)),
            notes: change(rng, format!("{}'s note {n}", self.name)),
            tags: change(rng, tags),
            hidden: change(rng, hidden),
        }
    }

    /// After a round, once Tally equals the bank: the edits move as the bank's changes say. A
    /// transaction still at the bank keeps its own; a pending one that posted hands them to its
    /// posted transaction; a removed one takes them with it. Returns what moved, for the report.
    pub async fn follow_the_bank(&mut self, db: &PgPool) -> String {
        let current: Vec<(String, Option<String>)> = sqlx::query_as(
            "select transaction_id, body->>'pending_transaction_id' from plaid_sim.transaction
             where item_id = $1 and not removed",
        )
        .bind(&self.plaid_item_id)
        .fetch_all(db)
        .await
        .unwrap();
        let at_the_bank: HashSet<&str> = current.iter().map(|(id, _)| id.as_str()).collect();
        let posted_for: HashMap<&str, &str> = current
            .iter()
            .filter_map(|(id, pending)| pending.as_deref().map(|pending| (pending, id.as_str())))
            .collect();
        let (mut posted, mut removed) = (0, 0);
        for (plaid_id, labels) in std::mem::take(&mut self.labels) {
            let holder = if at_the_bank.contains(plaid_id.as_str()) {
                plaid_id.as_str()
            } else if let Some(posted_id) = posted_for.get(plaid_id.as_str()) {
                posted += 1;
                posted_id
            } else {
                removed += 1;
                continue;
            };
            let earlier = self.labels.insert(holder.to_owned(), labels);
            assert_eq!(earlier, None, "two transactions' edits went to {holder}");
        }
        format!(
            "{} has {} edited, {posted} of them from pending ones that posted, and lost {removed} with the bank's removals",
            self.name,
            self.labels.len()
        )
    }

    /// Tally holds the person's edits on exactly the transactions `follow_the_bank` expects,
    /// each once, and on no other.
    pub async fn assert_edits_kept(&self, db: &PgPool, context: &str) {
        #[allow(clippy::type_complexity)]
        let rows: Vec<(
            String,
            Option<Uuid>,
            Option<String>,
            Option<String>,
            Option<Vec<String>>,
            Option<bool>,
        )> = sqlx::query_as(
            "select plaid_transaction_id, user_category_id, user_display_name, notes, user_tags,
                    user_hidden
             from bank_transaction
             where item_id = $1
               and not (user_category_id is null and user_display_name is null
                        and notes is null and user_tags is null and user_hidden is null)",
        )
        .bind(self.item_id.0)
        .fetch_all(db)
        .await
        .unwrap();
        let held: BTreeMap<String, Labels> = rows
            .into_iter()
            .map(
                |(plaid_id, category_id, display_name, notes, tags, hidden)| {
                    let labels = Labels {
                        category_id,
                        display_name,
                        notes,
                        tags,
                        hidden,
                    };
                    (plaid_id, labels)
                },
            )
            .collect();
        assert_eq!(
            held, self.labels,
            "{context}: {}'s edits in Tally (left) are not where the bank's changes put them (right)",
            self.name
        );
    }
}

/// A random change to one field: none (4 in 10), back to the rules and Plaid (1 in 10), or
/// `value`.
fn change<T>(rng: &mut StdRng, value: T) -> Option<Option<T>> {
    match rng.random_range(0..10) {
        0..4 => None,
        4 => Some(None),
        _ => Some(Some(value)),
    }
}
