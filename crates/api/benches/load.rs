//! `make bench`: the real `tally` binary (release) against the PostgreSQL in `DATABASE_URL`,
//! with the Plaid simulator in a process of its own (`tally simulator`), so that the numbers and
//! the memory are Tally's and the simulator's apart. Prints numbers; asserts nothing about speed
//! (machines here are shared and noisy).
//!
//! 1. The initial sync of a simulator `user_custom` item with 100,000 transactions, end to end
//!    (`POST /api/items` until the item reports its first sync), in transactions per second.
//! 2. A second item brings the user to 250,000 transactions; at once (no pause, before any
//!    `ANALYZE`) a first page, a search, a year of spending and the budgets; then
//!    `GET /api/transactions` (a first page, a deep page, searches), the insights routes (spending
//!    over this month, last month, a year and all time), recurring streams and the month's
//!    budgets (30, with three months of rollover), p50/p95 over repeated calls, each with the
//!    issue's target;
//!    Tally's own recurring detector over all of them.
//! 3. With 10,000 of those transactions edited by hand and 1,000 split, a rule's preview and
//!    applying it to the past (`POST /api/rules/{id}/apply`), for a merchant's rule and for one
//!    that matches every food and drink transaction; each applied again, with nothing to change;
//!    then every transaction exported as CSV.
//! 4. The server's resident memory afterwards.
//! 5. The web app as the server sends it for the first page (wasm + JS + CSS, what `index.html`
//!    loads, without the pages it loads later): brotli, gzip, and uncompressed, against the
//!    target of 250 KB brotli.
//! 6. Headless Chromium: the code the home page and the signed-in dashboard loaded (the first
//!    download and the parts), and the dashboard's calls as the page makes them: kept-alive,
//!    compressed.
//! 7. Removing the second bank (`DELETE /api/items/{id}`), its transactions, splits and
//!    edits with it; the later steps run with the first bank's transactions only.
//! 8. Ingest against PostgreSQL's own ceiling (right after 1.): one `INSERT … SELECT` of the same
//!    rows into a copy of `bank_transaction` with the same indexes; and the statements the sync
//!    spent its database time on, when `pg_stat_statements` is loaded (`make bench` loads it).
//! 9. Scale: two Tally processes on the one PostgreSQL, two sync workers each, syncing items
//!    for several people at once, then reading from both; every item's transactions are
//!    compared with the simulator's (none may be duplicated, lost, or left after removal).
//! 10. The one process `make start` runs (simulator mode, the simulator inside it): its memory
//!     just started, and after a person links a 100,000-transaction bank.
//!
//! `BENCH_ONLY=ingest make bench` runs 1, 8 and 9 only; `BENCH_ONLY=memory make bench`, 10.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::as_conversions,
    clippy::float_arithmetic
)]

#[path = "load/browser.rs"]
mod browser;

use chrono::Datelike;
use reqwest::Client;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const FIRST_ITEM: u32 = 100_000;
const SECOND_ITEM: u32 = 150_000;
const REPEATS: usize = 200;
const EDITED: i64 = 10_000;
const SPLIT: i64 = 1_000;
/// Budgets set before the reads: one per spending category, up to this many.
const BUDGETS: usize = 30;
const PASSWORD: &str = "a long enough password";
/// Every row of figures pads its label (indented by two) to this width, so the figures line up.
const LABEL_WIDTH: usize = 76;

