//! Runs without LD_LIBRARY_PATH: build.rs gives the test binary libtorch's
//! run path.

#[test]
fn the_line_is_learned() -> flodl::Result<()> {
    let loss = flodl_downstream::fit_line(300)?;
    assert!(loss < 1e-3, "loss {loss}");
    Ok(())
}
