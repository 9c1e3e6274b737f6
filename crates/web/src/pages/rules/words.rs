//! Rules in words: "Merchant equals Starbucks", "Category: Coffee · Tags: treats".

use crate::components::category_picker::category_path;
use tally_shared::api::accounts::Account;
use tally_shared::api::categories::Category;
use tally_shared::api::rules::{
    Condition, ConditionField, ConditionOp, ConditionValue, RuleActions,
};

pub fn field_words(field: ConditionField) -> &'static str {
    match field {
        ConditionField::Description => "Description or merchant",
        ConditionField::Merchant => "Merchant",
        ConditionField::Amount => "Amount",
        ConditionField::Direction => "Direction",
        ConditionField::AccountId => "Account",
        ConditionField::PlaidCategory => "Bank's category",
    }
}

pub fn op_words(op: ConditionOp) -> &'static str {
    match op {
        ConditionOp::Contains => "contains",
        ConditionOp::Equals => "is",
        ConditionOp::StartsWith => "starts with",
        ConditionOp::Between => "is between",
        ConditionOp::Gt => "is more than",
        ConditionOp::Lt => "is less than",
    }
}

/// The comparisons that make sense for `field`, the first being the one a new condition starts with.
pub fn ops_for(field: ConditionField) -> &'static [ConditionOp] {
    match field {
        ConditionField::Description | ConditionField::Merchant | ConditionField::PlaidCategory => {
            &[
                ConditionOp::Contains,
                ConditionOp::Equals,
                ConditionOp::StartsWith,
            ]
        }
        ConditionField::Amount => &[
            ConditionOp::Equals,
            ConditionOp::Between,
            ConditionOp::Gt,
            ConditionOp::Lt,
        ],
        ConditionField::Direction | ConditionField::AccountId => &[ConditionOp::Equals],
    }
}

pub const FIELDS: [ConditionField; 6] = [
    ConditionField::Description,
    ConditionField::Merchant,
    ConditionField::Amount,
    ConditionField::Direction,
    ConditionField::AccountId,
    ConditionField::PlaidCategory,
];

/// The wire name of a field or an op, for `<option value>`.
pub fn wire<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A field or op from its wire name.
pub fn from_wire<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
}

pub fn direction_words(value: &str) -> &'static str {
    if value == "in" {
        "money in"
    } else {
        "money out"
    }
}

pub fn account_words(accounts: &[Account], id: &str) -> String {
    accounts
        .iter()
        .find(|a| a.id.to_string() == id)
        .map_or_else(
            || "an account no longer linked".to_owned(),
            |a| match &a.mask {
                Some(mask) => format!("{} ••{mask}", a.name),
                None => a.name.clone(),
            },
        )
}

/// "Merchant is “Starbucks”", "Amount is between 5 and 10".
pub fn condition_words(condition: &Condition, accounts: &[Account]) -> String {
    let value = match (&condition.value, condition.field) {
        (ConditionValue::Range([low, high]), _) => format!("{low} and {high}"),
        (ConditionValue::One(v), ConditionField::Direction) => direction_words(v).to_owned(),
        (ConditionValue::One(v), ConditionField::AccountId) => account_words(accounts, v),
        (ConditionValue::One(v), ConditionField::Amount) => v.clone(),
        (ConditionValue::One(v), _) => format!("“{v}”"),
    };
    format!(
        "{} {} {value}",
        field_words(condition.field),
        op_words(condition.op)
    )
}

/// "Category: Food and drink › Coffee · Name: Coffee · Tags: treats · Hide".
pub fn actions_words(actions: &RuleActions, categories: &[Category]) -> String {
    let mut parts = Vec::new();
    if let Some(id) = actions.category_id {
        let name = category_path(categories, id).unwrap_or_else(|| "a category".to_owned());
        parts.push(format!("Category: {name}"));
    }
    if let Some(name) = &actions.display_name {
        parts.push(format!("Name: {name}"));
    }
    if !actions.add_tags.is_empty() {
        parts.push(format!("Tags: {}", actions.add_tags.join(", ")));
    }
    if actions.hide {
        parts.push("Hide".to_owned());
    }
    parts.join(" · ")
}
