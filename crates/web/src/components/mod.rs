pub mod credentials_form;
pub mod error_view;
pub mod layout;
pub mod status;
pub mod toasts;
