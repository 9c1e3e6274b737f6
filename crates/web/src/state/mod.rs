pub mod live;
pub mod session;
