//! Who is logged in, shared by every page.

use crate::api;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tally_shared::api::session::CurrentUser;

#[derive(Clone, Copy)]
pub struct Session {
    /// `None` while unknown (the first check has not answered yet).
    state: RwSignal<Option<Option<CurrentUser>>>,
}

impl Session {
    pub fn user(&self) -> Option<CurrentUser> {
        self.state.get().flatten()
    }

    pub fn is_known(&self) -> bool {
        self.state.with(Option::is_some)
    }

    /// `user` outside the reactive graph (nothing re-runs when it changes).
    pub fn user_untracked(&self) -> Option<CurrentUser> {
        self.state.get_untracked().flatten()
    }

    /// `is_known` outside the reactive graph.
    pub fn is_known_untracked(&self) -> bool {
        self.state.with_untracked(Option::is_some)
    }

    pub fn set(&self, user: Option<CurrentUser>) {
        self.state.set(Some(user));
    }
}

/// Provides the session to the app and asks the server who is logged in.
pub fn provide_session() {
    let session = Session {
        state: RwSignal::new(None),
    };
    provide_context(session);
    spawn_local(async move {
        // A server that cannot be reached shows as logged out; pages report the error.
        let user = api::session::current_user().await.ok().flatten();
        session.set(user);
    });
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
