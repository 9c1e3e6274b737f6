//! Transfers in the browser: a transfer to savings shows its other side in the list and the
//! editor; Unpair undoes the pair; the editor then finds the other side again, and Pair makes it
//! once more. What the page did is checked through the API.

use super::browser::with_browser;
use super::labels::{open_row, wait_until};
use super::steps::{register_and_link, row_texts};
use crate::helpers::spawn_app;
use fantoccini::Locator;
use sqlx::PgPool;
use tally_shared::api::transactions::{Transaction, TransactionDetail, TransactionFilter};

#[sqlx::test(migrations = "../../migrations")]
async fn see_a_transfers_other_side_unpair_it_and_pair_it_again(db: PgPool) {
    let app = spawn_app(db).await;
    let app = &app;
    with_browser(app, "transfers-pair-again", |browser| async move {
        let (api, _) = register_and_link(app, &browser, "tess").await;
        let filter = TransactionFilter {
            q: Some("Transfer to Savings".to_owned()),
            pending: Some(false),
            ..TransactionFilter::default()
        };
        let newest: Transaction = app
            .transactions(&api, &filter)
            .await
            .transactions
            .into_iter()
            .next()
            .unwrap();
        let partner = newest.transfer_pair_id.expect("the sync paired it");
        let savings = newest.transfer_account_name.clone().unwrap();
        let words = format!("Transfer to {savings}");

        // The list says where the money went, on every transfer to savings.
        browser
            .goto("/transactions?q=Transfer%20to%20Savings&pending=false")
            .await;
        browser
            .wait_for_text("[data-testid=transfer-partner]", &words)
            .await;
        let rows = row_texts(&browser).await;
        assert!(
            !rows.is_empty() && rows.iter().all(|row| row.contains(&words)),
            "{rows:#?}"
        );

        // The editor says it too, and Unpair undoes the pair on both sides.
        open_row(&browser, "Transfer to Savings").await;
        browser
            .wait_for_text("dialog[open] [data-testid=editor-transfer-partner]", &words)
            .await;
        browser.click_button("Unpair").await;
        browser
            .wait_for_text(
                "dialog[open] [data-testid=transfer-section] button",
                "Find the other side",
            )
            .await;
        let read = |id| {
            let api = api.clone();
            async move {
                app.get_json::<TransactionDetail>(&api, &format!("/api/transactions/{id}"))
                    .await
                    .transaction
                    .transfer_pair_id
            }
        };
        wait_until("unpaired", || read(newest.id), Option::is_none).await;
        assert_eq!(read(partner).await, None);

        // The editor finds the other side in savings, and Pair makes the pair again.
        browser.click_button("Find the other side").await;
        let candidate = browser
            .wait_for(Locator::Css("dialog[open] .transfer-candidate"))
            .await;
        let text = candidate.text().await.unwrap();
        assert!(
            text.contains("Transfer from Checking") && text.contains(&savings),
            "{text}"
        );
        browser.screenshot("transfers-candidates").await.unwrap();
        browser
            .click(Locator::Css("dialog[open] .transfer-candidate button"))
            .await;
        browser
            .wait_for_text("dialog[open] [data-testid=editor-transfer-partner]", &words)
            .await;
        wait_until("paired again", || read(newest.id), |p| *p == Some(partner)).await;
        // On a phone the section fits the panel.
        browser.resize(390, 844).await;
        browser
            .run_js("document.querySelector('[data-testid=transfer-section]').scrollIntoView()")
            .await;
        browser.screenshot("transfers-phone").await.unwrap();
        browser.prefer_color_scheme("dark").await;
        browser.screenshot("transfers-paired-dark").await.unwrap();
    })
    .await;
}