#[tokio::main]
async fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this too, without it.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("the load benchmark runs with `make bench`");
        return;
    }
    let database_url = std::env::var("DATABASE_URL").expect("DATABASE_URL (make bench sets it)");
    if std::env::var("BENCH_ONLY").is_ok_and(|only| only == "memory") {
        simulator_mode_memory(&database_url).await;
        return;
    }
    let simulator_port = free_port();
    let simulator = Process::start(
        &database_url,
        &[
            "simulator",
            "--port",
            &simulator_port.to_string(),
            "--client-id",
            "bench",
            "--secret",
            "bench",
        ],
        &[],
    );
    let simulator_url = format!("http://127.0.0.1:{simulator_port}/sim/plaid");
    wait_until_up(&format!("{simulator_url}/link-initialize.js")).await;
    let (server, base) = Process::tally(&database_url, &simulator_url, &[]);
    let client = Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(600))
        .build()
        .unwrap();
    wait_until_up(&format!("{base}/api/health")).await;
    let response = client
        .post(format!("{base}/api/users"))
        .json(&json!({"username": "bench", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "register: {}",
        response.status()
    );

    println!("Tally benchmark (release build, {} cores)", cores());
    println!();
    let sim = (&client, simulator_url.as_str());
    let statements = IngestStatements::start(&database_url).await;
    let (count, seconds) = link_and_sync(&client, &base, sim, "ins_109508", FIRST_ITEM, 1).await;
    println!(
        "initial sync, {count} transactions: {seconds:.1} s end to end = {:.0} transactions/s \
         (target >= 60000, floor 40000)",
        count as f64 / seconds
    );
    statements.print().await;
    ingest_ceiling(&database_url, count, seconds).await;
    if std::env::var("BENCH_ONLY").is_ok_and(|only| only == "ingest") {
        drop(server);
        ingest_at_scale(&database_url, &simulator_url).await;
        return;
    }
    let (second, seconds) = link_and_sync(&client, &base, sim, "ins_109509", SECOND_ITEM, 2).await;
    println!(
        "second item, {second} transactions: {seconds:.1} s = {:.0} transactions/s",
        second as f64 / seconds
    );
    let total = count + second;
    println!();
    first_reads(&client, &base, total).await;
    println!();
    println!("reads at {total} transactions ({REPEATS} requests each, one at a time):");

    let streams = wait_for_streams(&client, &base).await;
    let budgets = set_budgets(&client, &base, BUDGETS, true).await;
    println!("  ({streams} recurring streams stored after the syncs; {budgets} budgets set)");
    let deep_cursor = cursor_at_depth(&client, &base, total * 4 / 5).await;
    let (rare, rare_count, primary, primary_count) = categories_to_list(&database_url).await;
    let today = chrono::Utc::now().date_naive();
    let spending =
        |from: chrono::NaiveDate| format!("/api/insights/spending?from={from}&to={today}");
    let last_month = today.with_day(1).unwrap() - chrono::Months::new(1);
    // (label, path, target p95 in ms; 0 where the issue sets none)
    let reads = [
        (
            "GET /api/transactions, first page of 50",
            "/api/transactions?limit=50".to_owned(),
            15,
        ),
        (
            "GET /api/transactions, page of 50 at 80% depth",
            format!("/api/transactions?limit=50&cursor={deep_cursor}"),
            15,
        ),
        (
            "GET /api/transactions?q=coffee (50)",
            "/api/transactions?limit=50&q=coffee".to_owned(),
            15,
        ),
        (
            "GET /api/transactions?q=coffee at 80% depth",
            format!("/api/transactions?limit=50&q=coffee&cursor={deep_cursor}"),
            15,
        ),
        (
            "GET /api/transactions?category=FOOD_AND_DRINK (50)",
            "/api/transactions?limit=50&category=FOOD_AND_DRINK".to_owned(),
            15,
        ),
        (
            &*format!("GET /api/transactions?category_id=…, a category of {rare_count} (50)"),
            format!("/api/transactions?limit=50&category_id={rare}"),
            15,
        ),
        (
            &*format!("GET /api/transactions?category_id=…, a primary of {primary_count} (50)"),
            format!("/api/transactions?limit=50&category_id={primary}"),
            15,
        ),
        (
            "GET /api/insights/net-worth",
            "/api/insights/net-worth".to_owned(),
            0,
        ),
        (
            "GET /api/insights/net-worth/history (90 days)",
            "/api/insights/net-worth/history".to_owned(),
            0,
        ),
        (
            "GET /api/insights/net-worth/history (the dashboard's)",
            format!(
                "/api/insights/net-worth/history?from={}",
                today - chrono::Months::new(59)
            ),
            10,
        ),
        (
            "GET /api/insights/spending (this month)",
            "/api/insights/spending".to_owned(),
            20,
        ),
        (
            "GET /api/insights/spending (last month)",
            format!(
                "/api/insights/spending?from={last_month}&to={}",
                today.with_day(1).unwrap() - chrono::Days::new(1)
            ),
            20,
        ),
        (
            "GET /api/insights/spending (one year)",
            spending(today - chrono::Days::new(365)),
            20,
        ),
        (
            "GET /api/insights/spending (all time)",
            spending(chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap()),
            20,
        ),
        ("GET /api/recurring", "/api/recurring".to_owned(), 20),
        (
            "GET /api/budgets (this month, with rollover)",
            "/api/budgets".to_owned(),
            20,
        ),
        (
            "GET /api/insights/upcoming (30 days)",
            "/api/insights/upcoming?days=30".to_owned(),
            20,
        ),
        (
            "GET /api/insights/cash-flow (90 days)",
            "/api/insights/cash-flow?days=90".to_owned(),
            20,
        ),
    ];
    for (label, path, target) in reads {
        let (p50, p95) = latency(&client, &format!("{base}{path}")).await;
        println!(
            "  {label:<LABEL_WIDTH$} p50 {p50:>7.2} ms   p95 {p95:>7.2} ms{}",
            target_of(target)
        );
    }
    // The same budgets from this month on without rollover: one month of spending to read.
    set_budgets(&client, &base, BUDGETS, false).await;
    let (p50, p95) = latency(&client, &format!("{base}/api/budgets")).await;
    let label = "GET /api/budgets (this month, no rollover)";
    println!(
        "  {label:<LABEL_WIDTH$} p50 {p50:>7.2} ms   p95 {p95:>7.2} ms{}",
        target_of(20)
    );
    println!();
    detect_recurring(&database_url).await;
    println!();
    label_by_hand(&database_url, EDITED, SPLIT).await;
    println!("rules at {total} transactions, {EDITED} edited by hand and {SPLIT} split:");
    apply_rules(&client, &base).await;
    export_everything(&client, &base).await;
    // What the dashboard reads below from Chromium, from this client first: the same state of
    // the data, so the difference between the two is the browser's.
    println!("  the dashboard's budgets and spending after them, from this client:");
    for (label, path) in [
        ("GET /api/budgets", "/api/budgets".to_owned()),
        (
            "GET /api/insights/spending (this month)",
            format!(
                "/api/insights/spending?from={}&to={}&include_pending=false",
                today.with_day(1).unwrap(),
                today.with_day(1).unwrap() + chrono::Months::new(1) - chrono::Days::new(1)
            ),
        ),
    ] {
        let (p50, p95) = latency(&client, &format!("{base}{path}")).await;
        println!("  {label:<LABEL_WIDTH$} p50 {p50:>7.2} ms   p95 {p95:>7.2} ms");
    }
    println!();
    let (rss, peak) = server.memory();
    println!("tally's memory: {rss} MiB resident now, {peak} MiB at peak (target ≤ 100 MiB)");
    let (rss, peak) = simulator.memory();
    println!("the simulator's (a separate process): {rss} MiB resident now, {peak} MiB at peak");
    println!();
    println!(
        "the web app's wasm + JS + CSS as sent for the first page, what index.html loads \
         (target: brotli ≤ 250 KB, floor 361 KB; the parts a page loads after it are below):"
    );
    for encoding in ["br", "gzip", "identity"] {
        let bytes = app_code_bytes(&client, &base, encoding).await;
        println!(
            "  {encoding:<8} {:>6.0} KB ({bytes} bytes)",
            bytes as f64 / 1000.0
        );
    }
    println!();
    browser::dashboard_calls(&base, "bench", PASSWORD).await;
    println!();
    remove_bank(&client, &base, &database_url, "ins_109509").await;
    println!();
    drop(server);
    ingest_at_scale(&database_url, &simulator_url).await;
    simulator_mode_memory(&database_url).await;
}

/// The one process `make start` runs (simulator mode: the simulator inside Tally, keeping its
/// banks in PostgreSQL): its memory just started, and after a person links a bank as large as
/// the first item and its sync, the recurring refresh and the statistics after it are done.
async fn simulator_mode_memory(database_url: &str) {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let tally = Process::start(
        database_url,
        &[],
        &[
            ("PORT", port.to_string()),
            ("PUBLIC_URL", base.clone()),
            // The bench's database already has its administrator.
            ("REGISTRATION", "open".to_owned()),
            // As `make start` (scripts/start.sh) and the Docker image run it.
            ("MALLOC_ARENA_MAX", "2".to_owned()),
        ],
    );
    wait_until_up(&format!("{base}/api/health")).await;
    let (idle, _) = tally.memory();
    let client = Client::builder().cookie_store(true).build().unwrap();
    answer(
        client
            .post(format!("{base}/api/users"))
            .json(&json!({"username": "solo", "password": PASSWORD})),
    )
    .await;
    let simulator_url = format!("{base}/sim/plaid");
    let (count, _) = link_and_sync(
        &client,
        &base,
        (&client, &simulator_url),
        "ins_109508",
        FIRST_ITEM,
        3,
    )
    .await;
    wait_for_streams(&client, &base).await;
    // What runs after the job (ANALYZE, the rollup's compaction) has a moment to finish.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (rss, peak) = tally.memory();
    println!("the one process `make start` runs (the simulator inside it):");
    println!("  just started: {idle} MiB resident (target ≤ 30 MiB)");
    println!(
        "  after linking a bank of {count} transactions: {rss} MiB resident, {peak} MiB at peak \
         (target ≤ 100 MiB)"
    );
}

/// A transaction's id, account, date, amount, currency, merchant and description.
type StoredOccurrence = (
    uuid::Uuid,
    uuid::Uuid,
    chrono::NaiveDate,
    rust_decimal::Decimal,
    Option<String>,
    Option<String>,
    String,
);

/// Times Tally's own recurring detector over every stored transaction (what it runs on for an
/// item whose bank does not offer Plaid's recurring product), apart from reading them.
async fn detect_recurring(database_url: &str) {
    use tally::domain::recurring::{detect, Occurrence};
    let db = sqlx::PgPool::connect(database_url).await.unwrap();
    let rows: Vec<StoredOccurrence> = sqlx::query_as(
        "select transaction_id, account_id, date, amount, iso_currency_code, merchant_name, name
             from bank_transaction where not pending",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    db.close().await;
    let occurrences: Vec<Occurrence> = rows
        .into_iter()
        .map(
            |(id, account, date, amount, currency, merchant_name, name)| Occurrence {
                transaction_id: id.into(),
                account_id: account.into(),
                date,
                amount,
                currency: currency.unwrap_or_else(|| "USD".to_owned()),
                merchant_name,
                name,
            },
        )
        .collect();
    let today = chrono::Utc::now().date_naive();
    let started = Instant::now();
    let streams = detect(&occurrences, today);
    let seconds = started.elapsed().as_secs_f64();
    let label = format!(
        "recurring detector over {} transactions ({} streams)",
        occurrences.len(),
        streams.len()
    );
    let width = LABEL_WIDTH + 2;
    println!("{label:<width$} {:>7.0} ms", seconds * 1000.0);
}

/// Removes the person's bank of `institution_id` with everything of it, timed as the person
/// waits for it: the answer to `DELETE /api/items/{id}`.
async fn remove_bank(client: &Client, base: &str, database_url: &str, institution_id: &str) {
    let items = answer(client.get(format!("{base}/api/items"))).await;
    let item_id = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["institution_id"] == json!(institution_id))
        .expect("the bank to remove")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let db = sqlx::PgPool::connect(database_url).await.unwrap();
    let (transactions, split): (i64, i64) = sqlx::query_as(
        "select count(*), count(*) filter (where exists (select 1 from transaction_split s
                                                         where s.transaction_id = t.transaction_id))
         from bank_transaction t where item_id = $1::uuid",
    )
    .bind(&item_id)
    .fetch_one(&db)
    .await
    .unwrap();
    db.close().await;
    let started = Instant::now();
    let response = client
        .delete(format!("{base}/api/items/{item_id}"))
        .send()
        .await
        .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert!(
        response.status().is_success(),
        "remove: {}",
        response.status()
    );
    let label = format!(
        "removing a bank of {transactions} transactions ({split} split): DELETE /api/items/{{id}}"
    );
    let width = LABEL_WIDTH + 2;
    println!("{label:<width$} {seconds:>7.2} s");
}

