//! The labels form: category, display name, notes, tags and hidden, each saying who set it and
//! with a way to give it back to the bank. Save sends only what changed, so a rule's value the
//! person left alone stays the rule's.

use super::offer::Offer;
use crate::api::{self, ClientError};
use crate::components::category_picker::CategoryPicker;
use crate::components::field::{Complaints, Field};
use crate::components::status::Tone;
use crate::components::tag_input::TagInput;
use crate::state::toasts::use_toasts;
use leptos::prelude::*;
use tally_shared::api::categories::Category;
use tally_shared::api::transactions::{FieldSource, TransactionDetail, TransactionEdit};

/// The fields the server may complain about.
const FIELDS: &[&str] = &["category_id", "display_name", "notes", "tags", "hidden"];

/// What to do once a change is saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum After {
    /// The form was saved: offer a rule or close.
    Save,
    /// One field went back to the bank: stay, showing its new value.
    Reset(LabelField),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LabelField {
    Category,
    DisplayName,
    Notes,
    Tags,
    Hidden,
}

impl LabelField {
    fn words(self) -> &'static str {
        match self {
            Self::Category => "category",
            Self::DisplayName => "display name",
            Self::Notes => "notes",
            Self::Tags => "tags",
            Self::Hidden => "hidden",
        }
    }

    fn source(self, detail: &TransactionDetail) -> FieldSource {
        let sources = &detail.sources;
        match self {
            Self::Category => sources.category_id,
            Self::DisplayName => sources.display_name,
            Self::Notes => sources.notes,
            Self::Tags => sources.tags,
            Self::Hidden => sources.hidden,
        }
    }

    /// The edit that gives this field back to the rules and Plaid.
    fn reset(self) -> TransactionEdit {
        let mut edit = TransactionEdit::default();
        match self {
            Self::Category => edit.category_id = Some(None),
            Self::DisplayName => edit.display_name = Some(None),
            Self::Notes => edit.notes = Some(None),
            Self::Tags => edit.tags = Some(None),
            Self::Hidden => edit.hidden = Some(None),
        }
        edit
    }
}

/// The drafts of the form, one signal per field.
#[derive(Clone, Copy)]
struct Drafts {
    category: RwSignal<Option<tally_shared::ids::CategoryId>>,
    display_name: RwSignal<String>,
    notes: RwSignal<String>,
    tags: RwSignal<Vec<String>>,
    hidden: RwSignal<bool>,
}

impl Drafts {
    fn new(detail: &TransactionDetail) -> Self {
        let t = &detail.transaction;
        Self {
            category: RwSignal::new(Some(t.category_id)),
            display_name: RwSignal::new(t.display_name.clone().unwrap_or_default()),
            notes: RwSignal::new(t.notes.clone().unwrap_or_default()),
            tags: RwSignal::new(t.tags.clone()),
            hidden: RwSignal::new(t.hidden),
        }
    }

    /// Shows `field` as `detail` has it now.
    fn refresh(self, field: LabelField, detail: &TransactionDetail) {
        let t = &detail.transaction;
        match field {
            LabelField::Category => self.category.set(Some(t.category_id)),
            LabelField::DisplayName => self
                .display_name
                .set(t.display_name.clone().unwrap_or_default()),
            LabelField::Notes => self.notes.set(t.notes.clone().unwrap_or_default()),
            LabelField::Tags => self.tags.set(t.tags.clone()),
            LabelField::Hidden => self.hidden.set(t.hidden),
        }
    }

    /// What differs from `detail`'s effective values. A text emptied is given back to the bank.
    fn changes(self, detail: &TransactionDetail) -> TransactionEdit {
        let t = &detail.transaction;
        let text = |draft: RwSignal<String>, now: &Option<String>| {
            let draft = draft.get_untracked().trim().to_owned();
            if draft == now.clone().unwrap_or_default() {
                None
            } else if draft.is_empty() {
                Some(None)
            } else {
                Some(Some(draft))
            }
        };
        let category = self.category.get_untracked();
        let tags = self.tags.get_untracked();
        let hidden = self.hidden.get_untracked();
        TransactionEdit {
            category_id: category.filter(|c| *c != t.category_id).map(Some),
            display_name: text(self.display_name, &t.display_name),
            notes: text(self.notes, &t.notes),
            tags: (tags != t.tags).then_some(Some(tags)),
            hidden: (hidden != t.hidden).then_some(Some(hidden)),
        }
    }
}

