//! `/login` and `/register`. Logging in asks for a two-factor code after the password when the
//! account has codes on (`second_factor`).

mod second_factor;

use crate::api;
use crate::components::credentials_form::CredentialsForm;
use crate::components::error_view::ErrorView;
use crate::components::passkey_sign_in::PasskeySignIn;
use crate::routes::Page;
use crate::state::session::use_session;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use tally_shared::api::config::{ConfigResponse, Registration};
use tally_shared::api::session::{CurrentUser, LoginResponse};

/// Once `action` succeeds: remember the user and go to the dashboard.
fn on_signed_in(action: Action<(String, String), Result<CurrentUser, api::ClientError>>) {
    let session = use_session();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(user)) = action.value().get() {
            session.set(Some(user));
            navigate(Page::Dashboard.path(), Default::default());
        }
    });
}

#[component]
pub fn LoginPage() -> impl IntoView {
    view! {
        <Title text="Log in" />
        <section class="auth-card">
            <LogInForm heading="Log in to Tally" />
            <p class="muted">"New here? " <A href=Page::Register.path()>"Create an account"</A></p>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    view! {
        <Title text="Create an account" />
        <section class="auth-card">
            <RegisterForm heading="Create your account" />
            <p class="muted">"Already have an account? " <A href=Page::LogIn.path()>"Log in"</A></p>
        </section>
    }
}

/// A heading and the log-in form, then the code form if the account asks for one; signed in,
/// it goes to the dashboard.
#[component]
pub fn LogInForm(
    heading: &'static str,
    /// Under a page's own `h1` (the home page), the heading is an `h2`.
    #[prop(optional)]
    secondary: bool,
) -> impl IntoView {
    let action = Action::new_local(|(username, password): &(String, String)| {
        api::session::log_in(username.clone(), password.clone())
    });
    // The challenge the right password earned, while the code is asked for.
    let challenge = RwSignal::new(None::<String>);
    let session = use_session();
    let navigate = use_navigate();
    Effect::new(move |_| match action.value().get() {
        Some(Ok(LoginResponse::SignedIn(signed_in))) => {
            session.set(Some(signed_in.user));
            navigate(Page::Dashboard.path(), Default::default());
        }
        Some(Ok(LoginResponse::TwoFactorRequired(asked))) => challenge.set(Some(asked.challenge)),
        _ => {}
    });
    view! {
        {heading_view(heading, secondary)}
        {move || match challenge.get() {
            None => view! {
                <CredentialsForm action submit_label="Log in" password_autocomplete="current-password" />
                <PasskeySignIn />
            }
            .into_any(),
            Some(challenge_token) => {
                let on_back = Callback::new(move |()| challenge.set(None));
                Suspend::new(async move {
                    second_factor::second_factor_form(challenge_token, on_back)
                        .await
                        .unwrap_or_else(crate::lazy::unavailable)
                })
                .into_any()
            }
        }}
    }
}

/// What this server lets a visitor do about an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignUp {
    /// No account exists: this one will be the administrator.
    First,
    Open,
    /// By invite, with one in the address.
    WithInvite,
    /// By invite, without one.
    NeedsInvite,
    Closed,
}

impl SignUp {
    fn of(config: &ConfigResponse, has_invite: bool) -> Self {
        match config.registration {
            _ if config.first_user => Self::First,
            Registration::Open => Self::Open,
            Registration::Invite if has_invite => Self::WithInvite,
            Registration::Invite => Self::NeedsInvite,
            Registration::Closed => Self::Closed,
        }
    }
}

/// A heading and the registration form, as far as this server allows one (see `SignUp`);
/// registered, it goes to the dashboard. An invite comes from the address (`?invite=…`).
#[component]
pub fn RegisterForm(
    heading: &'static str,
    /// Under a page's own `h1` (the home page), the heading is an `h2`.
    #[prop(optional)]
    secondary: bool,
) -> impl IntoView {
    let config = LocalResource::new(api::config::get_config);
    let from_address = use_query_map()
        .with_untracked(|query| query.get("invite"))
        .unwrap_or_default();
    let has_invite = !from_address.trim().is_empty();
    let invite = RwSignal::new(from_address);
    let action = Action::new_local(move |(username, password): &(String, String)| {
        let invite = Some(invite.get_untracked()).filter(|token| !token.trim().is_empty());
        api::session::register(username.clone(), password.clone(), invite)
    });
    on_signed_in(action);
    let form = move |invite: Option<RwSignal<String>>| {
        view! {
            <CredentialsForm
                action
                submit_label="Create account"
                password_autocomplete="new-password"
                password_hint="At least 10 characters."
                invite
            />
        }
    };
    view! {
        {heading_view(heading, secondary)}
        <Transition fallback=|| view! { <p class="muted">"Reading the server's settings…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                {move || Suspend::new(async move {
                    config.await.map(|config| match SignUp::of(&config, has_invite) {
                        SignUp::First => view! {
                            <p class="muted">"No one has an account here yet: the first account is this server's administrator."</p>
                            {form(None)}
                        }
                        .into_any(),
                        SignUp::Open => form(None).into_any(),
                        SignUp::WithInvite => view! {
                            <p class="muted">"You were invited: the invite works once, for one account."</p>
                            {form(Some(invite))}
                        }
                        .into_any(),
                        SignUp::NeedsInvite => view! {
                            <p class="muted" data-testid="sign-up-closed">
                                "This server takes new accounts by invite only. Ask an administrator for an invite."
                            </p>
                        }
                        .into_any(),
                        SignUp::Closed => view! {
                            <p class="muted" data-testid="sign-up-closed">"This server is not taking new accounts."</p>
                        }
                        .into_any(),
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

fn heading_view(heading: &'static str, secondary: bool) -> AnyView {
    if secondary {
        view! { <h2>{heading}</h2> }.into_any()
    } else {
        view! { <h1>{heading}</h1> }.into_any()
    }
}
