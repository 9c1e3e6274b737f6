//! `/api/institutions/{id}`: a bank's name, logo and colour.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Institution {
    /// Plaid's institution id, e.g. `ins_109508`.
    pub id: String,
    pub name: String,
    /// A base64 PNG, when the bank has one.
    pub logo: Option<String>,
    /// `#RRGGBB`.
    pub primary_color: Option<String>,
    pub url: Option<String>,
    /// Linking goes through the bank's own site.
    pub oauth: bool,
}
