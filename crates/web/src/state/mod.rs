pub mod bank_news;
pub mod live;
pub mod refresh;
pub mod session;
pub mod toasts;
