//! The router and the frame around every page.

use crate::components::layout::Layout;
use crate::components::toasts::ToastRegion;
use crate::pages::{
    AdminPage, BudgetsPage, CategoriesPage, DashboardPage, HomePage, LoginPage, NotFoundPage,
    OAuthLinkPage, RecurringPage, RegisterPage, RulesPage, SettingsPage, TransactionsPage,
};
use crate::routes::Page;
use crate::state::bank_news::tell_bank_news;
use crate::state::live::provide_live_events;
use crate::state::session::provide_session;
use crate::state::toasts::provide_toasts;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::components::{Route, Router, Routes};

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
                    <Route path=Page::Home.segment() view=HomePage />
                    <Route path=Page::Dashboard.segment() view=DashboardPage />
                    <Route path=Page::Transactions.segment() view=TransactionsPage />
                    <Route path=Page::Categories.segment() view=CategoriesPage />
                    <Route path=Page::Recurring.segment() view=RecurringPage />
                    <Route path=Page::Rules.segment() view=RulesPage />
                    <Route path=Page::Budgets.segment() view=BudgetsPage />
                    <Route path=Page::LogIn.segment() view=LoginPage />
                    <Route path=Page::Register.segment() view=RegisterPage />
                    <Route path=Page::OAuthLink.segment() view=OAuthLinkPage />
                    <Route path=Page::Admin.segment() view=AdminPage />
                    <Route path=Page::Settings.segment() view=SettingsPage />
                </Routes>
            </Layout>
            <ToastRegion />
        </Router>
    }
}
