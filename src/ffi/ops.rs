//! csrc/ops.cpp: ops with Scalar arguments (one per line of
//! csrc/scalar_ops.def), creation, reductions, and the CPU GRU.

use std::ffi::{c_char, c_int, c_void};

use super::{abi, check, count, make_tensor, ptr, take_tensor};
use crate::error::Failure;
use crate::Scalar;

extern "C" {
    fn flodl_is_same(a: *mut c_void, b: *mut c_void) -> c_int;
    fn flodl_contiguous_format(t: *mut c_void, format: i64, out: *mut *mut c_void) -> *mut c_char;
    fn flodl_clone_format(t: *mut c_void, format: i64, out: *mut *mut c_void) -> *mut c_char;
    fn flodl_suggest_memory_format(t: *mut c_void, format: *mut i64) -> *mut c_char;
    fn flodl_empty_like(
        t: *mut c_void,
        options: *mut c_void,
        format: i64,
        out: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_is_contiguous_format(
        t: *mut c_void,
        format: i64,
        contiguous: *mut c_int,
    ) -> *mut c_char;
    fn flodl_storage_offset(t: *mut c_void, offset: *mut i64) -> *mut c_char;
    fn flodl_histogram(
        x: *mut c_void,
        bins: i64,
        has_range: c_int,
        low: f64,
        high: f64,
        weight: *mut c_void,
        density: c_int,
        out: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_arange(
        start: FlodlScalar,
        end: FlodlScalar,
        step: FlodlScalar,
        like: *mut c_void,
        out: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_linspace(
        start: f64,
        end: f64,
        steps: i64,
        like: *mut c_void,
        out: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_clone(x: *mut c_void, out: *mut *mut c_void) -> *mut c_char;
    fn flodl_var_std(
        x: *mut c_void,
        correction: f64,
        dim: *const i64,
        ndims: usize,
        has_dim: c_int,
        keepdim: c_int,
        std: c_int,
        out: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_vector_norm(
        x: *mut c_void,
        p: f64,
        dim: *const i64,
        ndims: usize,
        has_dim: c_int,
        keepdim: c_int,
        out: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_pad_packed_sequence(
        data: *mut c_void,
        batch_sizes: *mut c_void,
        batch_first: c_int,
        padding_value: f64,
        total_length: i64,
        out: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_matrix_norm(
        x: *mut c_void,
        ord: f64,
        ord_name: *const c_char,
        dim: *const i64,
        ndims: usize,
        keepdim: c_int,
        out: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_gru(
        input: *mut c_void,
        hx: *mut c_void,
        params: *const *mut c_void,
        n_params: c_int,
        has_biases: c_int,
        num_layers: i64,
        dropout: f64,
        train: c_int,
        bidirectional: c_int,
        batch_first: c_int,
        output: *mut *mut c_void,
        h_n: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_multi_margin_loss(
        x: *mut c_void,
        target: *mut c_void,
        p: i64,
        margin: f64,
        weight: *mut c_void,
        reduction: i64,
        out: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_normal(
        mean: *mut c_void,
        mean_value: f64,
        std: *mut c_void,
        std_value: f64,
        out: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_promote_types(a: c_int, b: c_int) -> c_int;
    fn flodl_result_type(
        a: *mut c_void,
        a_number: c_int,
        b: *mut c_void,
        b_number: c_int,
        out: *mut c_int,
    ) -> *mut c_char;
}

/// A [`Scalar`] as the shim takes it (`FlodlScalar` in csrc/flodl.h).
#[repr(C)]
#[derive(Clone, Copy)]
struct FlodlScalar {
    tag: i32,
    i: i64,
    d: f64,
    im: f64,
}

// csrc/flodl.h asserts the same layout for its `FlodlScalar`.
const _: () = {
    assert!(std::mem::size_of::<FlodlScalar>() == 32);
    assert!(std::mem::offset_of!(FlodlScalar, i) == 8);
    assert!(std::mem::offset_of!(FlodlScalar, d) == 16);
    assert!(std::mem::offset_of!(FlodlScalar, im) == 24);
};

impl From<Scalar> for FlodlScalar {
    fn from(s: Scalar) -> Self {
        match s {
            Scalar::Bool(b) => FlodlScalar {
                tag: abi::FLODL_SCALAR_BOOL,
                i: i64::from(b),
                d: 0.0,
                im: 0.0,
            },
            Scalar::Int(i) => FlodlScalar {
                tag: abi::FLODL_SCALAR_INT,
                i,
                d: 0.0,
                im: 0.0,
            },
            Scalar::Float(d) => FlodlScalar {
                tag: abi::FLODL_SCALAR_FLOAT,
                i: 0,
                d,
                im: 0.0,
            },
            Scalar::Complex(d, im) => FlodlScalar {
                tag: abi::FLODL_SCALAR_COMPLEX,
                i: 0,
                d,
                im,
            },
        }
    }
}

/// Safe wrappers of the shim's `(x, a)`, `(x, a, b)`, `(x, t, a)`, `(x, t,
/// u, a)` and `(x, t, u, a, b)` ops: `name => c_name`
/// (invoked by the file build.rs writes from csrc/scalar_ops.def).
macro_rules! scalar_ops {
    (one: $($name:ident => $c:ident),*; two: $($name2:ident => $c2:ident),*;
     three: $($name3:ident => $c3:ident),*;
     tensor: $($name_t:ident => $c_t:ident),*; tensors: $($name_tt:ident => $c_tt:ident),*;
     tensors_two: $($name_tt2:ident => $c_tt2:ident),*) => {
        extern "C" {
            $(fn $c(x: *mut c_void, a: FlodlScalar, out: *mut *mut c_void) -> *mut c_char;)*
            $(fn $c2(x: *mut c_void, a: FlodlScalar, b: FlodlScalar, out: *mut *mut c_void) -> *mut c_char;)*
            $(fn $c3(
                x: *mut c_void,
                a: FlodlScalar,
                b: FlodlScalar,
                c: FlodlScalar,
                out: *mut *mut c_void,
            ) -> *mut c_char;)*
            $(fn $c_t(x: *mut c_void, t: *mut c_void, a: FlodlScalar, out: *mut *mut c_void) -> *mut c_char;)*
            $(fn $c_tt(
                x: *mut c_void,
                t: *mut c_void,
                u: *mut c_void,
                a: FlodlScalar,
                out: *mut *mut c_void,
            ) -> *mut c_char;)*
            $(fn $c_tt2(
                x: *mut c_void,
                t: *mut c_void,
                u: *mut c_void,
                a: FlodlScalar,
                b: FlodlScalar,
                out: *mut *mut c_void,
            ) -> *mut c_char;)*
        }
        $(
            pub(crate) fn $name(x: &tch::Tensor, a: impl Into<Scalar>) -> Result<tch::Tensor, Failure> {
                let a = FlodlScalar::from(a.into());
                // SAFETY: `x` is a live tch tensor; the shim catches every C++ exception.
                make_tensor(|out| unsafe { $c(ptr(x), a, out) })
            }
        )*
        $(
            pub(crate) fn $name2(
                x: &tch::Tensor,
                a: impl Into<Scalar>,
                b: impl Into<Scalar>,
            ) -> Result<tch::Tensor, Failure> {
                let (a, b) = (FlodlScalar::from(a.into()), FlodlScalar::from(b.into()));
                // SAFETY: as above.
                make_tensor(|out| unsafe { $c2(ptr(x), a, b, out) })
            }
        )*
        $(
            pub(crate) fn $name3(
                x: &tch::Tensor,
                a: impl Into<Scalar>,
                b: impl Into<Scalar>,
                c: impl Into<Scalar>,
            ) -> Result<tch::Tensor, Failure> {
                let (a, b, c) = (FlodlScalar::from(a.into()), FlodlScalar::from(b.into()), FlodlScalar::from(c.into()));
                // SAFETY: as above.
                make_tensor(|out| unsafe { $c3(ptr(x), a, b, c, out) })
            }
        )*
        $(
            pub(crate) fn $name_t(
                x: &tch::Tensor,
                t: &tch::Tensor,
                a: impl Into<Scalar>,
            ) -> Result<tch::Tensor, Failure> {
                let a = FlodlScalar::from(a.into());
                // SAFETY: as above, `t` live too.
                make_tensor(|out| unsafe { $c_t(ptr(x), ptr(t), a, out) })
            }
        )*
        $(
            pub(crate) fn $name_tt(
                x: &tch::Tensor,
                t: &tch::Tensor,
                u: &tch::Tensor,
                a: impl Into<Scalar>,
            ) -> Result<tch::Tensor, Failure> {
                let a = FlodlScalar::from(a.into());
                // SAFETY: as above, `t` and `u` live too.
                make_tensor(|out| unsafe { $c_tt(ptr(x), ptr(t), ptr(u), a, out) })
            }
        )*
        $(
            pub(crate) fn $name_tt2(
                x: &tch::Tensor,
                t: &tch::Tensor,
                u: &tch::Tensor,
                a: impl Into<Scalar>,
                b: impl Into<Scalar>,
            ) -> Result<tch::Tensor, Failure> {
                let (a, b) = (FlodlScalar::from(a.into()), FlodlScalar::from(b.into()));
                // SAFETY: as above, `t` and `u` live too.
                make_tensor(|out| unsafe { $c_tt2(ptr(x), ptr(t), ptr(u), a, b, out) })
            }
        )*
    };
}

// One safe function per line of csrc/scalar_ops.def (written by build.rs).
include!(concat!(env!("OUT_DIR"), "/scalar_ops.rs"));

/// Whether `a` and `b` are handles on one tensor (not merely on the same
/// memory: a view or a detached copy is another tensor).
pub(crate) fn is_same(a: &tch::Tensor, b: &tch::Tensor) -> bool {
    // SAFETY: both are live tch tensors; the shim only compares them.
    unsafe { flodl_is_same(ptr(a), ptr(b)) != 0 }
}

/// `t.contiguous(memory_format)`, by c10::MemoryFormat's code.
pub(crate) fn contiguous_format(t: &tch::Tensor, format: i64) -> Result<tch::Tensor, Failure> {
    // SAFETY: a live tensor; the shim stores a new handle in `out`.
    make_tensor(|out| unsafe { flodl_contiguous_format(ptr(t), format, out) })
}

/// `t.clone(memory_format)`, by c10::MemoryFormat's code.
pub(crate) fn clone_format(t: &tch::Tensor, format: i64) -> Result<tch::Tensor, Failure> {
    // SAFETY: a live tensor; the shim stores a new handle in `out`.
    make_tensor(|out| unsafe { flodl_clone_format(ptr(t), format, out) })
}

/// `torch.empty_like(t, memory_format=format)` of `options`' dtype and device.
pub(crate) fn empty_like(
    t: &tch::Tensor,
    options: &tch::Tensor,
    format: i64,
) -> Result<tch::Tensor, Failure> {
    // SAFETY: live tensors; the shim stores a new handle in `out`.
    make_tensor(|out| unsafe { flodl_empty_like(ptr(t), ptr(options), format, out) })
}

/// `t.is_contiguous(memory_format)`, by c10::MemoryFormat's code.
pub(crate) fn is_contiguous_format(t: &tch::Tensor, format: i64) -> Result<bool, Failure> {
    let mut contiguous: c_int = 0;
    // SAFETY: a live tensor; the shim writes one int.
    check(unsafe { flodl_is_contiguous_format(ptr(t), format, &mut contiguous) })?;
    Ok(contiguous != 0)
}

/// `t.suggest_memory_format()`, as c10::MemoryFormat's code.
pub(crate) fn suggest_memory_format(t: &tch::Tensor) -> Result<i64, Failure> {
    let mut format = 0;
    // SAFETY: a live tensor; the shim writes one i64.
    check(unsafe { flodl_suggest_memory_format(ptr(t), &mut format) })?;
    Ok(format)
}

/// `t.storage_offset()`: where `t` starts in its storage, in elements.
pub(crate) fn storage_offset(t: &tch::Tensor) -> Result<i64, Failure> {
    let mut offset = 0;
    // SAFETY: a live tensor; the shim writes one i64.
    check(unsafe { flodl_storage_offset(ptr(t), &mut offset) })?;
    Ok(offset)
}

/// `torch.histogram(x, bins, range, weight, density)`: `(hist, bin_edges)`.
pub(crate) fn histogram(
    x: &tch::Tensor,
    bins: i64,
    range: Option<(f64, f64)>,
    weight: Option<&tch::Tensor>,
    density: bool,
) -> Result<(tch::Tensor, tch::Tensor), Failure> {
    let (has_range, (low, high)) = (c_int::from(range.is_some()), range.unwrap_or((0.0, 0.0)));
    let weight = weight.map_or(std::ptr::null_mut(), ptr);
    // SAFETY: `x` (and `weight` when given) are live tch tensors; the shim
    // catches every C++ exception.
    let joined = make_tensor(|out| unsafe {
        flodl_histogram(
            ptr(x),
            bins,
            has_range,
            low,
            high,
            weight,
            c_int::from(density),
            out,
        )
    })?;
    let n = joined.size().first().copied().unwrap_or(0);
    let hist = joined.f_narrow(0, 0, bins).map_err(Failure::from)?;
    let edges = joined.f_narrow(0, bins, n - bins).map_err(Failure::from)?;
    Ok((hist, edges))
}

/// `torch.arange(start, end, step)` with `like`'s dtype and device.
pub(crate) fn arange(
    start: Scalar,
    end: Scalar,
    step: Scalar,
    like: &tch::Tensor,
) -> Result<tch::Tensor, Failure> {
    let (start, end, step) = (start.into(), end.into(), step.into());
    // SAFETY: as for the scalar ops.
    make_tensor(|out| unsafe { flodl_arange(start, end, step, ptr(like), out) })
}

/// `torch.linspace(start, end, steps)` with `like`'s dtype and device.
pub(crate) fn linspace(
    start: f64,
    end: f64,
    steps: i64,
    like: &tch::Tensor,
) -> Result<tch::Tensor, Failure> {
    // SAFETY: as for the scalar ops.
    make_tensor(|out| unsafe { flodl_linspace(start, end, steps, ptr(like), out) })
}

/// A copy of `x`'s values, as `Tensor.clone` (recorded as its clone).
pub(crate) fn clone_values(x: &tch::Tensor) -> Result<tch::Tensor, Failure> {
    // SAFETY: a live tensor; the shim stores a new handle in `out`.
    make_tensor(|out| unsafe { flodl_clone(ptr(x), out) })
}

/// `torch.var` (or `torch.std` with `std`) with `correction` over `dims`;
/// None: all elements.
pub(crate) fn var_std(
    x: &tch::Tensor,
    correction: f64,
    dims: Option<&[i64]>,
    keepdim: bool,
    std: bool,
) -> Result<tch::Tensor, Failure> {
    let (list, has_dim) = (dims.unwrap_or(&[]), c_int::from(dims.is_some()));
    let (keepdim, std) = (c_int::from(keepdim), c_int::from(std));
    // SAFETY: as for the scalar ops; `list` outlives the call, which only
    // reads its `len` values.
    make_tensor(|out| unsafe {
        flodl_var_std(
            ptr(x),
            correction,
            list.as_ptr(),
            list.len(),
            has_dim,
            keepdim,
            std,
            out,
        )
    })
}

/// `torch.linalg.vector_norm(x, p, dims, keepdim)`; `dims` None: all elements.
pub(crate) fn vector_norm(
    x: &tch::Tensor,
    p: f64,
    dims: Option<&[i64]>,
    keepdim: bool,
) -> Result<tch::Tensor, Failure> {
    let (list, has_dim) = (dims.unwrap_or(&[]), c_int::from(dims.is_some()));
    // SAFETY: as for `var_std`.
    make_tensor(|out| unsafe {
        flodl_vector_norm(
            ptr(x),
            p,
            list.as_ptr(),
            list.len(),
            has_dim,
            c_int::from(keepdim),
            out,
        )
    })
}

/// The padded sequences of a packed batch, `total_length` steps long
/// (`torch.nn.utils.rnn.pad_packed_sequence`'s kernel).
pub(crate) fn pad_packed_sequence(
    data: &tch::Tensor,
    batch_sizes: &tch::Tensor,
    batch_first: bool,
    padding_value: f64,
    total_length: i64,
) -> Result<tch::Tensor, Failure> {
    // SAFETY: live tensors; the shim writes `out` or returns an error.
    make_tensor(|out| unsafe {
        flodl_pad_packed_sequence(
            ptr(data),
            ptr(batch_sizes),
            c_int::from(batch_first),
            padding_value,
            total_length,
            out,
        )
    })
}

/// `torch.linalg.matrix_norm(x, ord, dims, keepdim)`: `ord` a name
/// (`Ok("fro")`, `Ok("nuc")`) or a number (`Err(2.0)`).
pub(crate) fn matrix_norm(
    x: &tch::Tensor,
    ord: std::result::Result<&str, f64>,
    dims: &[i64],
    keepdim: bool,
) -> Result<tch::Tensor, Failure> {
    let name = ord
        .ok()
        .map(std::ffi::CString::new)
        .transpose()
        .map_err(|_| Failure::Typed(None, "matrix_norm: the order's name holds a NUL".into()))?;
    let number = ord.err().unwrap_or(0.0);
    let name_ptr = name.as_ref().map_or(std::ptr::null(), |n| n.as_ptr());
    // SAFETY: `x` is a live tensor, `dims` a live slice and `name` (when
    // given) outlives the call; the shim writes `out` or returns an error.
    make_tensor(|out| unsafe {
        flodl_matrix_norm(
            ptr(x),
            number,
            name_ptr,
            dims.as_ptr(),
            dims.len(),
            c_int::from(keepdim),
            out,
        )
    })
}

/// A multi-layer GRU on the CPU with one autograd node per layer and
/// direction (csrc/gru.cpp): `(output, h_n)`, the numbers of `at::gru`.
pub(crate) fn gru(
    input: &tch::Tensor,
    hx: &tch::Tensor,
    params: &[&tch::Tensor],
    options: &crate::RnnOptions,
) -> Result<(tch::Tensor, tch::Tensor), Failure> {
    let pointers: Vec<*mut c_void> = params.iter().map(|t| ptr(t)).collect();
    let n = count(pointers.len())?;
    let (mut output, mut h_n) = (std::ptr::null_mut(), std::ptr::null_mut());
    // SAFETY: live tensors and an array valid for the call; on success the
    // shim stores a `new at::Tensor` in each out-pointer (and none on failure).
    check(unsafe {
        flodl_gru(
            ptr(input),
            ptr(hx),
            pointers.as_ptr(),
            n,
            c_int::from(options.has_biases),
            options.num_layers,
            options.dropout,
            c_int::from(options.train),
            c_int::from(options.bidirectional),
            c_int::from(options.batch_first),
            &mut output,
            &mut h_n,
        )
    })?;
    match (take_tensor(output), take_tensor(h_n)) {
        (Some(output), Some(h_n)) => Ok((output, h_n)),
        _ => Err(Failure::Typed(
            None,
            "gru: the shim returned no result".into(),
        )),
    }
}

/// `torch.normal(mean, std)` with at least one tensor: libtorch's draws.
/// Each of `mean` and `std` is a tensor, or (None) the number beside it.
pub(crate) fn normal(
    mean: (Option<&tch::Tensor>, f64),
    std: (Option<&tch::Tensor>, f64),
) -> Result<tch::Tensor, Failure> {
    let pointer = |t: Option<&tch::Tensor>| t.map_or(std::ptr::null_mut(), ptr);
    // SAFETY: the tensors are live (or null, which the shim reads as the
    // number); the shim writes `out` or returns an error.
    make_tensor(|out| unsafe { flodl_normal(pointer(mean.0), mean.1, pointer(std.0), std.1, out) })
}

/// `at::multi_margin_loss(x, target, p, margin, weight, reduction)`.
pub(crate) fn multi_margin_loss(
    x: &tch::Tensor,
    target: &tch::Tensor,
    p: i64,
    margin: f64,
    weight: Option<&tch::Tensor>,
    reduction: i64,
) -> Result<tch::Tensor, Failure> {
    let weight = weight.map_or(std::ptr::null_mut(), ptr);
    // SAFETY: live tensors (a null weight is none); the shim writes `out`
    // or returns an error.
    make_tensor(|out| unsafe {
        flodl_multi_margin_loss(ptr(x), ptr(target), p, margin, weight, reduction, out)
    })
}

/// `c10::promoteTypes` of two ScalarType codes; None when they have none.
pub(crate) fn promote_types(a: c_int, b: c_int) -> Option<c_int> {
    // SAFETY: plain integers in and out; the shim catches every exception.
    let code = unsafe { flodl_promote_types(a, b) };
    (code >= 0).then_some(code)
}

/// `at::result_type` of two operands; a `true` flag marks a 0-dim tensor
/// made from a Python number (marked in place: it must be this call's own).
pub(crate) fn result_type(
    a: (&tch::Tensor, bool),
    b: (&tch::Tensor, bool),
) -> Result<c_int, Failure> {
    let mut code: c_int = -1;
    // SAFETY: live tensors; the shim writes `code` or returns an error.
    check(unsafe {
        flodl_result_type(
            ptr(a.0),
            c_int::from(a.1),
            ptr(b.0),
            c_int::from(b.1),
            &mut code,
        )
    })?;
    Ok(code)
}
