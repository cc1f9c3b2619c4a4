// The one line a crate on flodl needs: its binaries and tests find
// libtorch where flodl found it (flodl's build script says where, as
// DEP_FLODL_TORCH_LIB), with no LD_LIBRARY_PATH.
fn main() {
    println!(
        "cargo:rustc-link-arg=-Wl,-rpath,{}",
        std::env::var("DEP_FLODL_TORCH_LIB").unwrap()
    );
}
