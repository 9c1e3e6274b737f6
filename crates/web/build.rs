//! The wasm keeps its relocations so `wasm-split-cli` can cut the lazily loaded pages out of it
//! (scripts/common.sh: build_web).

fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-bins=--emit-relocs");
    }
}