#[component]
pub fn LabelsForm(
    current: RwSignal<TransactionDetail>,
    categories: Signal<Vec<Category>>,
    /// Set when a new category for a merchant was saved.
    offer: RwSignal<Option<Offer>>,
    on_saved: Callback<()>,
    close: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let drafts = current.with_untracked(Drafts::new);
    let send = Action::new_local(move |(edit, after): &(TransactionEdit, After)| {
        let (edit, after) = (edit.clone(), *after);
        let id = current.with_untracked(|d| d.transaction.id);
        async move {
            let saved = api::transactions::edit(id, &edit).await?;
            current.try_set(saved.clone());
            on_saved.run(());
            match after {
                After::Reset(field) => drafts.refresh(field, &saved),
                After::Save => {
                    let merchant = saved
                        .transaction
                        .merchant_name
                        .clone()
                        .filter(|m| !m.trim().is_empty());
                    match (edit.category_id, merchant) {
                        (Some(Some(category_id)), Some(merchant)) => offer.set(Some(Offer {
                            merchant,
                            category_id,
                            category_name: saved.transaction.category_name.clone(),
                        })),
                        _ => {
                            toasts.push(Tone::Good, "Transaction saved");
                            close.run(());
                        }
                    }
                }
            }
            Ok::<_, ClientError>(saved)
        }
    });
    let complaints = Complaints::of(send, FIELDS);
    let complaint = move |field: &'static str| {
        Signal::derive(move || {
            send.value()
                .get()
                .and_then(Result::err)
                .map(|e| e.messages_about(field).join(" "))
                .filter(|m| !m.is_empty())
        })
    };
    let pending = send.pending();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (edit, needs_review) =
            current.with_untracked(|d| (drafts.changes(d), d.transaction.needs_review));
        // Saving with nothing changed still tells Tally the person has reviewed it.
        if edit == TransactionEdit::default() && !needs_review {
            close.run(());
            return;
        }
        send.dispatch((edit, After::Save));
    };
    let reset = Callback::new(move |field: LabelField| {
        send.dispatch((field.reset(), After::Reset(field)));
    });
    let plaid_name = move || {
        current.with(|d| {
            d.plaid
                .merchant_name
                .clone()
                .filter(|m| !m.trim().is_empty())
                .unwrap_or_else(|| d.plaid.name.clone())
        })
    };
    let plaid_category = move || current.with(|d| d.plaid.category_name.clone());
    view! {
        <form class="form editor-form" on:submit=save novalidate>
            <div class="editor-field">
                <CategoryPicker
                    categories
                    value=drafts.category
                    label="Category"
                    error=complaint("category_id")
                />
                <Source current field=LabelField::Category bank=Signal::derive(plaid_category) reset />
            </div>
            <div class="editor-field">
                <Field label="Display name" error=complaints.about("display_name")>
                    <input
                        name="display_name"
                        type="text"
                        autocomplete="off"
                        maxlength="200"
                        placeholder=plaid_name
                        prop:value=drafts.display_name
                        on:input=move |ev| drafts.display_name.set(event_target_value(&ev))
                    />
                </Field>
                <Source current field=LabelField::DisplayName bank=Signal::derive(plaid_name) reset />
            </div>
            <div class="editor-field">
                <Field label="Notes" hint=Some("Up to 2,000 characters.".to_owned()) error=complaints.about("notes")>
                    <textarea
                        name="notes"
                        rows="3"
                        maxlength="2000"
                        prop:value=drafts.notes
                        on:input=move |ev| drafts.notes.set(event_target_value(&ev))
                    ></textarea>
                </Field>
                <Source current field=LabelField::Notes reset />
            </div>
            <div class="editor-field">
                <TagInput tags=drafts.tags label="Tags" error=complaint("tags") />
                <Source current field=LabelField::Tags reset />
            </div>
            <div class="editor-field">
                <label class="inline-check editor-check">
                    <input
                        type="checkbox"
                        name="hidden"
                        prop:checked=drafts.hidden
                        on:change=move |ev| drafts.hidden.set(event_target_checked(&ev))
                    />
                    "Hide this transaction"
                </label>
                <span class="field-hint">"Kept and listed under “Hidden”, but left out of every total."</span>
                {move || complaints.about("hidden").run()}
                <Source current field=LabelField::Hidden reset />
            </div>
            {move || complaints.general().map(|error| view! {
                <p class="alert" role="alert">{error.to_string()}</p>
            })}
            <div class="dialog-actions">
                <button type="button" class="button" on:click=move |_| close.run(())>"Cancel"</button>
                <button type="submit" class="button button-primary" disabled=pending>
                    {move || if pending.get() { "Saving…" } else { "Save" }}
                </button>
            </div>
        </form>
    }
}

/// Who set a field, what the bank says when that is not the bank, and the way back to it.
#[component]
fn Source(
    current: RwSignal<TransactionDetail>,
    field: LabelField,
    /// What the bank says, for fields the bank has a value for.
    #[prop(optional, into)]
    bank: Option<Signal<String>>,
    reset: Callback<LabelField>,
) -> impl IntoView {
    let source = move || current.with(|d| field.source(d));
    let words = move || match (source(), bank) {
        (FieldSource::Plaid, Some(_)) => "From your bank".to_owned(),
        (FieldSource::Plaid, None) => String::new(),
        (FieldSource::Rule, Some(bank)) => format!("Set by a rule · bank: “{}”", bank.get()),
        (FieldSource::Rule, None) => "Set by a rule".to_owned(),
        (FieldSource::User, Some(bank)) => format!("Set by you · bank: “{}”", bank.get()),
        (FieldSource::User, None) => "Set by you".to_owned(),
    };
    view! {
        <p class="source-line" data-testid=format!("source-{}", field.words().replace(' ', "-"))>
            <span class="small muted">{words}</span>
            {move || (source() == FieldSource::User).then(|| view! {
                <button
                    type="button"
                    class="button-link small"
                    aria-label=format!("Reset {} to bank's value", field.words())
                    on:click=move |_| reset.run(field)
                >
                    "Reset to bank's value"
                </button>
            })}
        </p>
    }
}