/// Sets every field a person can set on `edited` of the bench user's transactions, and splits
/// `split` others in two, straight in the database (what the edit and split routes store). The
/// split transactions are spread over the whole history (by a hash of their id), as a person
/// splits a few each month: the newest `split` would put most of them in this month, where each
/// is put back part by part at every read of the month's spending (docs/performance.md measures
/// that case apart).
async fn label_by_hand(database_url: &str, edited: i64, split: i64) {
    let db = sqlx::PgPool::connect(database_url).await.unwrap();
    sqlx::query(
        "update bank_transaction set user_category_id = plaid_category_id,
                user_display_name = 'Edited ' || name, notes = 'by hand', user_tags = '{edited}',
                user_hidden = false
         where transaction_id in (select transaction_id from bank_transaction
                                  order by transaction_id limit $1)",
    )
    .bind(edited)
    .execute(&db)
    .await
    .unwrap();
    sqlx::query(
        "insert into transaction_split (transaction_id, position, user_id, amount, category_id)
         select t.transaction_id, part, t.user_id,
                case when part = 0 then round(t.amount / 2, 2)
                     else t.amount - round(t.amount / 2, 2) end,
                t.plaid_category_id
         from (select * from bank_transaction
               where transaction_id not in (select transaction_id from bank_transaction
                                            order by transaction_id limit $2)
               order by md5(transaction_id::text) limit $1) t,
              generate_series(0, 1) as part",
    )
    .bind(split)
    .bind(edited)
    .execute(&db)
    .await
    .unwrap();
    sqlx::query("analyze bank_transaction, transaction_split")
        .execute(&db)
        .await
        .unwrap();
    db.close().await;
}

