//! When flodl gives up the GIL: for work long enough that other Python
//! threads should run meanwhile (backward, the nn functions, large
//! matmuls). Small ops keep it: releasing costs more than they take.

use pyo3::prelude::*;

/// Operand elements from which a matmul releases the GIL: about where the
/// kernel (tens of µs) dwarfs the release (a fraction of a µs).
const LARGE_MATMUL: usize = 1 << 16;

/// Runs `f` with the GIL released. `f` may borrow tensors owned by Python
/// objects of the caller's frame.
pub(crate) fn without_gil<T: Send>(py: Python<'_>, f: impl FnOnce() -> T) -> T {
    struct AssertSend<F>(F);
    // SAFETY: this thread blocks inside `detach` until `f` returns, so its
    // borrows outlive the call. Other Python threads may reach the same
    // tensors meanwhile, exactly as with PyTorch, which releases the GIL in
    // every op; libtorch guards its own shared state (refcounts, autograd).
    unsafe impl<F> Send for AssertSend<F> {}
    impl<F> AssertSend<F> {
        fn call<T>(self) -> T
        where
            F: FnOnce() -> T,
        {
            (self.0)()
        }
    }
    let f = AssertSend(f);
    py.detach(move || f.call())
}

/// Runs a matmul over `elements` operand elements: with the GIL released
/// when the operands are large, under it otherwise.
pub(crate) fn matmul_gil<T: Send>(py: Python<'_>, elements: usize, f: impl FnOnce() -> T) -> T {
    if elements >= LARGE_MATMUL {
        without_gil(py, f)
    } else {
        f()
    }
}
