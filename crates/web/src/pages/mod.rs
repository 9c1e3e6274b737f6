mod admin;
mod categories;
mod dashboard;
mod home;
mod login;
mod not_found;
mod oauth_link;
mod settings;
mod transactions;

pub use admin::AdminPage;
pub use categories::CategoriesPage;
pub use dashboard::DashboardPage;
pub use home::HomePage;
pub use login::{LoginPage, RegisterPage};
pub use not_found::NotFoundPage;
pub use oauth_link::OAuthLinkPage;
pub use settings::SettingsPage;
pub use transactions::TransactionsPage;
