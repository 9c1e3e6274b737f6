//! `/api/categories`: Plaid's categories as the person sees them, and their own.

use crate::auth::AuthUser;
use crate::db;
use crate::db::categories::CategoryRecord;
use crate::domain::{parse_kind, CategoryName};
use crate::error::ApiError;
use crate::state::AppState;
use crate::ws::EventHub;
use actix_web::{web, HttpResponse};
use sqlx::PgConnection;
use tally_shared::api::categories::{
    Category, CategoryChanges, CategoryKind, CategoryList, DeleteCategoryParams, NewCategory,
};
use tally_shared::ids::{CategoryId, UserId};
use tally_shared::ws::ServerEvent;
use tally_shared::{ApiError as ApiErrorBody, FieldError};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/categories")
            .get(list_categories)
            .post(create_category),
    )
    .service(
        web::resource("/categories/{category_id}")
            .patch(update_category)
            .delete(delete_category),
    );
}

#[utoipa::path(get, path = "/api/categories", tag = "categories",
    responses((status = 200, description = "Every category I see, hidden ones too, in tree order", body = CategoryList),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "list categories", skip_all, fields(user_id = %user.user_id))]
async fn list_categories(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<CategoryList>, ApiError> {
    let categories = db::categories::list(&state.db, user.user_id)
        .await?
        .into_iter()
        .map(category_dto)
        .collect::<Result<_, _>>()?;
    Ok(web::Json(CategoryList { categories }))
}

#[utoipa::path(post, path = "/api/categories", tag = "categories", request_body = NewCategory,
    responses((status = 201, description = "Created", body = Category),
              (status = 404, description = "`parent_id` is no category I see", body = ApiErrorBody),
              (status = 409, description = "A visible category beside it has that name", body = ApiErrorBody),
              (status = 422, description = "Every invalid field, at once; a parent that is not a primary", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "create category", skip_all, fields(user_id = %user.user_id))]
async fn create_category(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<NewCategory>,
) -> Result<HttpResponse, ApiError> {
    let NewCategory {
        name,
        parent_id,
        kind,
    } = body.into_inner();
    let (name, kind) = match (CategoryName::parse(&name), parse_kind(&kind)) {
        (Ok(name), Ok(kind)) => (name, kind),
        (name, kind) => {
            return Err(invalid([("name", name.err()), ("kind", kind.err())]));
        }
    };

    let mut tx = state.db.begin().await?;
    db::categories::lock(&mut tx, user.user_id).await?;
    if let Some(parent_id) = parent_id {
        let parent = db::categories::find(&mut *tx, user.user_id, parent_id)
            .await?
            .ok_or_else(|| ApiError::Missing("There is no such parent category.".to_owned()))?;
        if parent.parent_id.is_some() {
            return Err(invalid([(
                "parent_id",
                Some(
                    "A category can only go under a primary category, two levels at most."
                        .to_owned(),
                ),
            )]));
        }
    }
    refuse_taken_name(&mut tx, user.user_id, parent_id, name.as_str(), None).await?;
    let category_id = db::categories::insert(
        &mut *tx,
        user.user_id,
        parent_id,
        name.as_str(),
        kind.as_str(),
    )
    .await?;
    let created = changed(&mut tx, user.user_id, category_id).await?;
    tx.commit().await?;
    tracing::info!(%category_id, "category created");
    Ok(HttpResponse::Created().json(category_dto(created)?))
}

#[utoipa::path(patch, path = "/api/categories/{category_id}", tag = "categories",
    request_body = CategoryChanges,
    params(("category_id" = String, Path, description = "The category's id")),
    responses((status = 200, description = "The category as it is now", body = Category),
              (status = 404, description = "No such category of mine or Plaid's", body = ApiErrorBody),
              (status = 409, description = "A visible category beside it has that name", body = ApiErrorBody),
              (status = 422, description = "Every invalid field, at once", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "update category", skip_all, fields(user_id = %user.user_id))]
async fn update_category(
    state: web::Data<AppState>,
    user: AuthUser,
    category_id: web::Path<CategoryId>,
    body: web::Json<CategoryChanges>,
) -> Result<web::Json<Category>, ApiError> {
    let category_id = category_id.into_inner();
    let CategoryChanges { name, hidden, kind } = body.into_inner();
    let name = name.as_deref().map(CategoryName::parse).transpose();
    let kind = kind.as_deref().map(parse_kind).transpose();
    let (name, kind) = match (name, kind) {
        (Ok(name), Ok(kind)) => (name, kind),
        (name, kind) => return Err(invalid([("name", name.err()), ("kind", kind.err())])),
    };

    let mut tx = state.db.begin().await?;
    db::categories::lock(&mut tx, user.user_id).await?;
    let current = db::categories::find(&mut *tx, user.user_id, category_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let new_name = name.map_or_else(|| current.name.clone(), |n| n.as_str().to_owned());
    let new_hidden = hidden.unwrap_or(current.hidden);
    let new_kind = kind.map_or_else(|| current.kind.clone(), |k| k.as_str().to_owned());
    // Shown again, or shown under a new name: it must not clash with a visible sibling.
    if !new_hidden && (new_name != current.name || current.hidden) {
        refuse_taken_name(
            &mut tx,
            user.user_id,
            current.parent_id,
            &new_name,
            Some(category_id),
        )
        .await?;
    }

    if current.is_plaids() {
        // Plaid's own name or kind given back is no longer a change of the person's.
        let keep_unless_plaids = |value: String, plaids: &Option<String>| {
            (plaids.as_deref() != Some(value.as_str())).then_some(value)
        };
        let name = keep_unless_plaids(new_name, &current.plaid_name);
        let kind = keep_unless_plaids(new_kind, &current.plaid_kind);
        db::categories::set_override(
            &mut tx,
            user.user_id,
            category_id,
            name.as_deref(),
            new_hidden,
            kind.as_deref(),
        )
        .await?;
    } else {
        db::categories::update_own(
            &mut *tx,
            user.user_id,
            category_id,
            &new_name,
            new_hidden,
            &new_kind,
        )
        .await?;
    }
    let updated = changed(&mut tx, user.user_id, category_id).await?;
    tx.commit().await?;
    tracing::info!(%category_id, "category changed");
    Ok(web::Json(category_dto(updated)?))
}

#[utoipa::path(delete, path = "/api/categories/{category_id}", tag = "categories",
    params(("category_id" = String, Path, description = "The category's id"), DeleteCategoryParams),
    responses((status = 204, description = "Deleted, with the categories under it; what used them now uses `reassign_to`"),
              (status = 403, description = "One of Plaid's categories: hide it instead", body = ApiErrorBody),
              (status = 404, description = "No such category of mine or Plaid's, or no such `reassign_to`", body = ApiErrorBody),
              (status = 409, description = "Something started using it while it was being deleted", body = ApiErrorBody),
              (status = 422, description = "`reassign_to` is deleted with it, or none is given while transactions, splits or rules use it", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "delete category", skip_all, fields(user_id = %user.user_id))]
async fn delete_category(
    state: web::Data<AppState>,
    user: AuthUser,
    category_id: web::Path<CategoryId>,
    params: web::Query<DeleteCategoryParams>,
) -> Result<HttpResponse, ApiError> {
    let category_id = category_id.into_inner();
    let mut tx = state.db.begin().await?;
    db::categories::lock(&mut tx, user.user_id).await?;
    let category = db::categories::find(&mut *tx, user.user_id, category_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if category.is_plaids() {
        return Err(ApiError::Refused(
            "Plaid's categories cannot be deleted; hide it instead.".to_owned(),
        ));
    }
    let going = db::categories::own_with_children(&mut *tx, user.user_id, category_id).await?;
    match params.reassign_to {
        Some(target_id) => {
            let target = db::categories::find(&mut *tx, user.user_id, target_id).await?;
            match target {
                None => {
                    return Err(ApiError::Missing(
                        "There is no such category to move its transactions to.".to_owned(),
                    ))
                }
                Some(target) if going.contains(&target.category_id) => {
                    return Err(invalid([(
                        "reassign_to",
                        Some("Move its transactions to a category that stays.".to_owned()),
                    )]))
                }
                Some(_) => {}
            }
            // Edits, splits, carried labels and rules refer to categories without a cascade:
            // they move here, in this transaction, before the category goes.
            let moved = db::categories::reassign(&mut tx, user.user_id, &going, target_id).await?;
            if moved > 0 {
                EventHub::publish_with(&mut *tx, user.user_id, ServerEvent::TransactionsChanged)
                    .await
                    .map_err(|e| ApiError::Unexpected(e.into()))?;
            }
        }
        None if db::categories::in_use(&mut *tx, user.user_id, &going).await? => {
            return Err(invalid([(
                "reassign_to",
                Some(
                    "Transactions, splits or rules use this category (or one under it): choose the category they move to."
                        .to_owned(),
                ),
            )]));
        }
        None => {}
    }
    db::categories::delete_own(&mut *tx, user.user_id, category_id)
        .await
        .map_err(|error| match error {
            // A sync's rules labelled a transaction with it meanwhile.
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => ApiError::Conflict(
                "Something started using this category just now; try again.".to_owned(),
            ),
            other => other.into(),
        })?;
    EventHub::publish_with(&mut *tx, user.user_id, ServerEvent::CategoriesChanged)
        .await
        .map_err(|e| ApiError::Unexpected(e.into()))?;
    tx.commit().await?;
    // Moving the category's transactions appended spending rollup rows; fold them at once.
    db::spending::compact(&state.db, user.user_id).await?;
    tracing::info!(%category_id, "category deleted");
    Ok(HttpResponse::NoContent().finish())
}

/// Refuses `name` when a visible category beside it (same parent) already has it.
async fn refuse_taken_name(
    tx: &mut PgConnection,
    user_id: UserId,
    parent_id: Option<CategoryId>,
    name: &str,
    except: Option<CategoryId>,
) -> Result<(), ApiError> {
    if db::categories::name_taken(&mut *tx, user_id, parent_id, name, except).await? {
        return Err(ApiError::Conflict(format!(
            "Another category here is already called “{name}”. Choose another name, or hide or rename that one."
        )));
    }
    Ok(())
}

/// The category as it is after a change, announced to the person's other tabs at the commit.
async fn changed(
    tx: &mut PgConnection,
    user_id: UserId,
    category_id: CategoryId,
) -> Result<CategoryRecord, ApiError> {
    EventHub::publish_with(&mut *tx, user_id, ServerEvent::CategoriesChanged)
        .await
        .map_err(|e| ApiError::Unexpected(e.into()))?;
    db::categories::find(&mut *tx, user_id, category_id)
        .await?
        .ok_or_else(|| {
            ApiError::Unexpected(anyhow::anyhow!("a category vanished in its own change"))
        })
}

/// A 422 naming every field that has a message.
fn invalid<const N: usize>(fields: [(&str, Option<String>); N]) -> ApiError {
    ApiError::Validation(
        fields
            .into_iter()
            .filter_map(|(field, message)| {
                message.map(|message| FieldError {
                    field: field.to_owned(),
                    message,
                })
            })
            .collect(),
    )
}

fn category_dto(record: CategoryRecord) -> Result<Category, ApiError> {
    // The columns' check constraints guarantee the kinds; a failure here is our bug.
    let kind = |name: &str| {
        CategoryKind::from_name(name)
            .ok_or_else(|| ApiError::Unexpected(anyhow::anyhow!("unknown category kind {name:?}")))
    };
    Ok(Category {
        id: record.category_id,
        parent_id: record.parent_id,
        kind: kind(&record.kind)?,
        plaid_kind: record.plaid_kind.as_deref().map(kind).transpose()?,
        name: record.name,
        hidden: record.hidden,
        plaid_code: record.plaid_code,
        plaid_name: record.plaid_name,
    })
}
