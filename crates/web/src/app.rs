//! The router and the frame around every page.

use crate::components::layout::Layout;
use crate::components::toasts::ToastRegion;
use crate::pages::{
    AdminPage, DashboardPage, HomePage, LoginPage, NotFoundPage, OAuthLinkPage, RegisterPage,
    TransactionsPage,
};
use crate::state::bank_news::tell_bank_news;
use crate::state::live::provide_live_events;
use crate::state::session::provide_session;
use crate::state::toasts::provide_toasts;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_session();
    provide_live_events();
    provide_toasts();
    tell_bank_news();
    view! {
        <Title formatter=|page: String| if page.is_empty() { "Tally".to_owned() } else { format!("{page} · Tally") } />
        <Router>
            <Layout>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/dashboard") view=DashboardPage />
                    <Route path=path!("/transactions") view=TransactionsPage />
                    <Route path=path!("/login") view=LoginPage />
                    <Route path=path!("/register") view=RegisterPage />
                    <Route path=path!("/oauth-link") view=OAuthLinkPage />
                    <Route path=path!("/admin") view=AdminPage />
                </Routes>
            </Layout>
            <ToastRegion />
        </Router>
    }
}
