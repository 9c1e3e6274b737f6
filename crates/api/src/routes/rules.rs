//! `/api/rules`: a person's ordered rules, a preview of what conditions match, and applying the
//! rules to the transactions already there.

use crate::auth::AuthUser;
use crate::db;
use crate::db::rules::{RuleFields, RuleRecord};
use crate::domain::rules::{Actions, Conditions, RuleName};
use crate::error::ApiError;
use crate::state::AppState;
use crate::ws::EventHub;
use actix_web::{web, HttpResponse};
use sqlx::PgConnection;
use tally_shared::api::rules::{
    Condition, NewRule, Rule, RuleActions, RuleApplied, RuleList, RulePreview, RulePreviewRequest,
    RuleUpdate,
};
use tally_shared::ids::{AccountId, RuleId, UserId};
use tally_shared::ws::ServerEvent;
use tally_shared::{ApiError as ApiErrorBody, FieldError};

/// The most rules one person may keep: each runs on every synced transaction.
const RULES_PER_USER: i64 = 500;
/// The matching transactions a preview shows.
const PREVIEW_SAMPLE: usize = 20;

pub fn configure(cfg: &mut web::ServiceConfig) {
    // `preview` before `{rule_id}`, which would otherwise take it.
    cfg.service(web::resource("/rules/preview").post(preview_rule))
        .service(web::resource("/rules").get(list_rules).post(create_rule))
        .service(
            web::resource("/rules/{rule_id}")
                .patch(update_rule)
                .delete(delete_rule),
        )
        .service(web::resource("/rules/{rule_id}/apply").post(apply_rules));
}

#[utoipa::path(get, path = "/api/rules", tag = "rules",
    responses((status = 200, description = "My rules in the order they apply", body = RuleList),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "list rules", skip_all, fields(user_id = %user.user_id))]