/// Times the preview and the apply of two rules in turn: a merchant's (what a person usually
/// writes) and one that takes every food and drink transaction, a large share of all. Each is
/// applied twice: the second time there is nothing left to change.
async fn apply_rules(client: &Client, base: &str) {
    let categories = answer(client.get(format!("{base}/api/categories"))).await;
    let plaids = |code: &str| {
        categories["categories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["plaid_code"] == json!(code))
            .expect("one of Plaid's categories")["id"]
            .clone()
    };
    let rules = [
        (
            "a merchant's rule",
            json!([{"field": "description", "op": "contains", "value": "starbucks"}]),
            json!({"category_id": plaids("FOOD_AND_DRINK_COFFEE"), "display_name": "Starbucks",
                   "add_tags": ["coffee"]}),
        ),
        (
            "all food and drink",
            json!([{"field": "plaid_category", "op": "equals", "value": "FOOD_AND_DRINK"}]),
            json!({"category_id": plaids("FOOD_AND_DRINK_GROCERIES"), "add_tags": ["food"]}),
        ),
    ];
    for (name, conditions, actions) in rules {
        let started = Instant::now();
        let preview = answer(
            client
                .post(format!("{base}/api/rules/preview"))
                .json(&json!({ "conditions": conditions })),
        )
        .await;
        let seconds = started.elapsed().as_secs_f64();
        let label = format!(
            "{name}: POST /api/rules/preview ({} match)",
            preview["matches"]
        );
        println!("  {label:<LABEL_WIDTH$} {seconds:>7.2} s");
        let rule = answer(
            client
                .post(format!("{base}/api/rules"))
                .json(&json!({"name": name, "conditions": conditions, "actions": actions})),
        )
        .await;
        let rule_id = rule["id"].as_str().expect("a rule").to_owned();
        for time in ["first", "again"] {
            let started = Instant::now();
            let applied = answer(client.post(format!("{base}/api/rules/{rule_id}/apply"))).await;
            let seconds = started.elapsed().as_secs_f64();
            let label = format!(
                "{name}: POST /api/rules/{{id}}/apply, {time} ({} changed)",
                applied["changed"]
            );
            println!("  {label:<LABEL_WIDTH$} {seconds:>7.2} s");
        }
    }
}

/// Every transaction of the person's as CSV, the whole download timed, as a person exporting
/// their history waits for it.
async fn export_everything(client: &Client, base: &str) {
    let started = Instant::now();
    let response = client
        .get(format!("{base}/api/transactions/export.csv"))
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "export: {}",
        response.status()
    );
    let body = response.bytes().await.unwrap();
    let seconds = started.elapsed().as_secs_f64();
    // A line per transaction after the header (a field's newlines are quoted, and the bench's
    // data has none).
    let rows = body
        .iter()
        .filter(|&&byte| byte == b'\n')
        .count()
        .saturating_sub(1);
    let label = format!(
        "GET /api/transactions/export.csv: {rows} transactions, {:.1} MB",
        body.len() as f64 / 1e6
    );
    println!("  {label:<LABEL_WIDTH$} {seconds:>7.2} s");
}

