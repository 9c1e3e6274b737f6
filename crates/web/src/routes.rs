//! Every page's address, said once: the router matches these, and links and navigations go to
//! them. (The server knows `/oauth-link` too: it is the `redirect_uri` banks send people back to.)

use leptos_router::StaticSegment;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Home,
    Dashboard,
    Transactions,
    Categories,
    Rules,
    Budgets,
    Recurring,
    LogIn,
    Register,
    OAuthLink,
    Admin,
    Settings,
}

impl Page {
    pub const fn path(self) -> &'static str {
        match self {
            Self::Home => "/",
            Self::Dashboard => "/dashboard",
            Self::Transactions => "/transactions",
            Self::Categories => "/categories",
            Self::Rules => "/rules",
            Self::Budgets => "/budgets",
            Self::Recurring => "/recurring",
            Self::LogIn => "/login",
            Self::Register => "/register",
            Self::OAuthLink => "/oauth-link",
            Self::Admin => "/admin",
            Self::Settings => "/settings",
        }
    }

    /// This page's address with `query` (`q=coffee`), or without one when it is empty.
    pub fn with_query(self, query: &str) -> String {
        if query.is_empty() {
            self.path().to_owned()
        } else {
            format!("{}?{query}", self.path())
        }
    }

    /// What the router matches: the path without its leading `/`, as `path!` would make it.
    pub fn segment(self) -> StaticSegment<&'static str> {
        StaticSegment(self.path().trim_start_matches('/'))
    }
}
