//! `GET /api/openapi.json`: the API described from the code itself.

use actix_web::{web, HttpResponse};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Tally API", description = "Tally's JSON API. Every error answers as ApiError."),
    paths(
        super::health::health,
        super::config::config,
        super::session::current,
        super::session::log_in,
        super::session::log_out,
        super::users::register,
        super::users::delete_me,
        super::account::change_password,
        super::account::list_sessions,
        super::account::revoke_session,
        super::account::sign_out_others,
        super::admin::list_users,
        super::admin::delete_user,
        super::admin::update_user,
        super::admin::create_invite,
        super::admin::list_invites,
        super::admin::revoke_invite,
        super::items::list_items,
        super::items::create_item,
        super::items::get_item,
        super::items::delete_item,
        super::items::refresh_item,
        super::items::login_repaired,
        super::items::sandbox_reset_login,
        super::link::create_link_token,
        super::link::record_link_event,
        super::webhooks::receive,
        super::ws::events,
        super::accounts::list_accounts,
        super::transactions::list_transactions,
        super::transactions::export::export_csv,
        super::transactions::edit::get_transaction,
        super::transactions::edit::edit_transaction,
        super::transactions::splits::split_transaction,
        super::transactions::splits::unsplit_transaction,
        super::transactions::transfer::pair_transfer,
        super::transactions::transfer::unpair_transfer,
        super::institutions::get_institution,
        super::assets::list_assets,
        super::assets::create_asset,
        super::assets::delete_asset,
        super::categories::list_categories,
        super::categories::create_category,
        super::categories::update_category,
        super::categories::delete_category,
        super::rules::list_rules,
        super::rules::create_rule,
        super::rules::update_rule,
        super::rules::delete_rule,
        super::rules::preview_rule,
        super::rules::apply_rules,
        super::budgets::month_budgets,
        super::budgets::set_budget,
        super::budgets::delete_budget,
        super::budgets::copy_budgets,
        super::budgets::budget_history,
        super::recurring::list_recurring,
        super::recurring::update_recurring,
        super::insights::net_worth,
        super::insights::net_worth_history,
        super::insights::spending,
        super::insights::upcoming,
        super::insights::cash_flow,
        openapi_json,
    ),
    tags(
        (name = "server", description = "Health and configuration"),
        (name = "session", description = "Logging in and out"),
        (name = "users", description = "Accounts"),
        (name = "account", description = "Your password, and the browsers signed in as you"),
        (name = "admin", description = "Administrators only"),
        (name = "items", description = "Linked banks"),
        (name = "link", description = "Plaid Link"),
        (name = "webhooks", description = "Called by Plaid, verified by signature"),
        (name = "events", description = "Live events over a WebSocket"),
        (name = "banking", description = "Accounts, transactions and institutions"),
        (name = "assets", description = "Things of value no bank reports, entered by hand"),
        (name = "categories", description = "Plaid's categories as I see them, and my own"),
        (name = "rules", description = "My ordered rules, which label transactions as they arrive"),
        (name = "budgets", description = "My monthly plan per spending category, with rollover"),
        (name = "recurring", description = "Payments and income that repeat, and what I decided about each"),
        (name = "insights", description = "Net worth, spending, and the bills, income and balance to come, per currency"),
    )
)]
pub struct ApiDoc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/openapi.json").get(openapi_json));
}

#[utoipa::path(get, path = "/api/openapi.json", tag = "server",
    responses((status = 200, description = "This document (OpenAPI 3.1)")))]
async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
