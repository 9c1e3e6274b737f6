//! `/api/assets`: things of value no bank reports (a house, a car), entered by hand.

use crate::ids::AssetId;
use crate::money::Money;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Asset {
    pub id: AssetId,
    pub description: String,
    pub value: Money,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssetList {
    pub assets: Vec<Asset>,
}

/// `POST /api/assets`. `value` is a decimal string such as `"250000.00"`; `currency` ISO 4217.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewAsset {
    pub description: String,
    pub value: String,
    pub currency: String,
}
