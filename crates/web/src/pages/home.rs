//! `/`: what Tally is, and the state of this server.

use crate::api;
use crate::components::error_view::ErrorView;
use crate::components::status::{Badge, Card, Tone};
use crate::pages::login::{LogInForm, RegisterForm};
use crate::routes::Page;
use crate::state::session::use_session;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use tally_shared::api::config::{ConfigResponse, PlaidMode};
use tally_shared::api::health::{ComponentStatus, HealthResponse};

#[component]
pub fn HomePage() -> impl IntoView {
    let config = LocalResource::new(api::config::get_config);
    let health = LocalResource::new(api::health::get_health);
    let session = use_session();
    let navigate = use_navigate();

    view! {
        <Title text="" />
        <section class="hero">
            <h1>"Tally"</h1>
            <p class="lede">
                "Your accounts, balances and spending in one place, on a server you run. "
                "Link your banks, watch your net worth, and search every transaction."
            </p>
        </section>
        {move || match session.user() {
            // Signed in: this page is the dashboard's doorway.
            Some(_) => {
                navigate(Page::Dashboard.path(), Default::default());
                ().into_any()
            }
            None if session.is_known() => view! {
                <div class="grid home-auth">
                    <section class="auth-card">
                        <RegisterForm heading="Create an account" secondary=true />
                    </section>
                    <section class="auth-card">
                        <LogInForm heading="Log in" secondary=true />
                    </section>
                </div>
            }
            .into_any(),
            None => ().into_any(),
        }}
        <div class="grid">
            <Card title="Bank connection">
                <Transition fallback=|| view! { <p class="muted">"Reading the server's settings…"</p> }>
                    <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                        {move || Suspend::new(async move {
                            config.await.map(|config| view! { <PlaidModeSummary config /> })
                        })}
                    </ErrorBoundary>
                </Transition>
            </Card>
            <Card title="Server">
                <Transition fallback=|| view! { <p class="muted">"Checking the server…"</p> }>
                    <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                        {move || Suspend::new(async move {
                            health.await.map(|health| view! { <HealthSummary health /> })
                        })}
                    </ErrorBoundary>
                </Transition>
            </Card>
        </div>
    }
}

#[component]
fn PlaidModeSummary(config: ConfigResponse) -> impl IntoView {
    let (label, tone, explanation) = match config.plaid_mode {
        PlaidMode::Simulator => (
            "Simulator",
            Tone::Neutral,
            "Banks are simulated on this server: no Plaid account, no keys and no internet needed.",
        ),
        PlaidMode::Sandbox => (
            "Plaid sandbox",
            Tone::Warn,
            "Connected to Plaid's sandbox with test banks and test data.",
        ),
        PlaidMode::Production => (
            "Plaid production",
            Tone::Good,
            "Connected to Plaid: linking uses your real bank logins.",
        ),
    };
    view! {
        <dl class="facts">
            <dt>"Plaid mode"</dt>
            <dd data-testid="plaid-mode">
                <Badge tone label />
            </dd>
        </dl>
        <p class="muted">{explanation}</p>
    }
}

#[component]
fn HealthSummary(health: HealthResponse) -> impl IntoView {
    let status = |s: ComponentStatus| match s {
        ComponentStatus::Up => (Tone::Good, "Up"),
        ComponentStatus::Down => (Tone::Bad, "Down"),
    };
    let (server_tone, server_label) = match health.status {
        ComponentStatus::Up => (Tone::Good, "Healthy"),
        ComponentStatus::Down => (Tone::Bad, "Degraded"),
    };
    let (db_tone, db_label) = status(health.database);
    view! {
        <dl class="facts">
            <dt>"Status"</dt>
            <dd data-testid="server-health">
                <Badge tone=server_tone label=server_label />
            </dd>
            <dt>"Database"</dt>
            <dd data-testid="database-health">
                <Badge tone=db_tone label=db_label />
            </dd>
            <dt>"Version"</dt>
            <dd data-testid="server-version">{health.version}</dd>
        </dl>
    }
}
