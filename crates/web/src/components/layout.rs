//! The header, navigation and footer around every page.

use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <div class="shell">
            <header class="topbar">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"T"</span>
                    <span class="brand-name">"Tally"</span>
                </A>
                <nav class="nav" aria-label="Main">
                    <A href="/" exact=true>"Home"</A>
                    <A href="/dashboard">"Dashboard"</A>
                    <A href="/admin">"Admin"</A>
                </nav>
            </header>
            <main class="content">{children()}</main>
            <footer class="footer">
                "Tally · self-hosted personal finance · your data stays on your server"
            </footer>
        </div>
    }
}
