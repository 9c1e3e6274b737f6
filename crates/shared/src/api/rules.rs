//! `/api/rules`: a person's ordered rules, which label transactions as they arrive.

use crate::api::transactions::Transaction;
use crate::ids::{CategoryId, RuleId};
use serde::{Deserialize, Serialize};

/// What a condition looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConditionField {
    /// The description or the merchant name: either may match.
    Description,
    Merchant,
    /// The amount as Plaid reports it (positive when money leaves), compared as a decimal.
    Amount,
    /// `in` (money in, a negative amount) or `out`.
    Direction,
    AccountId,
    /// Plaid's primary or detailed category code (`FOOD_AND_DRINK`, `FOOD_AND_DRINK_COFFEE`).
    PlaidCategory,
}

/// How a condition compares. Text comparisons ignore case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConditionOp {
    Contains,
    Equals,
    StartsWith,
    /// Amounts only: `[low, high]`, both included.
    Between,
    /// Amounts only.
    Gt,
    /// Amounts only.
    Lt,
}

/// A condition's value: one text (amounts are strings, as everywhere on the wire), or
/// `[low, high]` for `between`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum ConditionValue {
    One(String),
    Range([String; 2]),
}

/// One condition; a rule matches when all of its conditions do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Condition {
    pub field: ConditionField,
    pub op: ConditionOp,
    pub value: ConditionValue,
}

impl Condition {
    /// A condition on one value: a text, an amount, a direction or an account id.
    pub fn one(field: ConditionField, op: ConditionOp, value: impl Into<String>) -> Self {
        Self {
            field,
            op,
            value: ConditionValue::One(value.into()),
        }
    }

    /// The amount lies in `[low, high]`.
    pub fn amount_between(low: impl Into<String>, high: impl Into<String>) -> Self {
        Self {
            field: ConditionField::Amount,
            op: ConditionOp::Between,
            value: ConditionValue::Range([low.into(), high.into()]),
        }
    }
}

/// What a matching rule does. At least one action is required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleActions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<CategoryId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_tags: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hide: bool,
}

/// A rule. Rules apply in `position` order (0 first): a field takes its value from the first
/// matching rule that sets it, tags gather from every matching rule, and a field the person set
/// by hand is never changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rule {
    pub id: RuleId,
    pub name: String,
    pub position: u32,
    pub conditions: Vec<Condition>,
    pub actions: RuleActions,
}

/// `GET /api/rules`, in position order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleList {
    pub rules: Vec<Rule>,
}

/// `POST /api/rules`. Without a `position` the rule goes last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewRule {
    pub name: String,
    pub conditions: Vec<Condition>,
    pub actions: RuleActions,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
}

/// `PATCH /api/rules/{id}`: the fields given replace the rule's; a new `position` moves it,
/// shifting the rules between.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<RuleActions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
}

/// `POST /api/rules/preview`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RulePreviewRequest {
    pub conditions: Vec<Condition>,
}

/// How many of the person's transactions the conditions match, and the newest 20 of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RulePreview {
    pub matches: u64,
    pub sample: Vec<Transaction>,
}

/// `POST /api/rules/{id}/apply`: how many transactions changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleApplied {
    pub changed: u64,
}
