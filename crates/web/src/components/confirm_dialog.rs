//! A modal question before something that cannot be undone.

use crate::components::modal::modal_while;
use leptos::html::Dialog;
use leptos::prelude::*;

/// Open while `question` is `Some`. Escape, Cancel and the close button answer no; focus starts
/// on Cancel, so that Enter alone never confirms.
#[component]
pub fn ConfirmDialog(
    /// The title and the explanation; `None` closes the dialog.
    #[prop(into)]
    question: Signal<Option<(String, String)>>,
    #[prop(into)] confirm_label: String,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let dialog = NodeRef::<Dialog>::new();
    modal_while(dialog, move || question.with(Option::is_some));
    view! {
        <dialog
            node_ref=dialog
            class="dialog"
            aria-labelledby="confirm-dialog-title"
            aria-describedby="confirm-dialog-message"
            on:close=move |_| {
                if question.with_untracked(Option::is_some) {
                    on_cancel.run(());
                }
            }
        >
            <h2 id="confirm-dialog-title">{move || question.get().map(|(title, _)| title)}</h2>
            <p id="confirm-dialog-message">{move || question.get().map(|(_, message)| message)}</p>
            <div class="dialog-actions">
                <button type="button" class="button" autofocus on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
                <button type="button" class="button button-danger-solid" on:click=move |_| on_confirm.run(())>
                    {confirm_label}
                </button>
            </div>
        </dialog>
    }
}
