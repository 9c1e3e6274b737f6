//! Settings → Two-factor codes: set up an authenticator app (the server's QR code, or its secret
//! typed by hand), confirm with a code, keep the ten recovery codes shown once; new recovery
//! codes, or codes turned off, with the password and a code.

use crate::api::{self, ClientError};
use crate::components::error_view::ErrorView;
use crate::components::field::{BoundInput, Complaints, Field};
use crate::components::status::{Badge, Tone};
use crate::format;
use crate::interop::clipboard;
use leptos::prelude::*;
use tally_shared::api::two_factor::{TotpEnrolment, TwoFactorStatus};

#[component]
pub fn TwoFactor() -> impl IntoView {
    let status = LocalResource::new(api::two_factor::status);
    // The recovery codes, from confirming until the person says they saved them.
    let recovery_codes = RwSignal::new(None::<Vec<String>>);
    view! {
        <section class="card" aria-labelledby="two-factor-title" data-testid="two-factor">
            <div class="section-head">
                <h2 class="card-title" id="two-factor-title">"Two-factor codes"</h2>
                {move || status.get().and_then(Result::ok).map(|status| if status.totp_enabled {
                    view! { <Badge tone=Tone::Good label="On" /> }.into_any()
                } else {
                    view! { <Badge tone=Tone::Neutral label="Off" /> }.into_any()
                })}
            </div>
            <p class="muted">
                "With codes on, logging in asks for your password and then the 6-digit code an "
                "authenticator app (such as Aegis, 2FAS, Google Authenticator or 1Password) shows, "
                "so a stolen password alone does not open your account."
            </p>
            {move || recovery_codes.get().map(|codes| view! {
                <RecoveryCodeList codes on_done=Callback::new(move |()| recovery_codes.set(None)) />
            })}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                    {move || Suspend::new(async move {
                        status.await.map(|current| {
                            if current.totp_enabled {
                                view! {
                                    <CodesOn
                                        status=current
                                        on_off=Callback::new(move |()| {
                                            recovery_codes.set(None);
                                            status.refetch();
                                        })
                                        on_new_codes=Callback::new(move |codes| {
                                            recovery_codes.set(Some(codes));
                                            status.refetch();
                                        })
                                    />
                                }
                                .into_any()
                            } else {
                                view! {
                                    <Enrol on_on=Callback::new(move |codes| {
                                        recovery_codes.set(Some(codes));
                                        status.refetch();
                                    }) />
                                }
                                .into_any()
                            }
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// Codes are off: start, scan (or type) the secret, confirm with the app's code.
#[component]
fn Enrol(
    /// Codes are on; with the recovery codes to show.
    on_on: Callback<Vec<String>>,
) -> impl IntoView {
    let start = Action::new_local(|(): &()| api::two_factor::start());
    let code = RwSignal::new(String::new());
    let confirm = Action::new_local(|code: &String| api::two_factor::confirm(code.clone()));
    let complaints = Complaints::of(confirm, &["code"]);
    Effect::new(move |_| {
        if let Some(Ok(codes)) = confirm.value().get() {
            on_on.run(codes.codes);
        }
    });
    let enrolment = move || start.value().get();
    view! {
        {move || match enrolment() {
            None | Some(Err(_)) => view! {
                {start.value().get().and_then(Result::err).map(|error| view! {
                    <p class="alert" role="alert">{error.to_string()}</p>
                })}
                <button
                    class="button button-primary"
                    type="button"
                    disabled=start.pending()
                    on:click=move |_| { start.dispatch(()); }
                >
                    "Set up two-factor codes"
                </button>
            }
            .into_any(),
            Some(Ok(enrolment)) => view! {
                <ScanSecret enrolment />
                <form
                    class="form form-narrow"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        confirm.dispatch(code.get_untracked());
                    }
                >
                    {move || complaints.general().map(|error| view! { <p class="alert" role="alert">{error.to_string()}</p> })}
                    <Field
                        label="Code from your app"
                        hint=Some("The 6 digits the app shows for Tally now.".to_owned())
                        error=complaints.about("code")
                    >
                        <input
                            name="code"
                            required
                            autocomplete="one-time-code"
                            inputmode="numeric"
                            spellcheck="false"
                            prop:value=code
                            on:input=move |ev| code.set(event_target_value(&ev))
                        />
                    </Field>
                    <div class="button-row">
                        <button class="button button-primary" type="submit" disabled=confirm.pending()>
                            {move || if confirm.pending().get() { "Checking…" } else { "Turn on" }}
                        </button>
                        <button class="button" type="button" on:click=move |_| start.value().set(None)>
                            "Cancel"
                        </button>
                    </div>
                </form>
            }
            .into_any(),
        }}
    }
}

/// The QR code the server drew, and the same secret in text for typing by hand.
#[component]
fn ScanSecret(enrolment: TotpEnrolment) -> impl IntoView {
    let grouped = grouped(&enrolment.secret);
    view! {
        <ol class="two-factor-steps">
            <li>
                "Scan this QR code with your authenticator app:"
                // The server's own SVG (no script in it): the app carries no QR library.
                <div
                    class="totp-qr"
                    role="img"
                    aria-label="QR code holding your two-factor secret, for an authenticator app"
                    inner_html=enrolment.qr_svg
                ></div>
            </li>
            <li>
                "Or, if you cannot scan, type this key into the app (time-based, 6 digits):"
                <div class="totp-secret">
                    <code data-testid="totp-secret" aria-label="Secret key">{grouped}</code>
                    <CopyButton label="Copy key" text=enrolment.secret />
                </div>
            </li>
            <li>"Type the code the app now shows below."</li>
        </ol>
    }
}

/// A button that copies `text`, and says (to screen readers too) whether the browser let it.
#[component]
fn CopyButton(label: &'static str, text: String) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let text = StoredValue::new(text);
    view! {
        <button
            class="button button-small"
            type="button"
            on:click=move |_| {
                let text = text.get_value();
                leptos::task::spawn_local(async move {
                    copied.set(Some(clipboard::copy(&text).await));
                });
            }
        >
            {label}
        </button>
        <span class="muted" role="status">
            {move || copied.get().map(|done| if done {
                "Copied."
            } else {
                "This browser did not allow copying: select the text and copy it."
            })}
        </span>
    }
}

/// "ABCD EFGH …": easier to read and type.
fn grouped(secret: &str) -> String {
    secret
        .chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|chunk| chunk.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The ten recovery codes, shown once, with a way to copy them.
#[component]
fn RecoveryCodeList(codes: Vec<String>, on_done: Callback<()>) -> impl IntoView {
    let all = codes.join("\n");
    view! {
        <div class="recovery-codes" role="region" aria-labelledby="recovery-codes-title">
            <h3 id="recovery-codes-title">"Your recovery codes"</h3>
            <p>
                "Two-factor codes are on. If you lose your phone, each of these codes logs you in "
                "once instead of a code from the app. Keep them somewhere safe, such as a password "
                "manager: they are shown only now."
            </p>
            <ol class="recovery-code-list" data-testid="recovery-codes">
                {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
            </ol>
            <div class="button-row">
                <button class="button button-small button-primary" type="button" on:click=move |_| on_done.run(())>
                    "I saved them"
                </button>
                <CopyButton label="Copy codes" text=all />
            </div>
        </div>
    }
}

/// Codes are on: when, how many recovery codes are left; new recovery codes, and turning codes
/// off, each with the password and a code.
#[component]
fn CodesOn(
    status: TwoFactorStatus,
    on_off: Callback<()>,
    /// New recovery codes, to show.
    on_new_codes: Callback<Vec<String>>,
) -> impl IntoView {
    let disable = Action::new_local(|(password, code): &(String, String)| {
        api::two_factor::disable(password.clone(), code.clone())
    });
    let renew = Action::new_local(|(password, code): &(String, String)| {
        api::two_factor::new_recovery_codes(password.clone(), code.clone())
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = disable.value().get() {
            on_off.run(());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(codes)) = renew.value().get() {
            on_new_codes.run(codes.codes);
        }
    });
    let since = status
        .enabled_at
        .map(|at| format!("On since {}. ", format::date_time(at)))
        .unwrap_or_default();
    let left = match status.recovery_codes_left {
        0 => "No recovery codes are left: get new ones below.".to_owned(),
        1 => "1 recovery code is left.".to_owned(),
        n => format!("{n} recovery codes are left."),
    };
    view! {
        <p data-testid="two-factor-on">{since}{left}</p>
        <PasswordAndCode
            heading="New recovery codes"
            explained="Ten new codes take the place of the ones you have, which stop working."
            submit="Get new recovery codes"
            danger=false
            action=renew
        />
        <PasswordAndCode
            heading="Turn codes off"
            explained="Logging in will ask only for your password."
            submit="Turn two-factor codes off"
            danger=true
            action=disable
        />
    }
}

/// A form that asks for the password and a code from the app (or a recovery code), as the
/// changes to codes that are on do.
#[component]
fn PasswordAndCode<T: Clone + Send + Sync + 'static>(
    heading: &'static str,
    explained: &'static str,
    submit: &'static str,
    danger: bool,
    action: Action<(String, String), Result<T, ClientError>>,
) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let complaints = Complaints::of(action, &["password", "code"]);
    view! {
        <form
            class="form form-narrow"
            aria-label=heading
            on:submit=move |ev| {
                ev.prevent_default();
                action.dispatch((password.get_untracked(), code.get_untracked()));
            }
        >
            <h3>{heading}</h3>
            <p class="muted">{explained}</p>
            {move || complaints.general().map(|error| view! { <p class="alert" role="alert">{error.to_string()}</p> })}
            <Field label="Your password" error=complaints.about("password")>
                <BoundInput name="password" input_type="password" value=password autocomplete="current-password" />
            </Field>
            <Field
                label="Code from your app"
                hint=Some("Or one of your recovery codes.".to_owned())
                error=complaints.about("code")
            >
                <BoundInput name="code" value=code autocomplete="one-time-code" />
            </Field>
            <button
                class=if danger { "button button-danger" } else { "button" }
                type="submit"
                disabled=action.pending()
            >
                {submit}
            </button>
        </form>
    }
}
