//! `/api/assets`: things of value no bank reports (a house, a car), entered by hand.

use crate::auth::AuthUser;
use crate::db;
use crate::db::assets::AssetRecord;
use crate::domain::{AssetDescription, AssetValue};
use crate::error::ApiError;
use crate::quotas::ASSETS_PER_USER;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use tally_shared::api::assets::{Asset, AssetList, NewAsset};
use tally_shared::ids::AssetId;
use tally_shared::ws::ServerEvent;
use tally_shared::{ApiError as ApiErrorBody, CurrencyCode, FieldError, Money};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/assets").get(list_assets).post(create_asset))
        .service(web::resource("/assets/{asset_id}").delete(delete_asset));
}

#[utoipa::path(get, path = "/api/assets", tag = "assets",
    responses((status = 200, description = "My assets, newest first", body = AssetList),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "list assets", skip_all, fields(user_id = %user.user_id))]
async fn list_assets(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<AssetList>, ApiError> {
    let assets = db::assets::list(&state.db, user.user_id)
        .await?
        .into_iter()
        .map(asset_dto)
        .collect::<Result<_, _>>()?;
    Ok(web::Json(AssetList { assets }))
}

#[utoipa::path(post, path = "/api/assets", tag = "assets", request_body = NewAsset,
    responses((status = 201, description = "Created", body = Asset),
              (status = 409, description = "I already have the most assets one person can keep (200)", body = ApiErrorBody),
              (status = 422, description = "Every invalid field, at once", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "create asset", skip_all, fields(user_id = %user.user_id))]
async fn create_asset(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<NewAsset>,
) -> Result<HttpResponse, ApiError> {
    let NewAsset {
        description,
        value,
        currency,
    } = body.into_inner();
    let description = AssetDescription::parse(&description);
    let value = AssetValue::parse(&value);
    let currency = CurrencyCode::parse(currency.trim()).map_err(|e| e.to_string());
    let (description, value, currency) = match (description, value, currency) {
        (Ok(description), Ok(value), Ok(currency)) => (description, value, currency),
        (description, value, currency) => {
            let fields = [
                ("description", description.err()),
                ("value", value.err()),
                ("currency", currency.err()),
            ]
            .into_iter()
            .filter_map(|(field, message)| {
                message.map(|message| FieldError {
                    field: field.to_owned(),
                    message,
                })
            })
            .collect();
            return Err(ApiError::Validation(fields));
        }
    };

    let mut tx = state.db.begin().await?;
    let record = db::assets::insert_within(
        &mut tx,
        ASSETS_PER_USER,
        user.user_id,
        description.as_str(),
        value.amount(),
        currency.as_str(),
    )
    .await?
    .ok_or_else(|| {
        ApiError::Conflict(format!(
            "You already have {ASSETS_PER_USER} assets, the most one person can keep. Delete one \
             to add another."
        ))
    })?;
    tx.commit().await?;
    tracing::info!(asset_id = %record.asset_id, "asset created");
    state
        .events
        .announce(user.user_id, ServerEvent::AssetsChanged)
        .await;
    Ok(HttpResponse::Created().json(asset_dto(record)?))
}

#[utoipa::path(delete, path = "/api/assets/{asset_id}", tag = "assets",
    params(("asset_id" = String, Path, description = "The asset's id")),
    responses((status = 204, description = "Deleted"),
              (status = 404, description = "No such asset of mine", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "delete asset", skip_all, fields(user_id = %user.user_id))]
async fn delete_asset(
    state: web::Data<AppState>,
    user: AuthUser,
    asset_id: web::Path<AssetId>,
) -> Result<HttpResponse, ApiError> {
    let asset_id = asset_id.into_inner();
    if !db::assets::delete(&state.db, user.user_id, asset_id).await? {
        return Err(ApiError::NotFound);
    }
    tracing::info!(%asset_id, "asset deleted");
    state
        .events
        .announce(user.user_id, ServerEvent::AssetsChanged)
        .await;
    Ok(HttpResponse::NoContent().finish())
}

fn asset_dto(record: AssetRecord) -> Result<Asset, ApiError> {
    // The column's check constraint guarantees the code's shape; a failure here is our bug.
    let currency = CurrencyCode::parse(&record.currency)
        .map_err(|e| ApiError::Unexpected(anyhow::Error::new(e)))?;
    Ok(Asset {
        id: record.asset_id,
        description: record.description,
        value: Money {
            amount: record.value,
            currency,
        },
        created_at: record.created_at,
    })
}
