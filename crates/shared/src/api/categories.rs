//! `/api/categories`: Plaid's categories (PFC v2) as each person sees them, and their own.

use crate::ids::CategoryId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a category's money is: only `spending` counts as spending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CategoryKind {
    Spending,
    Income,
    Transfer,
}

impl CategoryKind {
    pub const ALL: [Self; 3] = [Self::Spending, Self::Income, Self::Transfer];

    /// The wire (and database) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spending => "spending",
            Self::Income => "income",
            Self::Transfer => "transfer",
        }
    }

    /// The kind a wire name names, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

impl fmt::Display for CategoryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A category as the person sees it: Plaid's with their changes applied, or their own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Category {
    pub id: CategoryId,
    /// The primary category this one is under; none for a primary.
    pub parent_id: Option<CategoryId>,
    pub name: String,
    pub kind: CategoryKind,
    /// Hidden categories are not offered for new choices; what is in them stays and still counts.
    pub hidden: bool,
    /// Plaid's PFC v2 code (`FOOD_AND_DRINK_COFFEE`) for Plaid's categories; none for the
    /// person's own.
    pub plaid_code: Option<String>,
    /// Plaid's own name and kind for Plaid's categories, to show what a change replaced.
    pub plaid_name: Option<String>,
    pub plaid_kind: Option<CategoryKind>,
}

impl Category {
    /// Whether the person made this category (and so may delete it).
    pub fn is_own(&self) -> bool {
        self.plaid_code.is_none()
    }
}

/// `GET /api/categories`: every category the person sees, hidden ones included, in tree order:
/// primaries by name, each followed by its categories by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryList {
    pub categories: Vec<Category>,
}

/// `POST /api/categories`. `kind` is `spending`, `income` or `transfer`; `parent_id`, when
/// given, is a primary category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewCategory {
    pub name: String,
    #[serde(default)]
    pub parent_id: Option<CategoryId>,
    pub kind: String,
}

/// `PATCH /api/categories/{id}`: what is given changes, the rest stays. On one of Plaid's
/// categories the change is the person's alone; giving Plaid's own name or kind back restores it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryChanges {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// `DELETE /api/categories/{id}?reassign_to=…`: where what is in the category goes. Required
/// when anything is in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct DeleteCategoryParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reassign_to: Option<CategoryId>,
}
