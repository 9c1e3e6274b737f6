use super::{get, ClientError};
use std::cell::RefCell;
use tally_shared::api::config::ConfigResponse;

thread_local! {
    /// The server's settings do not change while it runs: asked once per page load, however
    /// many parts of the page (header, banks, Link) want them. Failures are not kept, and
    /// `forget` drops the answer when the first account is made (`first_user`).
    static CONFIG: RefCell<Option<ConfigResponse>> = const { RefCell::new(None) };
}

pub async fn get_config() -> Result<ConfigResponse, ClientError> {
    if let Some(known) = CONFIG.with_borrow(Clone::clone) {
        return Ok(known);
    }
    let config: ConfigResponse = get("/api/config").await?;
    CONFIG.set(Some(config.clone()));
    Ok(config)
}

/// Forgets the kept answer, after something that changes it (the first account was made).
pub fn forget() {
    CONFIG.set(None);
}