/// The bytes the server sends for the wasm, JS and CSS that `index.html` loads, and the JS those
/// scripts import (the loader of the lazily loaded pages), with `Accept-Encoding: encoding` (the
/// client does not decompress). The lazily loaded pages themselves are not counted.
async fn app_code_bytes(client: &Client, base: &str, encoding: &str) -> usize {
    let index = text_of(client, &format!("{base}/")).await;
    let mut code: Vec<String> = index
        .split("href=")
        .skip(1)
        // Quoted or not: trunk's release build minifies index.html.
        .filter_map(|rest| rest.trim_start_matches('"').split(['"', ' ', '>']).next())
        .filter(|href| {
            [".wasm", ".js", ".css"]
                .iter()
                .any(|ext| href.ends_with(ext))
        })
        .map(str::to_owned)
        .collect();
    let mut imported = Vec::new();
    for script in code.iter().filter(|href| href.ends_with(".js")) {
        let text = text_of(client, &format!("{base}{script}")).await;
        // `import … from "./x.js"` only: the glue also names "./web_bg.js" as the module of the
        // wasm's imports, which is no file.
        imported.extend(
            text.split("from \"./")
                .skip(1)
                .filter_map(|rest| rest.split('"').next())
                .filter(|path| path.ends_with(".js"))
                .map(|path| format!("/{path}")),
        );
    }
    code.extend(imported);
    code.sort_unstable();
    code.dedup();
    assert!(
        code.len() >= 3,
        "no wasm, JS and CSS in index.html: {index}"
    );
    let mut total = 0;
    for href in code {
        let response = client
            .get(format!("{base}{href}"))
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{href}: {}",
            response.status()
        );
        total += response.bytes().await.unwrap().len();
    }
    total
}

/// The body of a GET of `url`, as text.
async fn text_of(client: &Client, url: &str) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

