//! The Tensor-only helpers of SPEC §2: comparisons giving Bool masks,
//! `where_cond`, `argmax`, `argmin`. None is differentiable.

use super::Tensor;
use crate::ops::{check_mask, op, run, Operand};
use crate::Result;

impl Tensor {
    op!(/// `self > other` elementwise, as a Bool mask (broadcasting).
        gt(other: &Tensor) [other] |x| x.f_gt_tensor(other.raw()));
    op!(/// `self < other` elementwise, as a Bool mask (broadcasting).
        lt(other: &Tensor) [other] |x| x.f_lt_tensor(other.raw()));
    op!(/// `self >= other` elementwise, as a Bool mask (broadcasting).
        ge(other: &Tensor) [other] |x| x.f_ge_tensor(other.raw()));
    op!(/// `self <= other` elementwise, as a Bool mask (broadcasting).
        le(other: &Tensor) [other] |x| x.f_le_tensor(other.raw()));
    op!(/// `self == other` elementwise, as a Bool mask (broadcasting).
        eq(other: &Tensor) [other] |x| x.f_eq_tensor(other.raw()));
    op!(/// `self != other` elementwise, as a Bool mask (broadcasting).
        ne(other: &Tensor) [other] |x| x.f_ne_tensor(other.raw()));
    op!(/// `self > scalar` elementwise, as a Bool mask.
        gt_scalar(scalar: f64) [] |x| crate::ffi::gt_scalar(x, scalar));
    op!(/// `self < scalar` elementwise, as a Bool mask.
        lt_scalar(scalar: f64) [] |x| crate::ffi::lt_scalar(x, scalar));
    op!(/// `self >= scalar` elementwise, as a Bool mask.
        ge_scalar(scalar: f64) [] |x| crate::ffi::ge_scalar(x, scalar));
    op!(/// `self <= scalar` elementwise, as a Bool mask.
        le_scalar(scalar: f64) [] |x| crate::ffi::le_scalar(x, scalar));
    op!(/// `self == scalar` elementwise, as a Bool mask.
        eq_scalar(scalar: f64) [] |x| crate::ffi::eq_scalar(x, scalar));
    op!(/// `self != scalar` elementwise, as a Bool mask.
        ne_scalar(scalar: f64) [] |x| crate::ffi::ne_scalar(x, scalar));
    op!(/// Int64 indices of the largest values along `dim` (the first of equal ones).
        argmax(dim: i32) [] |x| x.f_argmax(i64::from(dim), false));
    op!(/// Int64 indices of the smallest values along `dim` (the first of equal ones).
        argmin(dim: i32) [] |x| x.f_argmin(i64::from(dim), false));

    /// `a` where the Bool `mask` is true, `b` elsewhere (all three broadcast),
    /// as `torch.where(mask, a, b)`.
    pub fn where_cond(mask: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
        check_mask("where_cond", mask.raw())?;
        run("where_cond", &[mask.raw(), a.raw(), b.raw()], || {
            a.raw().f_where_self(mask.raw(), b.raw())
        })
    }
}
