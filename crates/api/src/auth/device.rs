//! A browser's User-Agent in words ("Chrome on Linux"), for the person's list of sessions.

use std::sync::OnceLock;
use woothee::parser::Parser;

/// Kept per session; longer User-Agents are cut (they say nothing more a person needs).
pub const MAX_USER_AGENT_CHARS: usize = 512;

/// What a User-Agent names, in a few words a person recognises.
pub fn describe(user_agent: Option<&str>) -> String {
    let parsed = user_agent
        .filter(|ua| !ua.trim().is_empty())
        .and_then(|ua| parser().parse(ua));
    let known = |name: &str| !name.is_empty() && name != woothee::woothee::VALUE_UNKNOWN;
    let (browser, system) = match &parsed {
        Some(result) => (
            known(result.name).then_some(result.name),
            known(result.os).then(|| system_name(result.os)),
        ),
        None => (None, None),
    };
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.to_owned(),
        (None, Some(system)) => format!("A browser on {system}"),
        (None, None) => "An unknown browser".to_owned(),
    }
}

fn system_name(os: &str) -> &str {
    match os {
        "Mac OSX" => "macOS",
        other => other,
    }
}

/// The parser compiles its patterns once.
fn parser() -> &'static Parser {
    static PARSER: OnceLock<Parser> = OnceLock::new();
    PARSER.get_or_init(Parser::new)
}

/// At most [`MAX_USER_AGENT_CHARS`] of `user_agent`.
pub fn shortened(user_agent: &str) -> &str {
    match user_agent.char_indices().nth(MAX_USER_AGENT_CHARS) {
        Some((end, _)) => &user_agent[..end],
        None => user_agent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_browsers_in_words() {
        let cases = [
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome on Linux"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Windows 10"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", "Safari on macOS"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari on iPhone"),
            ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows 10"),
        ];
        for (user_agent, words) in cases {
            assert_eq!(describe(Some(user_agent)), words, "{user_agent}");
        }
        assert_eq!(describe(None), "An unknown browser");
        assert_eq!(describe(Some("  ")), "An unknown browser");
        assert_eq!(describe(Some("gibberish/1")), "An unknown browser");
    }

    #[test]
    fn long_user_agents_are_cut_on_a_character() {
        let long = "é".repeat(MAX_USER_AGENT_CHARS + 10);
        assert_eq!(shortened(&long).chars().count(), MAX_USER_AGENT_CHARS);
        assert_eq!(shortened("short"), "short");
    }
}
