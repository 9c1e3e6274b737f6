//! A labelled form field, and what the server said was wrong with a form it was sent: about
//! each field (shown beside it) or in general.

use crate::api::ClientError;
use leptos::prelude::*;

/// A label over its input (the children), with a hint and the server's complaint under it.
#[component]
pub fn Field(
    label: &'static str,
    /// Classes beside `field`, for the form's layout.
    #[prop(optional)]
    class: Option<&'static str>,
    #[prop(optional_no_strip)] hint: Option<String>,
    /// The server's complaint about what was entered here ([`Complaints::about`]).
    #[prop(optional, into)]
    error: Option<ViewFn>,
    children: Children,
) -> impl IntoView {
    let class = class.map_or_else(|| "field".to_owned(), |class| format!("field {class}"));
    view! {
        <label class=class>
            <span class="field-label">{label}</span>
            {children()}
            {hint.map(|hint| view! { <span class="field-hint">{hint}</span> })}
            {error.map(|error| move || error.run())}
        </label>
    }
}

/// A required input bound both ways to `value`.
#[component]
pub fn BoundInput(
    name: &'static str,
    value: RwSignal<String>,
    /// For password managers: `username`, `current-password`, `new-password`, `off`.
    autocomplete: &'static str,
    #[prop(default = "text")] input_type: &'static str,
) -> impl IntoView {
    view! {
        <input
            name=name
            type=input_type
            autocomplete=autocomplete
            required
            prop:value=value
            on:input=move |ev| value.set(event_target_value(&ev))
        />
    }
}

/// What went wrong with the last form an action sent, split by the fields the form has.
pub struct Complaints<I: 'static, T: 'static> {
    action: Action<I, Result<T, ClientError>>,
    fields: &'static [&'static str],
}

impl<I, T> Clone for Complaints<I, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I, T> Copy for Complaints<I, T> {}

impl<I, T> Complaints<I, T>
where
    I: 'static,
    T: Clone + Send + Sync + 'static,
{
    pub fn of(action: Action<I, Result<T, ClientError>>, fields: &'static [&'static str]) -> Self {
        Self { action, fields }
    }

    fn failure(self) -> Option<ClientError> {
        self.action.value().get().and_then(Result::err)
    }

    /// The server's complaint about `field`, drawn beside it.
    pub fn about(self, field: &'static str) -> ViewFn {
        ViewFn::from(move || {
            self.failure()
                .and_then(|error| error.field_message(field))
                .map(|message| view! { <span class="field-error">{message}</span> })
        })
    }

    /// A failure that is about none of the form's fields.
    pub fn general(self) -> Option<ClientError> {
        self.failure().filter(|error| {
            self.fields
                .iter()
                .all(|field| error.field_message(field).is_none())
        })
    }
}