async fn list_rules(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<RuleList>, ApiError> {
    let rules = db::rules::list(&state.db, user.user_id)
        .await?
        .into_iter()
        .map(rule_dto)
        .collect::<Result<_, _>>()?;
    Ok(web::Json(RuleList { rules }))
}

#[utoipa::path(post, path = "/api/rules", tag = "rules", request_body = NewRule,
    responses((status = 201, description = "Created; it runs on transactions synced from now on (apply it to the past with `/apply`)", body = Rule),
              (status = 404, description = "The category or an account it names is none of mine", body = ApiErrorBody),
              (status = 422, description = "Every invalid field, at once; or I already have 500 rules", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "create rule", skip_all, fields(user_id = %user.user_id))]
async fn create_rule(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<NewRule>,
) -> Result<HttpResponse, ApiError> {
    let NewRule {
        name,
        conditions,
        actions,
        position,
    } = body.into_inner();
    let (name, conditions, actions) = checked(Some(&name), Some(&conditions), Some(&actions))?;
    let (Some(name), Some(conditions), Some(actions)) = (name, conditions, actions) else {
        return Err(ApiError::Unexpected(anyhow::anyhow!(
            "a given rule field was not checked"
        )));
    };

    let mut tx = state.db.begin().await?;
    db::rules::lock(&mut tx, user.user_id).await?;
    let count = db::rules::count(&mut *tx, user.user_id).await?;
    if count >= RULES_PER_USER {
        return Err(ApiError::Validation(vec![FieldError {
            field: "rules".to_owned(),
            message: format!(
                "You already have {RULES_PER_USER} rules, the most one person can keep. Delete \
                 or combine some to add another."
            ),
        }]));
    }
    refuse_unseen_ids(&mut tx, user.user_id, Some(&conditions), Some(&actions)).await?;
    // Past the end (or none): last.
    let last = i32::try_from(count).unwrap_or(i32::MAX);
    let position = position.map_or(last, |p| i32::try_from(p).unwrap_or(i32::MAX).min(last));
    let fields = RuleFields {
        name: name.as_str(),
        conditions: &conditions,
        actions: &actions,
    };
    let rule_id = db::rules::insert(&mut tx, user.user_id, position, &fields).await?;
    let created = changed(&mut tx, user.user_id, rule_id).await?;
    tx.commit().await?;
    tracing::info!(%rule_id, "rule created");
    Ok(HttpResponse::Created().json(rule_dto(created)?))
}

#[utoipa::path(patch, path = "/api/rules/{rule_id}", tag = "rules", request_body = RuleUpdate,
    params(("rule_id" = String, Path, description = "The rule's id")),
    responses((status = 200, description = "The rule as it is now", body = Rule),
              (status = 404, description = "No such rule of mine, or the category or an account it names is none of mine", body = ApiErrorBody),
              (status = 422, description = "Every invalid field, at once", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "update rule", skip_all, fields(user_id = %user.user_id))]
async fn update_rule(
    state: web::Data<AppState>,
    user: AuthUser,
    rule_id: web::Path<RuleId>,
    body: web::Json<RuleUpdate>,
) -> Result<web::Json<Rule>, ApiError> {
    let rule_id = rule_id.into_inner();
    let RuleUpdate {
        name,
        conditions,
        actions,
        position,
    } = body.into_inner();
    let (name, conditions, actions) =
        checked(name.as_deref(), conditions.as_deref(), actions.as_ref())?;

    let mut tx = state.db.begin().await?;
    db::rules::lock(&mut tx, user.user_id).await?;
    let current = db::rules::find(&mut *tx, user.user_id, rule_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    refuse_unseen_ids(&mut tx, user.user_id, conditions.as_ref(), actions.as_ref()).await?;
    if name.is_some() || conditions.is_some() || actions.is_some() {
        let (stored_conditions, stored_actions) = current.checked().map_err(|_| {
            ApiError::Unexpected(anyhow::anyhow!("stored rule {rule_id} does not parse"))
        })?;
        let fields = RuleFields {
            name: name
                .as_ref()
                .map_or(current.name.as_str(), RuleName::as_str),
            conditions: conditions.as_ref().unwrap_or(&stored_conditions),
            actions: actions.as_ref().unwrap_or(&stored_actions),
        };
        db::rules::update(&mut *tx, user.user_id, rule_id, &fields).await?;
    }
    if let Some(position) = position {
        let last =
            i32::try_from(db::rules::count(&mut *tx, user.user_id).await? - 1).unwrap_or(i32::MAX);
        let to = i32::try_from(position).unwrap_or(i32::MAX).min(last);
        if to != current.position {
            db::rules::move_to(&mut *tx, user.user_id, rule_id, current.position, to).await?;
        }
    }
    let updated = changed(&mut tx, user.user_id, rule_id).await?;
    tx.commit().await?;
    tracing::info!(%rule_id, "rule changed");
    Ok(web::Json(rule_dto(updated)?))
}

#[utoipa::path(delete, path = "/api/rules/{rule_id}", tag = "rules",
    params(("rule_id" = String, Path, description = "The rule's id")),
    responses((status = 204, description = "Deleted; the rules after it move up. What it labelled stays until the rules are applied again"),
              (status = 404, description = "No such rule of mine", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "delete rule", skip_all, fields(user_id = %user.user_id))]
async fn delete_rule(
    state: web::Data<AppState>,
    user: AuthUser,
    rule_id: web::Path<RuleId>,
) -> Result<HttpResponse, ApiError> {
    let rule_id = rule_id.into_inner();
    let mut tx = state.db.begin().await?;
    db::rules::lock(&mut tx, user.user_id).await?;
    if !db::rules::delete(&mut tx, user.user_id, rule_id).await? {
        return Err(ApiError::NotFound);
    }
    publish(&mut tx, user.user_id).await?;
    tx.commit().await?;
    tracing::info!(%rule_id, "rule deleted");
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/rules/preview", tag = "rules", request_body = RulePreviewRequest,
    responses((status = 200, description = "How many of my transactions (hidden ones too) the conditions match, and the newest 20", body = RulePreview),
              (status = 404, description = "An account the conditions name is none of mine", body = ApiErrorBody),
              (status = 422, description = "Every invalid condition, at once", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "preview rule", skip_all, fields(user_id = %user.user_id))]
async fn preview_rule(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<RulePreviewRequest>,
) -> Result<web::Json<RulePreview>, ApiError> {
    let conditions = Conditions::parse(&body.conditions).map_err(ApiError::Validation)?;
    // One snapshot, so the count and the sample agree while a sync commits.
    let mut tx = db::begin_consistent_read(&state.db).await?;
    refuse_unseen_ids(&mut tx, user.user_id, Some(&conditions), None).await?;
    let (matches, newest) =
        db::rules::matching(&mut tx, user.user_id, &conditions, PREVIEW_SAMPLE).await?;
    let sample = db::transactions::by_ids(&mut *tx, user.user_id, &newest)
        .await?
        .into_iter()
        .map(super::transactions::transaction)
        .collect();
    tx.commit().await?;
    Ok(web::Json(RulePreview { matches, sample }))
}

#[utoipa::path(post, path = "/api/rules/{rule_id}/apply", tag = "rules",
    params(("rule_id" = String, Path, description = "The rule's id")),
    responses((status = 200, description = "My transactions relabelled by all my rules in order (the fields I set by hand stay mine); how many changed", body = RuleApplied),
              (status = 404, description = "No such rule of mine", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "apply rules", skip_all, fields(user_id = %user.user_id))]
async fn apply_rules(
    state: web::Data<AppState>,
    user: AuthUser,
    rule_id: web::Path<RuleId>,
) -> Result<web::Json<RuleApplied>, ApiError> {
    let rule_id = rule_id.into_inner();
    let mut tx = state.db.begin().await?;
    db::rules::lock(&mut tx, user.user_id).await?;
    if db::rules::find(&mut *tx, user.user_id, rule_id)
        .await?
        .is_none()
    {
        return Err(ApiError::NotFound);
    }
    // Every rule, not only this one: a field takes the first matching rule's value, so one
    // rule's effect depends on those before it.
    let changed = db::rules::relabel_all(&mut tx, user.user_id).await?;
    if changed > 0 {
        publish(&mut tx, user.user_id).await?;
    }
    tx.commit().await?;
    if changed > 0 {
        // The relabelling appended a spending rollup row per key it moved; fold them now rather
        // than at the next sync, so reads stay at a row per key.
        db::spending::compact(&state.db, user.user_id).await?;
    }
    tracing::info!(%rule_id, changed, "rules applied");
    Ok(web::Json(RuleApplied { changed }))
}

type Checked = (Option<RuleName>, Option<Conditions>, Option<Actions>);

/// The fields given, checked; every wrong one named at once (422).
fn checked(
    name: Option<&str>,
    conditions: Option<&[Condition]>,
    actions: Option<&RuleActions>,
) -> Result<Checked, ApiError> {
    let mut errors = Vec::new();
    let name = name.and_then(|name| {
        RuleName::parse(name)
            .map_err(|message| {
                errors.push(FieldError {
                    field: "name".to_owned(),
                    message,
                })
            })
            .ok()
    });
    let conditions =
        conditions.and_then(|c| Conditions::parse(c).map_err(|e| errors.extend(e)).ok());
    let actions = actions.and_then(|a| Actions::parse(a).map_err(|e| errors.extend(e)).ok());
    if errors.is_empty() {
        Ok((name, conditions, actions))
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// 404 unless the category the actions set and the accounts the conditions name are the
/// person's (or, for the category, Plaid's).
async fn refuse_unseen_ids(
    tx: &mut PgConnection,
    user_id: UserId,
    conditions: Option<&Conditions>,
    actions: Option<&Actions>,
) -> Result<(), ApiError> {
    if let Some(category_id) = actions.and_then(Actions::category_id) {
        if db::categories::find(&mut *tx, user_id, category_id)
            .await?
            .is_none()
        {
            return Err(ApiError::Missing(
                "There is no such category to set.".to_owned(),
            ));
        }
    }
    let accounts: Vec<AccountId> = conditions
        .map(|c| c.account_ids().collect())
        .unwrap_or_default();
    if !accounts.is_empty() && !db::rules::accounts_are_owned(&mut *tx, user_id, &accounts).await? {
        return Err(ApiError::Missing(
            "There is no such account of yours to match.".to_owned(),
        ));
    }
    Ok(())
}

/// Tells the person's other tabs, at the commit, that their rules (and so what labels their
/// transactions) changed.
async fn publish(tx: &mut PgConnection, user_id: UserId) -> Result<(), ApiError> {
    EventHub::publish_with(&mut *tx, user_id, ServerEvent::TransactionsChanged)
        .await
        .map_err(|e| ApiError::Unexpected(e.into()))
}

/// The rule as it is after a change, announced at the commit.
async fn changed(
    tx: &mut PgConnection,
    user_id: UserId,
    rule_id: RuleId,
) -> Result<RuleRecord, ApiError> {
    publish(&mut *tx, user_id).await?;
    db::rules::find(&mut *tx, user_id, rule_id)
        .await?
        .ok_or_else(|| ApiError::Unexpected(anyhow::anyhow!("a rule vanished in its own change")))
}

fn rule_dto(record: RuleRecord) -> Result<Rule, ApiError> {
    let position = u32::try_from(record.position)
        .map_err(|_| ApiError::Unexpected(anyhow::anyhow!("negative rule position")))?;
    Ok(Rule {
        id: record.rule_id,
        actions: record.actions(),
        name: record.name,
        position,
        conditions: record.conditions.0,
    })
}
