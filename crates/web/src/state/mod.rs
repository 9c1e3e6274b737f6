pub mod live;
pub mod refresh;
pub mod session;
