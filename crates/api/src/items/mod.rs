//! A linked bank (a Plaid item) through its life, as the routes, the webhook handler and the
//! sync engine all change it: linked and removed (`link`), its status changed and announced
//! (`status`), its access token sealed at rest and opened for one call (`access_token`), and
//! re-sealed when the key changes (`rotation`).

mod access_token;
mod link;
mod rotation;
mod status;

pub use access_token::{access, seal};
pub use link::{link, remove, remove_all, LinkError};
pub use rotation::{rotate_keys, tokens_not_current, Rotation};
pub use status::set_status;
