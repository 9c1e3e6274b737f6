//! Rebuilds the crate when a migration is added or changed: `sqlx::migrate!` (the server's
//! `MIGRATOR`) and `#[sqlx::test(migrations = …)]` embed the folder at compile time, and cargo
//! does not otherwise look at it.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
