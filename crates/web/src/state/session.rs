//! Who is logged in, shared by every page.

use crate::api;
use futures_util::future::{LocalBoxFuture, Shared};
use futures_util::FutureExt;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tally_shared::api::session::CurrentUser;

#[derive(Clone, Copy)]
pub struct Session {
    /// `None` while unknown (the first check has not answered yet).
    state: RwSignal<Option<Option<CurrentUser>>>,
    /// Done once the first check has answered.
    first_check: StoredValue<Shared<LocalBoxFuture<'static, ()>>, LocalStorage>,
}

impl Session {
    pub fn user(&self) -> Option<CurrentUser> {
        self.state.get().flatten()
    }

    pub fn is_known(&self) -> bool {
        self.state.with(Option::is_some)
    }

    /// Who is signed in, once the first check has answered (outside the reactive graph:
    /// nothing re-runs when it changes).
    pub async fn known_user(&self) -> Option<CurrentUser> {
        self.first_check.get_value().await;
        self.state.get_untracked().flatten()
    }

    pub fn set(&self, user: Option<CurrentUser>) {
        self.state.set(Some(user));
    }
}

/// Provides the session to the app and asks the server who is logged in.
pub fn provide_session() {
    let state = RwSignal::new(None);
    let first_check = async move {
        // A server that cannot be reached shows as logged out; pages report the error.
        let user = api::session::current_user().await.ok().flatten();
        state.set(Some(user));
    }
    .boxed_local()
    .shared();
    let session = Session {
        state,
        first_check: StoredValue::new_local(first_check.clone()),
    };
    provide_context(session);
    spawn_local(first_check);
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
