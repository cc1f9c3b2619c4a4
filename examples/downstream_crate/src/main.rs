fn main() -> flodl::Result<()> {
    let loss = flodl_downstream::fit_line(300)?;
    println!("fitted y = 3x - 1: final loss {loss:.2e}");
    Ok(())
}
