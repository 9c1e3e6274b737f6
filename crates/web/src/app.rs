//! The router and the frame around every page.

use crate::components::layout::Layout;
use crate::components::toasts::ToastRegion;
use crate::lazy;
use crate::pages::{
    AdminPage, BudgetsPage, CategoriesPage, DashboardPage, HomePage, LoginPage, NotFoundPage,
    OAuthLinkPage, RecurringPage, RegisterPage, RulesPage, SettingsPage, TransactionsPage,
};
use crate::routes::Page;
use crate::state::bank_news::tell_bank_news;
use crate::state::live::provide_live_events;
use crate::state::session::{provide_session, use_session};
use crate::state::toasts::provide_toasts;
use futures_util::future::{select, Either};
use leptos::prelude::*;
use leptos::wasm_split::{wasm_split, SplitLoaderError};
use leptos_meta::{provide_meta_context, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_navigate;
use leptos_router::{Lazy, LazyRoute, NavigateOptions};

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_session();
    provide_live_events();
    provide_toasts();
    lazy::PagesLoading::provide();
    tell_bank_news();
    view! {
        <Title formatter=|page: String| if page.is_empty() { "Tally".to_owned() } else { format!("{page} · Tally") } />
        <Router>
            <Layout>
                <Routes fallback=NotFoundPage>
                    <Route path=Page::Home.segment() view={Lazy::<HomeRoute>::new()} />
                    <Route path=Page::Dashboard.segment() view=DashboardPage />
                    <Route path=Page::Transactions.segment() view={Lazy::<TransactionsRoute>::new()} />
                    <Route path=Page::Categories.segment() view={Lazy::<CategoriesRoute>::new()} />
                    <Route path=Page::Recurring.segment() view={Lazy::<RecurringRoute>::new()} />
                    <Route path=Page::Rules.segment() view={Lazy::<RulesRoute>::new()} />
                    <Route path=Page::Budgets.segment() view={Lazy::<BudgetsRoute>::new()} />
                    <Route path=Page::LogIn.segment() view=LoginPage />
                    <Route path=Page::Register.segment() view={Lazy::<RegisterRoute>::new()} />
                    <Route path=Page::OAuthLink.segment() view={Lazy::<OAuthLinkRoute>::new()} />
                    <Route path=Page::Admin.segment() view={Lazy::<AdminRoute>::new()} />
                    <Route path=Page::Settings.segment() view={Lazy::<SettingsRoute>::new()} />
                </Routes>
            </Layout>
            <ToastRegion />
        </Router>
    }
}

/// A route whose page is its own download, fetched the first time it is opened (the router
/// waits for it), as `$part.wasm` (see `crate::lazy`). With `instead`, a future made when the
/// route is opened that may answer another view, and then the part is not fetched.
macro_rules! lazy_page {
    ($route:ident, $part:ident, $page:ident) => {
        lazy_page!($route, $part, $page, instead = || async { None });
    };
    ($route:ident, $part:ident, $page:ident, instead = $instead:expr) => {
        struct $route;

        #[wasm_split($part, wasm_split_path = ::leptos::wasm_split, fallible)]
        fn $part() -> Result<AnyView, SplitLoaderError> {
            Ok(view! { <$page /> }.into_any())
        }

        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            async fn view(_this: Self) -> AnyView {
                let instead = ($instead)();
                let _loading = lazy::PendingPart::start();
                if let Some(view) = instead.await {
                    return view;
                }
                $part().await.unwrap_or_else(lazy::unavailable)
            }
        }
    };
}

/// A signed-in person who opens the home page goes on to the dashboard, without its part (the
/// page would send them there once it arrived). Waits for the session's first check, which
/// the app starts before it routes; if that takes longer than `SESSION_CHECK_WAIT`, the page
/// comes, and sends a signed-in person on itself once the check answers.
fn dashboard_if_signed_in() -> impl std::future::Future<Output = Option<AnyView>> {
    let session = use_session();
    let navigate = use_navigate();
    async move {
        let known = std::pin::pin!(session.known_user());
        let timeout = gloo_timers::future::sleep(SESSION_CHECK_WAIT);
        let Either::Left((Some(_), _)) = select(known, timeout).await else {
            return None;
        };
        let replace = NavigateOptions {
            replace: true,
            ..NavigateOptions::default()
        };
        navigate(Page::Dashboard.path(), replace);
        Some(().into_any())
    }
}

/// How long the home route waits for the session's first check at most.
const SESSION_CHECK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

lazy_page!(
    HomeRoute,
    home_page,
    HomePage,
    instead = dashboard_if_signed_in
);
lazy_page!(RegisterRoute, register_page, RegisterPage);
lazy_page!(TransactionsRoute, transactions_page, TransactionsPage);
lazy_page!(CategoriesRoute, categories_page, CategoriesPage);
lazy_page!(RecurringRoute, recurring_page, RecurringPage);
lazy_page!(RulesRoute, rules_page, RulesPage);
lazy_page!(BudgetsRoute, budgets_page, BudgetsPage);
lazy_page!(OAuthLinkRoute, oauth_link_page, OAuthLinkPage);
lazy_page!(AdminRoute, admin_page, AdminPage);
lazy_page!(SettingsRoute, settings_page, SettingsPage);
