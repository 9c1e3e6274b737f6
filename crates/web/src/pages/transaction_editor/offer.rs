//! The rule offered after a person gives a merchant's transaction a new category: "Always
//! categorise Starbucks as Coffee?", with how many past transactions it would change. Accepted,
//! it becomes a rule (`merchant equals …`) and is applied to the past at once.

use crate::api::{self, ClientError};
use leptos::html::H3;
use leptos::prelude::*;
use rust_decimal::Decimal;
use tally_shared::api::rules::{
    Condition, ConditionField, ConditionOp, ConditionValue, NewRule, RuleActions, RulePreview,
    RulePreviewRequest,
};
use tally_shared::ids::CategoryId;

/// The longest rule name the offer makes.
const NAME_LENGTH: usize = 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub merchant: String,
    pub category_id: CategoryId,
    pub category_name: String,
}

impl Offer {
    fn conditions(&self) -> Vec<Condition> {
        vec![Condition {
            field: ConditionField::Merchant,
            op: ConditionOp::Equals,
            value: ConditionValue::One(self.merchant.clone()),
        }]
    }

    fn rule(&self) -> NewRule {
        NewRule {
            name: format!("{} → {}", self.merchant, self.category_name)
                .chars()
                .take(NAME_LENGTH)
                .collect(),
            conditions: self.conditions(),
            actions: RuleActions {
                category_id: Some(self.category_id),
                ..RuleActions::default()
            },
            position: None,
        }
    }

    /// "the other 12 transactions from Starbucks": what the rule would label besides the one
    /// just edited (which the preview counts too).
    fn others(&self, preview: &RulePreview) -> String {
        let others = preview.matches.saturating_sub(1);
        let count = crate::format::number(Decimal::from(others));
        match others {
            0 => format!("no other transactions from {} yet", self.merchant),
            1 => format!("the other transaction from {}", self.merchant),
            _ => format!("the other {count} transactions from {}", self.merchant),
        }
    }
}

#[component]
pub fn OfferRule(question: Offer, close: Callback<()>) -> impl IntoView {
    let heading = NodeRef::<H3>::new();
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            let _ = heading.focus();
        }
    });
    let preview = {
        let conditions = question.conditions();
        LocalResource::new(move || {
            let request = RulePreviewRequest {
                conditions: conditions.clone(),
            };
            async move { api::rules::preview(&request).await }
        })
    };
    let accept = {
        let rule = question.rule();
        Action::new_local(move |()| {
            let rule = rule.clone();
            async move {
                let created = api::rules::create(&rule).await?;
                let applied = api::rules::apply(created.id).await?;
                Ok::<_, ClientError>(applied.changed)
            }
        })
    };
    let pending = accept.pending();
    let done = move || accept.value().get().and_then(Result::ok);
    let failed = move || accept.value().get().and_then(Result::err);
    let count = {
        let question = question.clone();
        move || match preview.get() {
            None => "Counting the transactions it would change…".to_owned(),
            Some(Ok(found)) => format!(
                "A rule would categorise {} (not those you set by hand), and new ones as they \
                 arrive.",
                question.others(&found)
            ),
            Some(Err(error)) => format!("Tally could not count what it would change: {error}"),
        }
    };
    let title = format!(
        "Always categorise {} as {}?",
        question.merchant, question.category_name
    );
    view! {
        <section class="offer" aria-labelledby="offer-title" data-testid="rule-offer">
            <p class="alert alert-good" role="status">"Saved."</p>
            <h3 id="offer-title" tabindex="-1" node_ref=heading>{title}</h3>
            <Show
                when=move || done().is_none()
                fallback=move || {
                    let changed = done().unwrap_or_default();
                    let plural = if changed == 1 { "" } else { "s" };
                    view! {
                        <p class="alert alert-good" role="status" data-testid="rule-applied">
                            {format!("Rule created. It changed {changed} transaction{plural}.")}
                        </p>
                        <div class="dialog-actions">
                            <button type="button" class="button button-primary" autofocus on:click=move |_| close.run(())>
                                "Done"
                            </button>
                        </div>
                    }
                }
            >
                <p class="muted" aria-live="polite" data-testid="rule-offer-count">{count.clone()}</p>
                {move || failed().map(|error| view! { <p class="alert" role="alert">{error.to_string()}</p> })}
                <div class="dialog-actions">
                    <button type="button" class="button" on:click=move |_| close.run(())>"Not now"</button>
                    <button
                        type="button"
                        class="button button-primary"
                        disabled=pending
                        on:click=move |_| {
                            accept.dispatch(());
                        }
                    >
                        {move || if pending.get() { "Creating the rule…" } else { "Always categorise" }}
                    </button>
                </div>
            </Show>
        </section>
    }
}