/// Links a `user_custom` item of about `transactions` transactions at `institution_id` and
/// waits for its first sync. Returns the transactions stored and the seconds it took.
async fn link_and_sync(
    client: &Client,
    base: &str,
    (simulator, simulator_url): (&Client, &str),
    institution_id: &str,
    transactions: u32,
    seed: u64,
) -> (u64, f64) {
    let config =
        json!({"transactions": transactions, "history_days": 730, "seed": seed}).to_string();
    let public = answer(
        simulator
            .post(format!("{simulator_url}/sandbox/public_token/create"))
            .json(&json!({
                "client_id": "bench",
                "secret": "bench",
                "institution_id": institution_id,
                "initial_products": ["transactions"],
                "options": {
                    "override_username": "user_custom",
                    "override_password": config,
                    "webhook": format!("{base}/webhooks/plaid"),
                }
            })),
    )
    .await;
    let public_token = public["public_token"]
        .as_str()
        .expect("a public token")
        .to_owned();

    let started = Instant::now();
    let item = answer(
        client
            .post(format!("{base}/api/items"))
            .json(&json!({"public_token": public_token, "institution_id": institution_id})),
    )
    .await;
    let item_id = item["id"].as_str().expect("an item").to_owned();
    loop {
        let now = answer(client.get(format!("{base}/api/items/{item_id}"))).await;
        if !now["last_synced_at"].is_null() && now["syncing"] == json!(false) {
            break;
        }
        assert_ne!(now["status"], json!("error"), "the sync failed: {now}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let count = count_transactions(client, base, &item_id).await;
    (count, seconds)
}

async fn count_transactions(client: &Client, base: &str, item_id: &str) -> u64 {
    let mut count = 0;
    let mut cursor = None;
    loop {
        let (rows, next) = page(client, base, &format!("item_id={item_id}"), cursor).await;
        count += rows;
        match next {
            Some(next) => cursor = Some(next),
            None => return count,
        }
    }
}

/// The cursor that starts the page after the first `depth` transactions.
async fn cursor_at_depth(client: &Client, base: &str, depth: u64) -> String {
    let mut seen = 0;
    let mut cursor = None;
    while seen < depth {
        let (rows, next) = page(client, base, "", cursor).await;
        seen += rows;
        cursor = Some(next.expect("deep enough"));
    }
    cursor.unwrap()
}

/// One page of 500 with `filter`: its row count and the next cursor.
async fn page(
    client: &Client,
    base: &str,
    filter: &str,
    cursor: Option<String>,
) -> (u64, Option<String>) {
    let mut url = format!("{base}/api/transactions?limit=500&{filter}");
    if let Some(cursor) = cursor {
        url.push_str(&format!("&cursor={cursor}"));
    }
    let page = answer(client.get(url)).await;
    let rows = page["transactions"].as_array().unwrap().len() as u64;
    (rows, page["next_cursor"].as_str().map(str::to_owned))
}

/// The JSON a request answers, which must be a success.
async fn answer(request: reqwest::RequestBuilder) -> Value {
    let response = request.send().await.unwrap();
    let status = response.status();
    let url = response.url().path().to_owned();
    assert!(status.is_success(), "{url}: {status}");
    response.json().await.unwrap()
}

/// Waits (up to two minutes) for the recurring refresh the syncs asked for to store the user's
/// streams, so the recurring and forecast reads below read them; returns how many there are.
async fn wait_for_streams(client: &Client, base: &str) -> usize {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let list = answer(client.get(format!("{base}/api/recurring"))).await;
        let streams = list["streams"].as_array().map_or(0, Vec::len);
        if streams > 0 || Instant::now() > deadline {
            return streams;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Sets a budget on each of the first `count` spending categories (primaries and detailed ones):
/// with rollover from two months ago, so `GET /api/budgets` carries three months of rollover, or
/// without from this month on; returns how many were set.
async fn set_budgets(client: &Client, base: &str, count: usize, rollover: bool) -> usize {
    let today = chrono::Utc::now().date_naive();
    let from = if rollover {
        today - chrono::Months::new(2)
    } else {
        today
    };
    let categories = answer(client.get(format!("{base}/api/categories"))).await;
    let spending = categories["categories"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "spending")
        .take(count);
    let mut set = 0;
    for category in spending {
        let id = category["id"].as_str().unwrap();
        let response = client
            .put(format!("{base}/api/budgets/{id}"))
            .json(&json!({
                "amount": "500",
                "currency": "USD",
                "rollover": rollover,
                "from_month": from.format("%Y-%m").to_string(),
            }))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "budget: {}",
            response.status()
        );
        set += 1;
    }
    set
}

/// "(target p95 ≤ N ms)", or nothing where the issue sets no target.
fn target_of(ms: u32) -> String {
    if ms == 0 {
        String::new()
    } else {
        format!("   (target p95 ≤ {ms} ms)")
    }
}

/// The reads a person makes the moment their bank's history is in: no pause, no warm-up, before
/// autovacuum or the sync's own `ANALYZE` has caught up with the new rows. Each is timed
/// cold (its first call) and over the next 20 calls.
async fn first_reads(client: &Client, base: &str, total: u64) {
    let year_ago = chrono::Utc::now().date_naive() - chrono::Days::new(365);
    let reads = [
        (
            "first page of 50",
            "/api/transactions?limit=50".to_owned(),
            15,
        ),
        (
            "search q=coffee",
            "/api/transactions?limit=50&q=coffee".to_owned(),
            15,
        ),
        (
            "spending, one year",
            format!("/api/insights/spending?from={year_ago}"),
            20,
        ),
        ("budgets", "/api/budgets".to_owned(), 20),
    ];
    println!("right after the sync, at {total} transactions (first call, then p95 of 20):");
    for (label, path, target) in reads {
        let url = format!("{base}{path}");
        let mut samples = Vec::with_capacity(21);
        for _ in 0..21 {
            let started = Instant::now();
            let response = client.get(&url).send().await.unwrap();
            assert!(
                response.status().is_success(),
                "{url}: {}",
                response.status()
            );
            response.bytes().await.unwrap();
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        let first = samples.remove(0);
        samples.sort_by(f64::total_cmp);
        let p95 = samples[((samples.len() as f64 - 1.0) * 0.95).round() as usize];
        println!(
            "  {label:<LABEL_WIDTH$} first {first:>7.2} ms   p95 {p95:>7.2} ms{}",
            target_of(target)
        );
    }
}

/// The categories a person filters the list by, from a drill-down: the one with the fewest of the
/// bench user's transactions (a category of Plaid's detailed ones, so without children), and the
/// primary category with the most; each with how many transactions are in it.
async fn categories_to_list(database_url: &str) -> (uuid::Uuid, i64, uuid::Uuid, i64) {
    let db = sqlx::PgPool::connect(database_url).await.unwrap();
    let counted = "select c.category_id, count(*) as n
                   from bank_transaction t
                   join category c on c.category_id = t.category_id or c.category_id = (
                       select parent_id from category where category_id = t.category_id)
                   where not t.hidden";
    let (rare, rare_count): (uuid::Uuid, i64) = sqlx::query_as(&format!(
        "{counted} and c.parent_id is not null group by 1 order by 2, 1 limit 1"
    ))
    .fetch_one(&db)
    .await
    .unwrap();
    let (primary, primary_count): (uuid::Uuid, i64) = sqlx::query_as(&format!(
        "{counted} and c.parent_id is null group by 1 order by 2 desc, 1 limit 1"
    ))
    .fetch_one(&db)
    .await
    .unwrap();
    (rare, rare_count, primary, primary_count)
}

/// p50 and p95 of `REPEATS` sequential GETs, in milliseconds, after a few warm-up calls.
async fn latency(client: &Client, url: &str) -> (f64, f64) {
    for _ in 0..5 {
        let response = client.get(url).send().await.unwrap();
        assert!(
            response.status().is_success(),
            "{url}: {}",
            response.status()
        );
        response.bytes().await.unwrap();
    }
    let mut samples = Vec::with_capacity(REPEATS);
    for _ in 0..REPEATS {
        let started = Instant::now();
        let response = client.get(url).send().await.unwrap();
        response.bytes().await.unwrap();
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (at(0.50), at(0.95))
}

struct Process {
    child: Child,
}

impl Process {
    /// `tally <args>` with `env` on top of the database and this run's encryption key (one for
    /// every process: two Tally processes on one database open each other's access tokens).
    fn start(database_url: &str, args: &[&str], env: &[(&str, String)]) -> Self {
        static KEY: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let key = KEY
            .get_or_init(|| {
                Command::new("sh")
                    .args(["-c", "head -c 32 /dev/urandom | base64"])
                    .output()
                    .unwrap()
                    .stdout
            })
            .clone();
        let spa = std::env::var("TALLY_SPA_DIR")
            .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../web/dist").to_owned());
        let child = Command::new(env!("CARGO_BIN_EXE_tally"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", database_url)
            .env("SPA_DIR", spa)
            .env(
                "TALLY_ENCRYPTION_KEY",
                String::from_utf8(key).unwrap().trim(),
            )
            .env("LOG_LEVEL", "warn")
            .envs(env.iter().map(|(name, value)| (*name, value.as_str())))
            .stdout(Stdio::null())
            .spawn()
            .expect("starting tally");
        Self { child }
    }

    /// A Tally server on a free port whose Plaid is the simulator at `simulator_url`, with
    /// `settings` on top; and its base URL.
    fn tally(
        database_url: &str,
        simulator_url: &str,
        settings: &[(&str, String)],
    ) -> (Self, String) {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let mut env = vec![
            ("PORT", port.to_string()),
            ("PUBLIC_URL", base.clone()),
            ("PLAID_ENV", "sandbox".to_owned()),
            ("PLAID_CLIENT_ID", "bench".to_owned()),
            ("PLAID_SECRET", "bench".to_owned()),
            ("PLAID_API_URL", simulator_url.to_owned()),
        ];
        env.extend(settings.iter().cloned());
        (Self::start(database_url, &[], &env), base)
    }

    /// (resident now, resident at peak) in MiB, from /proc.
    fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let field = |name: &str| {
            status
                .lines()
                .find(|line| line.starts_with(name))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
                .map_or(0, |kb| kb / 1024)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for `url` to answer 200 (a minute at most).
async fn wait_until_up(url: &str) {
    for _ in 0..600 {
        if let Ok(response) = reqwest::get(url).await {
            if response.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{url} did not come up");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// The statements of the sync's database time, from `pg_stat_statements` (when `make bench`
/// could load it): reset before the initial sync, printed after it.
struct IngestStatements {
    db: Option<sqlx::PgPool>,
}

impl IngestStatements {
    async fn start(database_url: &str) -> Self {
        let db = sqlx::PgPool::connect(database_url).await.unwrap();
        let loaded = sqlx::query("create extension if not exists pg_stat_statements")
            .execute(&db)
            .await
            .is_ok()
            && sqlx::query("select pg_stat_statements_reset()")
                .execute(&db)
                .await
                .is_ok();
        Self {
            db: loaded.then_some(db),
        }
    }

    async fn print(self) {
        let Some(db) = self.db else {
            println!("  (pg_stat_statements is not loaded: no per-statement times)");
            return;
        };
        let top: Vec<(String, i64, f64, i64)> = sqlx::query_as(
            "select regexp_replace(query, '\\s+', ' ', 'g'), calls, total_exec_time, rows
             from pg_stat_statements
             where query not ilike '%pg_stat_statements%'
             order by total_exec_time desc limit 8",
        )
        .fetch_all(&db)
        .await
        .unwrap();
        println!("  where PostgreSQL spent the sync's time (pg_stat_statements, top 8):");
        for (query, calls, total_ms, rows) in top {
            let query: String = query.chars().take(70).collect();
            println!("    {total_ms:>8.0} ms {calls:>5} calls {rows:>7} rows  {query}");
        }
        db.close().await;
    }
}

/// PostgreSQL's own ceiling for the initial sync: one `INSERT … SELECT` of the `rows` stored
/// transactions into a copy of `bank_transaction` with the same indexes, defaults and checks
/// (not its foreign keys), committed; and the sync's speed as a share of it.
async fn ingest_ceiling(database_url: &str, rows: u64, ingest_seconds: f64) {
    let db = sqlx::PgPool::connect(database_url).await.unwrap();
    sqlx::query("drop table if exists bench_ceiling")
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("create table bench_ceiling (like bank_transaction including all)")
        .execute(&db)
        .await
        .unwrap();
    let columns: String = sqlx::query_scalar(
        "select string_agg(quote_ident(column_name), ', ' order by ordinal_position)
         from information_schema.columns
         where table_schema = current_schema() and table_name = 'bank_transaction'
           and is_generated = 'NEVER'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    let indexes: i64 = sqlx::query_scalar(
        "select count(*) from pg_indexes
         where schemaname = current_schema() and tablename = 'bench_ceiling'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    let started = Instant::now();
    let copied = sqlx::query(&format!(
        "insert into bench_ceiling ({columns}) select {columns} from bank_transaction"
    ))
    .execute(&db)
    .await
    .unwrap()
    .rows_affected();
    let seconds = started.elapsed().as_secs_f64();
    sqlx::query("drop table bench_ceiling")
        .execute(&db)
        .await
        .unwrap();
    db.close().await;
    let ceiling = copied as f64 / seconds;
    let ingest = rows as f64 / ingest_seconds;
    println!(
        "PostgreSQL's ceiling: one INSERT … SELECT of {copied} rows into a copy with the same \
         {indexes} indexes: {seconds:.2} s = {ceiling:.0} rows/s"
    );
    println!(
        "  the initial sync ran at {:.0}% of that ceiling (aim >= 60%)",
        ingest / ceiling * 100.0
    );
}

/// Items per person and transactions per item in the scale run.
const SCALE_PEOPLE: usize = 4;
const SCALE_ITEMS_EACH: usize = SCALE_INSTITUTIONS.len();
const SCALE_INSTITUTIONS: [&str; 2] = ["ins_109508", "ins_109509"];
const SCALE_TRANSACTIONS: u32 = 12_500;
const SCALE_WORKERS: usize = 2;
const SCALE_READS: usize = 400;

/// Two Tally processes on the one PostgreSQL, `SCALE_WORKERS` sync workers each, and several
/// people linking banks through either: the initial syncs at once, then a few days of the
/// banks' activity (new, posted and withdrawn transactions) synced by webhook, then reads from
/// both processes at once. Every item is compared with the simulator's ground truth.
async fn ingest_at_scale(database_url: &str, simulator_url: &str) {
    let settings = [
        ("SYNC_WORKERS", SCALE_WORKERS.to_string()),
        ("REGISTRATION", "open".to_owned()),
    ];
    let processes: Vec<(Process, String)> = (0..2)
        .map(|_| Process::tally(database_url, simulator_url, &settings))
        .collect();
    for (_, base) in &processes {
        wait_until_up(&format!("{base}/api/health")).await;
    }
    let simulator = Client::new();
    let mut people = Vec::new();
    for person in 0..SCALE_PEOPLE {
        let base = processes[person % 2].1.clone();
        let client = Client::builder()
            .cookie_store(true)
            .timeout(Duration::from_secs(600))
            .build()
            .unwrap();
        answer(client.post(format!("{base}/api/users")).json(
            &json!({"username": format!("scale{person}"), "password": "a long enough password"}),
        ))
        .await;
        people.push((client, base));
    }
    println!(
        "scale: 2 Tally processes on one PostgreSQL, {SCALE_WORKERS} sync workers each; \
         {SCALE_PEOPLE} people linking {SCALE_ITEMS_EACH} banks each of {SCALE_TRANSACTIONS} \
         transactions, all at once"
    );
    let started = Instant::now();
    let links = people
        .iter()
        .enumerate()
        .flat_map(|(person, (client, base))| {
            let simulator = &simulator;
            (0..SCALE_ITEMS_EACH).map(move |n| async move {
                let seed = 100 + (person * SCALE_ITEMS_EACH + n) as u64;
                link_and_sync(
                    client,
                    base,
                    (simulator, simulator_url),
                    // A person links each bank once.
                    SCALE_INSTITUTIONS[n],
                    SCALE_TRANSACTIONS,
                    seed,
                )
                .await
                .0
            })
        });
    let stored: u64 = futures_util::future::join_all(links).await.iter().sum();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "  initial syncs: {stored} transactions in {seconds:.1} s = {:.0} transactions/s",
        stored as f64 / seconds
    );
    let db = sqlx::PgPool::connect(database_url).await.unwrap();
    println!("  {}", compare_with_simulator(&db).await);

    // The banks' next days: new pending transactions, pending ones posting, each item told by
    // webhook, its syncs run by whichever worker claims them.
    let advanced = answer(
        simulator
            .post(format!("{simulator_url}/control/clock/advance"))
            .json(&json!({"days": 3})),
    )
    .await;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(180);
    let mut verdict = compare_with_simulator(&db).await;
    while !verdict.agrees() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        verdict = compare_with_simulator(&db).await;
    }
    println!(
        "  three days of the banks' activity ({} changes) synced by webhook in {:.1} s",
        advanced["changes"],
        started.elapsed().as_secs_f64()
    );
    println!("  {verdict}");
    db.close().await;

    let started = Instant::now();
    let reads = people.iter().flat_map(|(client, base)| {
        ["/api/transactions?limit=50", "/api/insights/spending"]
            .into_iter()
            .map(move |path| async move {
                for _ in 0..SCALE_READS / SCALE_PEOPLE / 2 {
                    answer(client.get(format!("{base}{path}"))).await;
                }
            })
    });
    futures_util::future::join_all(reads).await;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "  reads from both processes at once (a page of 50 and this month's spending, \
         {} clients): {SCALE_READS} in {seconds:.2} s = {:.0} requests/s",
        SCALE_PEOPLE * 2,
        SCALE_READS as f64 / seconds
    );
    println!();
}

/// The scale run's items' stored transactions against the simulator's current ones (the
/// simulator keeps them in the same database).
struct Verdict {
    items: i64,
    duplicated: i64,
    lost: i64,
    left_over: i64,
    different: i64,
}

impl Verdict {
    fn agrees(&self) -> bool {
        self.duplicated + self.lost + self.left_over + self.different == 0
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "against the simulator's ground truth over {} items: {} duplicated, {} lost, \
             {} kept after the bank removed them, {} differing (must all be 0){}",
            self.items,
            self.duplicated,
            self.lost,
            self.left_over,
            self.different,
            if self.agrees() { ": ok" } else { ": WRONG" }
        )
    }
}

async fn compare_with_simulator(db: &sqlx::PgPool) -> Verdict {
    let (items, duplicated, lost, left_over, different): (i64, i64, i64, i64, i64) =
        sqlx::query_as(
            "with items as (select i.item_id, i.plaid_item_id
                            from plaid_item i join app_user u using (user_id)
                            where i.plaid_item_id is not null and u.username like 'scale%'),
                  bank as (select s.transaction_id, s.item_id, s.body
                           from plaid_sim.transaction s join items i on i.plaid_item_id = s.item_id
                           where not s.removed),
                  kept as (select t.* from bank_transaction t join items using (item_id))
             select (select count(*) from items),
                    (select count(*) from (select plaid_transaction_id from kept
                                           group by 1 having count(*) > 1) d),
                    (select count(*) from bank b where not exists
                        (select 1 from kept k where k.plaid_transaction_id = b.transaction_id)),
                    (select count(*) from kept k where not exists
                        (select 1 from bank b where b.transaction_id = k.plaid_transaction_id)),
                    (select count(*) from bank b join kept k
                                              on k.plaid_transaction_id = b.transaction_id
                     where k.amount <> (b.body->>'amount')::numeric
                        or k.pending <> (b.body->>'pending')::boolean
                        or k.date <> (b.body->>'date')::date)",
        )
        .fetch_one(db)
        .await
        .unwrap();
    Verdict {
        items,
        duplicated,
        lost,
        left_over,
        different,
    }
}
