//! The op catalogue's method tables, one declaration per op (the grammar is
//! in `expand.rs`). `method_ops!` is expanded as methods of both Tensor and
//! Variable, `tensor_ops!` of Tensor only; the Python bindings expand the
//! same tables. The nn ops are in `nn.rs`.

/// Calls `$then! { Mode, ... }` with every mode kind of the tables (the
/// enums of `ops::nn`): the one list, which `kinds` re-exports and the
/// Python module lists for the stubs (`_modes`).
macro_rules! mode_kinds {
    ($then:ident) => {
        $then! { GridSampleMode, PaddingMode, PadMode, ConvPaddingMode, SearchSide, QuantileInterpolation, EmbeddingBagMode, Reduction, KlDivReduction, QrMode, LstsqDriver, Uplo, MatrixNormOrd, ScatterReduceMode, ScatterMode, IndexReduceMode, MemoryFormat, CdistComputeMode, FftNorm }
    };
}
#[cfg(feature = "python")] // the Python module lists them for the stubs
pub(crate) use mode_kinds;

macro_rules! kinds_module {
    ($($mode:ident),*) => {
        /// The non-operand argument kinds, by the names the tables use.
        pub(crate) mod kinds {
            pub use super::super::nn::{$($mode),*};
            pub use core::primitive::{bool, f64, i64};
        }
    };
}
mode_kinds!(kinds_module);

/// Calls `$expand! { $ctx declarations... }` with every method op.
macro_rules! method_ops {
    ($expand:ident $ctx:tt) => {
        $expand! { $ctx
            // --- arithmetic ---
            /// `self + other`, broadcasting.
            add(other: Same) [overloaded] => |x| x.f_add(other.raw());
            /// `self - other`, broadcasting.
            sub(other: Same) [overloaded] => |x| x.f_sub(other.raw());
            /// `self * other` elementwise, broadcasting.
            mul(other: Same) [overloaded] => |x| x.f_mul(other.raw());
            /// `self / other` elementwise (true division), broadcasting.
            div(other: Same) [overloaded] => |x| x.f_div(other.raw());
            /// Matrix product with `torch.matmul`'s batching and broadcasting.
            matmul(other: Same) [overloaded] => |x| {
                $crate::ops::check_matmul(x, other.raw())?;
                Ok::<_, $crate::error::Failure>(x.f_matmul(other.raw())?)
            };
            /// `self * scalar`.
            mul_scalar(scalar: Scalar) => |x| $crate::ffi::mul_scalar(x, scalar);
            /// `self + scalar`.
            add_scalar(scalar: Scalar) => |x| $crate::ffi::add_scalar(x, scalar);
            /// `self - scalar`.
            sub_scalar(scalar: Scalar) => |x| $crate::ffi::sub_scalar(x, scalar);
            /// `scalar - self`.
            rsub_scalar(scalar: Scalar) => |x| $crate::ffi::rsub_scalar(x, scalar);
            /// `self / scalar` (true division: an integer tensor gives floats).
            div_scalar(scalar: Scalar) => |x| $crate::ffi::div_scalar(x, scalar);
            /// `self // other`: division rounded down, as `torch.floor_divide`
            /// (not differentiable).
            floor_divide(other: Same) [overloaded] => |x| x.f_floor_divide(other.raw());
            /// `self // scalar`.
            floor_divide_scalar(scalar: Scalar) => |x| $crate::ffi::floor_divide_scalar(x, scalar);
            /// `scalar // self`.
            rfloor_divide_scalar(scalar: Scalar) => |x| $crate::ffi::rfloor_divide_scalar(x, scalar);
            /// `self % other`, with the sign of `other`, as `torch.remainder`.
            remainder(other: Same) [overloaded] => |x| x.f_remainder_tensor(other.raw());
            /// `self % scalar`.
            remainder_scalar(scalar: Scalar) => |x| $crate::ffi::remainder_scalar(x, scalar);
            /// `scalar % self`.
            rremainder_scalar(scalar: Scalar) => |x| $crate::ffi::rremainder_scalar(x, scalar);
            /// `-self`.
            neg() => |x| x.f_neg();

            // --- activation ---
            /// `max(self, 0)`, elementwise.
            relu() => |x| x.f_relu();
            /// `1 / (1 + exp(-self))`, elementwise.
            sigmoid() => |x| x.f_sigmoid();
            /// Hyperbolic tangent, elementwise.
            tanh() => |x| x.f_tanh();
            /// GELU, exact (erf) form, as `F.gelu(x)`. Python:
            /// `gelu(approximate='none')`, `'tanh'` for `gelu_tanh`.
            gelu() [overloaded] => |x| x.f_gelu("none");
            /// GELU, tanh approximation, as `F.gelu(x, approximate='tanh')`.
            gelu_tanh() => |x| x.f_gelu("tanh");
            /// `self * sigmoid(self)`, as `F.silu`.
            silu() => |x| x.f_silu();
            /// `self * tanh(softplus(self))`, as `F.mish`.
            mish() => |x| x.f_mish();
            /// Scaled ELU with PyTorch's constants, as `F.selu`.
            selu() => |x| x.f_selu();
            /// As `F.hardswish`.
            hardswish() => |x| x.f_hardswish();
            /// As `F.hardsigmoid`.
            hardsigmoid() => |x| x.f_hardsigmoid();
            /// `self` where positive, `negative_slope * self` elsewhere.
            leaky_relu(negative_slope: f64 = 0.01) => |x| $crate::ffi::leaky_relu(x, negative_slope);
            /// `self` where positive, `alpha * (exp(self) - 1)` elsewhere.
            elu(alpha: f64 = 1.0) => |x| $crate::ffi::elu(x, alpha);
            /// `log(1 + exp(beta * self)) / beta`, linear above `threshold`.
            softplus(beta: f64 = 1.0, threshold: f64 = 20.0) => |x| $crate::ffi::softplus(x, beta, threshold);
            /// `self` where positive, `weight * self` elsewhere (one weight,
            /// or one per channel of dim 1).
            prelu(weight: Same) => |x| x.f_prelu(weight.raw());
            /// Softmax along `dim`.
            softmax(dim: i64) [overloaded] => |x| x.f_softmax(dim, None::<tch::Kind>);
            /// Log of the softmax along `dim`, computed stably.
            log_softmax(dim: i64) [overloaded] => |x| x.f_log_softmax(dim, None::<tch::Kind>);

            // --- math ---
            /// `e ** self`, elementwise.
            exp() => |x| x.f_exp();
            /// Natural logarithm, elementwise.
            log() => |x| x.f_log();
            /// Square root, elementwise.
            sqrt() => |x| x.f_sqrt();
            /// Absolute value, elementwise.
            abs() => |x| x.f_abs();
            /// Sine, elementwise.
            sin() => |x| x.f_sin();
            /// Cosine, elementwise.
            cos() => |x| x.f_cos();
            /// -1, 0 or 1 by the sign of each element (gradient zero).
            sign() => |x| x.f_sign();
            /// Largest integer <= each element (gradient zero).
            floor() => |x| x.f_floor();
            /// Smallest integer >= each element (gradient zero).
            ceil() => |x| x.f_ceil();
            /// Nearest integer, halves to even (gradient zero).
            round() [overloaded] => |x| x.f_round();
            /// Rounded to `decimals` decimal places (negative: to tens,
            /// hundreds, ...), halves to even, as `torch.round(x, decimals=)`.
            round_decimals(decimals: i64) => |x| x.f_round_decimals(decimals);
            /// `1 / self`, elementwise.
            reciprocal() => |x| x.f_reciprocal();
            /// `log(1 + self)`, accurate near 0.
            log1p() => |x| x.f_log1p();
            /// `exp(self) - 1`, accurate near 0.
            expm1() => |x| x.f_expm1();
            /// Base-2 logarithm, elementwise.
            log2() => |x| x.f_log2();
            /// Base-10 logarithm, elementwise.
            log10() => |x| x.f_log10();
            /// The error function, elementwise, as `torch.erf`.
            erf() => |x| x.f_erf();
            /// Arcsine, elementwise (NaN outside [-1, 1]).
            asin() => |x| x.f_asin();
            /// Arccosine, elementwise (NaN outside [-1, 1]).
            acos() => |x| x.f_acos();
            /// Arctangent, elementwise.
            atan() => |x| x.f_atan();
            /// Hyperbolic sine, elementwise.
            sinh() => |x| x.f_sinh();
            /// Hyperbolic cosine, elementwise.
            cosh() => |x| x.f_cosh();
            /// Rounds toward zero, elementwise (its gradient is zero).
            trunc() => |x| x.f_trunc();
            /// The fractional part, `self - trunc(self)`.
            frac() => |x| x.f_frac();
            /// `self ** exponent`, elementwise.
            pow_scalar(exponent: Scalar) => |x| $crate::ffi::pow_scalar(x, exponent);
            /// `self ** exponent` elementwise, broadcasting, as `torch.pow`.
            /// Python: `pow(exponent)` and `**` take a number or a tensor.
            pow(exponent: Same) [overloaded] => |x| x.f_pow(exponent.raw());
            /// `base ** self` elementwise, as `torch.pow(base, x)`.
            rpow_scalar(base: Scalar) => |x| $crate::ffi::rpow_scalar(x, base);
            /// Each element limited to `[min, max]`.
            clamp(min: Scalar, max: Scalar) [overloaded] => |x| $crate::ffi::clamp(x, min, max);
            /// Each element raised to at least `min`.
            clamp_min(min: Scalar) => |x| $crate::ffi::clamp_min(x, min);
            /// Each element lowered to at most `max`.
            clamp_max(max: Scalar) => |x| $crate::ffi::clamp_max(x, max);
            /// Each element limited to `[min, max]` with tensor bounds
            /// (broadcast), as `torch.clamp(x, min_tensor, max_tensor)`.
            clamp_tensor(min: Same, max: Same) => |x| x.f_clamp_tensor(Some(min.raw()), Some(max.raw()));
            /// Each element raised to at least the tensor `min` (broadcast).
            clamp_min_tensor(min: Same) => |x| x.f_clamp_min_tensor(min.raw());
            /// Each element lowered to at most the tensor `max` (broadcast).
            clamp_max_tensor(max: Same) => |x| x.f_clamp_max_tensor(max.raw());
            /// `atan2(self, other)`, elementwise, broadcasting.
            atan2(other: Same) => |x| x.f_atan2(other.raw());
            /// Elementwise maximum, broadcasting.
            maximum(other: Same) => |x| x.f_maximum(other.raw());
            /// Elementwise minimum, broadcasting.
            minimum(other: Same) => |x| x.f_minimum(other.raw());
            /// `value` where the Bool `mask` is true, `self` elsewhere (the
            /// mask broadcasts).
            masked_fill(mask: Tensor, value: Scalar) => |x| {
                $crate::ops::check_mask("masked_fill", mask.raw())?;
                $crate::ffi::masked_fill(x, mask.raw(), value)
            };
            /// `self` over its `p`-norm along `dim` (at least 1e-12), as
            /// `F.normalize`.
            normalize(p: f64 = 2.0, dim: i64 = 1) => |x| {
                let norm = $crate::ffi::vector_norm(x, p, Some(&[dim]), true)?;
                let norm = $crate::ffi::clamp_min(&norm, 1e-12)?;
                Ok::<_, $crate::error::Failure>(x.f_div(&norm)?)
            };
            /// The `p`-norm of all elements, as `torch.linalg.vector_norm`.
            /// Python: `norm(p=2, dim=None, keepdim=False)`, which is
            /// `norm_dim` when `dim` is given.
            norm(p: f64 = 2.0) [overloaded] => |x| $crate::ffi::vector_norm(x, p, None, false);
            /// The `p`-norm along `dim`, as `torch.linalg.vector_norm`.
            norm_dim(p: f64, dim: i64, keepdim: bool = false) => |x| $crate::ffi::vector_norm(x, p, Some(&[dim]), keepdim);
            /// The `p`-norm distance between each row of `self` (`[.., P, M]`)
            /// and each row of `other` (`[.., R, M]`), as `torch.cdist`.
            cdist(other: Same, p: f64 = 2.0, compute_mode: CdistComputeMode = "use_mm_for_euclid_dist_if_necessary")
                => |x| tch::Tensor::f_cdist(x, other.raw(), p, compute_mode.code());
            /// Cosine similarity along `dim`, as `F.cosine_similarity`.
            cosine_similarity(other: Same, dim: i64 = 1, eps: f64 = 1e-8) => |x| tch::Tensor::f_cosine_similarity(x, other.raw(), dim, eps);
            /// The upper triangle from `diagonal` up; the rest zero.
            triu(diagonal: i64 = 0) => |x| x.f_triu(diagonal);
            /// The lower triangle from `diagonal` down; the rest zero.
            tril(diagonal: i64 = 0) => |x| x.f_tril(diagonal);
            /// `self + weight * (end - self)` elementwise, broadcasting, as
            /// `torch.lerp` with a tensor weight. Python: `lerp(end, weight)`
            /// with a number or a tensor weight (Rust `lerp_scalar`).
            lerp(end: Same, weight: Same) [overloaded] => |x| x.f_lerp_tensor(end.raw(), weight.raw());
            /// `self + weight * (end - self)` with a number weight, as
            /// `torch.lerp(x, end, 0.5)`.
            lerp_scalar(end: Same, weight: Scalar) => |x| $crate::ffi::lerp_scalar(x, end.raw(), weight);
            /// `self + value * tensor1 * tensor2` elementwise, broadcasting,
            /// as `torch.addcmul`.
            addcmul(tensor1: Same, tensor2: Same, value: Scalar = 1)
                => |x| $crate::ffi::addcmul(x, tensor1.raw(), tensor2.raw(), value);
            /// `self + value * tensor1 / tensor2` elementwise, broadcasting,
            /// as `torch.addcdiv` (float operands).
            addcdiv(tensor1: Same, tensor2: Same, value: Scalar = 1)
                => |x| {
                    $crate::ops::check_addcdiv(tensor1.raw(), tensor2.raw())?;
                    $crate::ffi::addcdiv(x, tensor1.raw(), tensor2.raw(), value)
                };

            // --- comparisons and bitwise ops (not differentiable) ---
            /// `self > other` elementwise, as a Bool mask (broadcasting).
            gt(other: Same) -> Tensor [overloaded] => |x| x.f_gt_tensor(other.raw());
            /// `self < other` elementwise, as a Bool mask (broadcasting).
            lt(other: Same) -> Tensor [overloaded] => |x| x.f_lt_tensor(other.raw());
            /// `self >= other` elementwise, as a Bool mask (broadcasting).
            ge(other: Same) -> Tensor [overloaded] => |x| x.f_ge_tensor(other.raw());
            /// `self <= other` elementwise, as a Bool mask (broadcasting).
            le(other: Same) -> Tensor [overloaded] => |x| x.f_le_tensor(other.raw());
            /// `self == other` elementwise, as a Bool mask (broadcasting).
            eq(other: Same) -> Tensor [overloaded] => |x| x.f_eq_tensor(other.raw());
            /// `self != other` elementwise, as a Bool mask (broadcasting).
            ne(other: Same) -> Tensor [overloaded] => |x| x.f_ne_tensor(other.raw());
            /// `self > scalar` elementwise, as a Bool mask.
            gt_scalar(scalar: Scalar) -> Tensor => |x| $crate::ffi::gt_scalar(x, scalar);
            /// `self < scalar` elementwise, as a Bool mask.
            lt_scalar(scalar: Scalar) -> Tensor => |x| $crate::ffi::lt_scalar(x, scalar);
            /// `self >= scalar` elementwise, as a Bool mask.
            ge_scalar(scalar: Scalar) -> Tensor => |x| $crate::ffi::ge_scalar(x, scalar);
            /// `self <= scalar` elementwise, as a Bool mask.
            le_scalar(scalar: Scalar) -> Tensor => |x| $crate::ffi::le_scalar(x, scalar);
            /// `self == scalar` elementwise, as a Bool mask.
            eq_scalar(scalar: Scalar) -> Tensor => |x| $crate::ffi::eq_scalar(x, scalar);
            /// `self != scalar` elementwise, as a Bool mask.
            ne_scalar(scalar: Scalar) -> Tensor => |x| $crate::ffi::ne_scalar(x, scalar);
            /// `self & other` elementwise, on Bool and integer tensors.
            bitwise_and(other: Same) [overloaded] => |x| x.f_bitwise_and_tensor(other.raw());
            /// `self | other` elementwise, on Bool and integer tensors.
            bitwise_or(other: Same) [overloaded] => |x| x.f_bitwise_or_tensor(other.raw());
            /// `self ^ other` elementwise, on Bool and integer tensors.
            bitwise_xor(other: Same) [overloaded] => |x| x.f_bitwise_xor_tensor(other.raw());
            /// `self & scalar`.
            bitwise_and_scalar(scalar: Scalar) => |x| $crate::ffi::bitwise_and_scalar(x, scalar);
            /// `self | scalar`.
            bitwise_or_scalar(scalar: Scalar) => |x| $crate::ffi::bitwise_or_scalar(x, scalar);
            /// `self ^ scalar`.
            bitwise_xor_scalar(scalar: Scalar) => |x| $crate::ffi::bitwise_xor_scalar(x, scalar);
            /// Where both are true (non-zero), as a Bool mask (broadcasting).
            logical_and(other: Same) -> Tensor => |x| x.f_logical_and(other.raw());
            /// Where either is true (non-zero), as a Bool mask (broadcasting).
            logical_or(other: Same) -> Tensor => |x| x.f_logical_or(other.raw());
            /// Where exactly one is true (non-zero), as a Bool mask (broadcasting).
            logical_xor(other: Same) -> Tensor => |x| x.f_logical_xor(other.raw());
            /// Where the values are zero (false), as a Bool mask.
            logical_not() -> Tensor => |x| x.f_logical_not();
            /// `~self`: logical not of a Bool tensor, bitwise not of an integer one.
            bitwise_not() => |x| x.f_bitwise_not();
            /// `self << other` elementwise, broadcasting, on integer tensors,
            /// as `torch.bitwise_left_shift`. Python: also a number, and `<<`.
            bitwise_left_shift(other: Same) [overloaded] => |x| x.f_bitwise_left_shift(other.raw());
            /// `self >> other` elementwise (arithmetic shift), broadcasting,
            /// on integer tensors, as `torch.bitwise_right_shift`. Python:
            /// also a number, and `>>`.
            bitwise_right_shift(other: Same) [overloaded] => |x| x.f_bitwise_right_shift(other.raw());
            /// `self << scalar`.
            bitwise_left_shift_scalar(scalar: Scalar) => |x| {
                let scalar = $crate::ops::scalar_operand(x, scalar.into())?;
                Ok::<_, $crate::error::Failure>(x.f_bitwise_left_shift(&scalar)?)
            };
            /// `self >> scalar`.
            bitwise_right_shift_scalar(scalar: Scalar) => |x| {
                let scalar = $crate::ops::scalar_operand(x, scalar.into())?;
                Ok::<_, $crate::error::Failure>(x.f_bitwise_right_shift(&scalar)?)
            };

            // --- reduction of all elements (0-dimensional results) ---
            /// Sum of all elements.
            sum() [overloaded] => |x| x.f_sum(None::<tch::Kind>);
            /// Mean of all elements.
            mean() [overloaded] => |x| x.f_mean(None::<tch::Kind>);
            /// Smallest element.
            min() [overloaded] => |x| x.f_min();
            /// Largest element.
            max() [overloaded] => |x| x.f_max();
            /// Unbiased variance of all elements.
            var() [overloaded] => |x| x.f_var(true);
            /// Unbiased standard deviation of all elements.
            std() [overloaded] => |x| x.f_std(true);
            /// Product of all elements.
            prod() [overloaded] => |x| x.f_prod(None::<tch::Kind>);

            // --- reduction along one dim ---
            /// Sum along `dim`.
            sum_dim(dim: i64, keepdim: bool = false) => |x| x.f_sum_dim_intlist(dim, keepdim, None::<tch::Kind>);
            /// Mean along `dim`.
            mean_dim(dim: i64, keepdim: bool = false) => |x| x.f_mean_dim(dim, keepdim, None::<tch::Kind>);
            /// Sum along several dims at once (Python: `sum(dim=(0, 2))`).
            sum_dims(dims: Ints, keepdim: bool = false) => |x| x.f_sum_dim_intlist(dims, keepdim, None::<tch::Kind>);
            /// Mean along several dims at once (Python: `mean(dim=(0, 2))`).
            mean_dims(dims: Ints, keepdim: bool = false) => |x| x.f_mean_dim(dims, keepdim, None::<tch::Kind>);
            /// Smallest values along `dim` (the values only).
            min_dim(dim: i64, keepdim: bool = false) => |x| x.f_min_dim(dim, keepdim).map(|(values, _)| values);
            /// Largest values along `dim` (the values only).
            max_dim(dim: i64, keepdim: bool = false) => |x| x.f_max_dim(dim, keepdim).map(|(values, _)| values);
            /// Smallest values along `dim` and their int64 indices, as
            /// `torch.min(x, dim, keepdim)` (Python: `x.min(dim)`).
            min_with_indices(dim: i64, keepdim: bool = false) -> (Same, Tensor) => |x| x.f_min_dim(dim, keepdim);
            /// Largest values along `dim` and their int64 indices, as
            /// `torch.max(x, dim, keepdim)` (Python: `x.max(dim)`).
            max_with_indices(dim: i64, keepdim: bool = false) -> (Same, Tensor) => |x| x.f_max_dim(dim, keepdim);
            /// Unbiased variance along `dim`.
            var_dim(dim: i64, keepdim: bool = false) => |x| x.f_var_dim(dim, true, keepdim);
            /// Unbiased standard deviation along `dim`.
            std_dim(dim: i64, keepdim: bool = false) => |x| x.f_std_dim(dim, true, keepdim);
            /// The median of all elements (the lower of the two middle values
            /// of an even count), as `torch.median(x)`. Python:
            /// `median(dim=None, keepdim=False)`, `median_dim` with a dim.
            median() [overloaded] => |x| x.f_median();
            /// The medians along `dim` (the lower middle values) and their
            /// int64 indices, as `torch.median(x, dim, keepdim)`.
            median_dim(dim: i64, keepdim: bool = false) -> (Same, Tensor) => |x| x.f_median_dim(dim, keepdim);
            /// The most frequent values along `dim` (the smallest of equally
            /// frequent ones) and int64 indices of them, as `torch.mode`.
            mode(dim: i64 = (-1), keepdim: bool = false) -> (Same, Tensor) => |x| x.f_mode(dim, keepdim);
            /// Variance with `correction` (1: unbiased, 0: the population's),
            /// of all elements or along `dim`, as `torch.var(x, dim,
            /// correction=..., keepdim=...)`.
            var_correction(dim: Option<i64> = None, correction: f64 = 1.0, keepdim: bool = false)
                => |x| $crate::ffi::var_std(x, correction, dim.as_ref().map(std::slice::from_ref), keepdim, false);
            /// Standard deviation with `correction`, as `var_correction`.
            std_correction(dim: Option<i64> = None, correction: f64 = 1.0, keepdim: bool = false)
                => |x| $crate::ffi::var_std(x, correction, dim.as_ref().map(std::slice::from_ref), keepdim, true);
            /// Variance with `correction` over several `dims` at once, as
            /// `torch.var(x, dims, correction=..., keepdim=...)`.
            var_dims(dims: Ints, correction: f64 = 1.0, keepdim: bool = false)
                => |x| $crate::ffi::var_std(x, correction, Some(dims), keepdim, false);
            /// Standard deviation with `correction` over several `dims`, as `var_dims`.
            std_dims(dims: Ints, correction: f64 = 1.0, keepdim: bool = false)
                => |x| $crate::ffi::var_std(x, correction, Some(dims), keepdim, true);
            /// The largest values over the dims `dim` (every dim when empty),
            /// as `torch.amax`: the gradient is shared evenly among equal maxima.
            amax(dim: Ints, keepdim: bool = false) [overloaded] => |x| x.f_amax(dim, keepdim);
            /// The smallest values over the dims `dim` (every dim when empty), as `torch.amin`.
            amin(dim: Ints, keepdim: bool = false) [overloaded] => |x| x.f_amin(dim, keepdim);
            /// Product along `dim`.
            prod_dim(dim: i64, keepdim: bool = false) => |x| x.f_prod_dim_int(dim, keepdim, None::<tch::Kind>);
            /// Running sum along `dim`.
            cumsum(dim: i64) [overloaded] => |x| x.f_cumsum(dim, None::<tch::Kind>);
            /// `log(sum(exp(self)))` along `dim`, computed stably.
            logsumexp(dim: i64, keepdim: bool = false) [overloaded] => |x| x.f_logsumexp(dim, keepdim);
            /// Int64 indices of the largest values along `dim` (the first of
            /// equal ones), as `torch.argmax(x, dim, keepdim)`.
            argmax_dim(dim: i64, keepdim: bool = false) -> Tensor => |x| x.f_argmax(dim, keepdim);
            /// Int64 indices of the smallest values along `dim` (the first of
            /// equal ones), as `torch.argmin(x, dim, keepdim)`.
            argmin_dim(dim: i64, keepdim: bool = false) -> Tensor => |x| x.f_argmin(dim, keepdim);

            // --- shape ---
            /// A copy of the values (differentiable), as `Tensor.clone`
            /// (Python: also `clone()`; Rust's `clone` is a new handle).
            copy() => |x| $crate::ffi::clone_values(x);
            /// Swaps dims `dim0` and `dim1` (a view).
            transpose(dim0: i64, dim1: i64) => |x| x.f_transpose(dim0, dim1);
            /// Reorders the dims (a view).
            permute(dims: Ints) [overloaded] => |x| x.f_permute(dims);
            /// The same values in `shape` (one size may be -1).
            reshape(shape: Ints) [overloaded] => |x| x.f_reshape(shape);
            /// Merges dims `start_dim..=end_dim` into one.
            flatten(start_dim: i64 = 0, end_dim: i64 = (-1)) => |x| x.f_flatten(start_dim, end_dim);
            /// The same values in `shape` (one size may be -1) without
            /// copying, as `Tensor.view`: a Shape error where the strides
            /// allow no view (`reshape` copies then).
            view(shape: Ints) [overloaded] => |x| $crate::ops::view(x, shape);
            /// A view in the shape of `other`, as `Tensor.view_as`.
            view_as(other: Same) => |x| $crate::ops::view(x, &other.raw().size());
            /// Reshaped to the shape of `other` (a view when possible), as
            /// `Tensor.reshape_as`.
            reshape_as(other: Same) => |x| x.f_reshape(other.raw().size());
            /// Broadcast to the shape of `other`, as `Tensor.expand_as`.
            expand_as(other: Same) => |x| x.f_expand_as(other.raw());
            /// The values in one block of memory, in order (itself if they
            /// are), as `Tensor.contiguous`.
            contiguous() [overloaded] => |x| x.f_contiguous();
            /// Self laid out as `memory_format` (a copy unless it already is;
            /// `ChannelsLast` for 4-d tensors, `ChannelsLast3d` for 5-d), as
            /// `Tensor.contiguous(memory_format=)` (Python: `contiguous`).
            contiguous_in(memory_format: MemoryFormat) => |x| $crate::ffi::contiguous_format(x, memory_format.code());
            /// A copy laid out as `memory_format` (`Preserve`: as self is,
            /// where it can be), as `Tensor.clone(memory_format=)` (Python:
            /// `clone`).
            copy_in(memory_format: MemoryFormat) => |x| $crate::ffi::clone_format(x, memory_format.code());
            /// The transpose of a matrix (a vector or a scalar as it is), as
            /// `Tensor.t`.
            t() => |x| {
                $crate::ops::check_rank("t", x, 2)?;
                Ok::<_, $crate::error::Failure>(x.f_tr()?)
            };
            /// The values reversed along each of `dims`, as `torch.flip`. Python:
            /// `x.flip(0, 2)` or `x.flip([0, 2])`.
            flip(dims: Ints) [overloaded] => |x| x.f_flip(dims);
            /// The values shifted by `shifts[i]` along `dims[i]`, wrapping
            /// around, as `torch.roll`; with no dims, one shift of the
            /// flattened values (the shape kept). Python: `roll(shifts,
            /// dims=None)`, each an int or a sequence.
            roll(shifts: Ints, dims: Ints) [overloaded] => |x| {
                $crate::ops::check_roll(shifts, dims)?;
                Ok::<_, $crate::error::Failure>(x.f_roll(shifts, dims)?)
            };
            /// Pieces of `split_size` along `dim` (the last one smaller if
            /// needed), as `torch.split(x, split_size, dim)`.
            split(split_size: i64, dim: i64 = 0) -> [Same] [overloaded] => |x| x.f_split(split_size, dim);
            /// Pieces of the sizes `split_sizes` (summing to the size of
            /// `dim`) along `dim`, as `torch.split(x, [2, 3], dim)`.
            split_with_sizes(split_sizes: Ints, dim: i64 = 0) -> [Same] => |x| x.f_split_with_sizes(split_sizes, dim);
            /// The slices along `dim`, as `torch.unbind`.
            unbind(dim: i64 = 0) -> [Same] => |x| x.f_unbind(dim);
            /// The matrix product of two 2-d tensors, as `torch.mm`.
            mm(other: Same) => |x| {
                $crate::ops::check_matrices("mm", x, other.raw(), 2)?;
                Ok::<_, $crate::error::Failure>(x.f_mm(other.raw())?)
            };
            /// Batched matrix products of two 3-d tensors, as `torch.bmm`.
            bmm(other: Same) => |x| {
                $crate::ops::check_matrices("bmm", x, other.raw(), 3)?;
                Ok::<_, $crate::error::Failure>(x.f_bmm(other.raw())?)
            };
            /// The outer product of two vectors, as `torch.outer`.
            outer(other: Same) => |x| {
                $crate::ops::check_matrices("outer", x, other.raw(), 1)?;
                Ok::<_, $crate::error::Failure>(x.f_outer(other.raw())?)
            };
            /// Cumulative product along `dim`, as `torch.cumprod`.
            cumprod(dim: i64) [overloaded] => |x| x.f_cumprod(dim, None::<tch::Kind>);
            /// `1 / sqrt(self)`, elementwise.
            rsqrt() => |x| x.f_rsqrt();
            /// Tangent, elementwise.
            tan() => |x| x.f_tan();
            /// `self * self`, elementwise.
            square() => |x| x.f_square();
            /// `2 ** self`, elementwise.
            exp2() => |x| x.f_exp2();
            /// `1 - erf(self)`, elementwise.
            erfc() => |x| x.f_erfc();
            /// The inverse of `erf`, elementwise (on `(-1, 1)`).
            erfinv() => |x| x.f_erfinv();
            /// `log(|gamma(self)|)`, elementwise.
            lgamma() => |x| x.f_lgamma();
            /// The derivative of `lgamma`, elementwise.
            digamma() => |x| x.f_digamma();
            /// Inverse hyperbolic sine, elementwise.
            asinh() => |x| x.f_asinh();
            /// Inverse hyperbolic cosine, elementwise (on `[1, inf)`).
            acosh() => |x| x.f_acosh();
            /// Inverse hyperbolic tangent, elementwise (on `(-1, 1)`).
            atanh() => |x| x.f_atanh();
            /// A vector's diagonal matrix, or a matrix's diagonal, `diagonal`
            /// above the main one, as `torch.diag`.
            diag(diagonal: i64 = 0) => |x| {
                $crate::ops::check_rank("diag", x, 2)?;
                Ok::<_, $crate::error::Failure>(x.f_diag(diagonal)?)
            };
            /// The indices that sort along `dim` (with `stable`, equal values
            /// keep their order), as `torch.argsort`.
            argsort(dim: i64 = (-1), descending: bool = false, stable: bool = false) -> Tensor
                => |x| x.f_argsort_stable(stable, dim, descending);
            /// Where the values are NaN, as `torch.isnan`.
            isnan() -> Tensor => |x| x.f_isnan();
            /// Where the values are finite (neither NaN nor infinite), as `torch.isfinite`.
            isfinite() -> Tensor => |x| x.f_isfinite();
            /// Where the values are infinite, as `torch.isinf`.
            isinf() -> Tensor => |x| x.f_isinf();
            /// Where `|self - other| <= atol + rtol * |other|` (broadcasting),
            /// as `torch.isclose`; NaNs are equal with `equal_nan`.
            isclose(other: Same, rtol: f64 = 1e-05, atol: f64 = 1e-08, equal_nan: bool = false) -> Tensor
                => |x| x.f_isclose(other.raw(), rtol, atol, equal_nan);
            /// Whether every element is true (non-zero), as a 0-d Bool tensor.
            /// Python: `all(dim=None, keepdim=False)`, `all_dim` with a dim.
            all() -> Tensor [overloaded] => |x| x.f_all();
            /// Whether any element is true (non-zero), as a 0-d Bool tensor.
            /// Python: `any(dim=None, keepdim=False)`, `any_dim` with a dim.
            any() -> Tensor [overloaded] => |x| x.f_any();
            /// Whether every element along `dim` is true (non-zero), as
            /// `torch.all(x, dim, keepdim)`: Bool (uint8 for uint8 input).
            all_dim(dim: i64, keepdim: bool = false) -> Tensor => |x| x.f_all_dim(dim, keepdim);
            /// Whether any element along `dim` is true (non-zero), as
            /// `torch.any(x, dim, keepdim)`: Bool (uint8 for uint8 input).
            any_dim(dim: i64, keepdim: bool = false) -> Tensor => |x| x.f_any_dim(dim, keepdim);
            /// Whether every element along the dims `dims` is true
            /// (Python: `all(dim=(0, 1))`).
            all_dims(dims: Ints, keepdim: bool = false) -> Tensor => |x| x.f_all_dims(dims, keepdim);
            /// Whether any element along the dims `dims` is true
            /// (Python: `any(dim=(0, 1))`).
            any_dims(dims: Ints, keepdim: bool = false) -> Tensor => |x| x.f_any_dims(dims, keepdim);
            /// Splits dim `dim` into `sizes` (one of them may be -1), as
            /// `Tensor.unflatten`.
            unflatten(dim: i64, sizes: Ints) => |x| {
                $crate::ops::check_unflatten(x, dim, sizes)?;
                Ok::<_, $crate::error::Failure>(x.f_unflatten(dim, sizes)?)
            };
            /// Removes `dim` if its size is 1 (else keeps the shape, as PyTorch).
            squeeze(dim: i64) [overloaded] => |x| x.f_squeeze_dim(dim);
            /// Removes each of `dims` whose size is 1, as `x.squeeze((0, 2))`.
            squeeze_dims(dims: Ints) => |x| x.f_squeeze_dims(dims);
            /// Removes every dim of size 1 (`Tensor.squeeze()` with no dim).
            squeeze_all() => |x| x.f_squeeze();
            /// Inserts a dim of size 1 at `dim`.
            unsqueeze(dim: i64) => |x| x.f_unsqueeze(dim);
            /// Inserts dims of size 1 at each of `dims`, positions in the
            /// result, in ascending order.
            unsqueeze_many(dims: Ints) => |x| $crate::ops::unsqueeze_many(x, dims);
            /// Broadcasts to `shape` (-1 keeps a size) without copying.
            expand(shape: Ints) [overloaded] => |x| x.f_expand(shape, false);
            /// `length` entries of `dim` from `start` (a view).
            narrow(dim: i64, start: i64, length: i64) => |x| x.f_narrow(dim, start, length);
            /// Entry `index` of `dim`, which is removed (a view).
            select(dim: i64, index: i64) => |x| x.f_select(dim, index);
            /// `self` and `other` joined along `dim`.
            cat(other: Same, dim: i64 = 0) => |x| tch::Tensor::f_cat(&[x, other.raw()], dim);
            /// `chunks` nearly equal pieces along `dim` (fewer if the size is
            /// small).
            chunk(chunks: i64, dim: i64 = 0) -> [Same] => |x| x.f_chunk(chunks, dim);
            /// Tiles the values `repeats[i]` times along each dim, as
            /// `Tensor.repeat`.
            repeat(repeats: Ints) [overloaded] => |x| x.f_repeat(repeats);
            /// Pads by `(left, right)` pairs from the last dim backwards, as
            /// `F.pad`: with `value` (0 by default) in `"constant"` mode, or
            /// the input reflected, replicated or wrapped (no `value`).
            pad(padding: Ints, mode: PadMode = "constant", value: Option<f64> = None) => |x| {
                $crate::ops::nn::check_pad("pad", mode, value)?;
                Ok::<_, $crate::error::Failure>(x.f_pad(padding, $crate::ops::nn::Mode::name(mode), value)?)
            };
            /// The entries of `dim` at the Int64 `index`.
            index_select(dim: i64, index: Tensor) => |x| x.f_index_select(dim, index.raw());
            /// Values along `dim` at the Int64 `index` (shaped like the
            /// result), as `torch.gather`.
            gather(dim: i64, index: Tensor) => |x| x.f_gather(dim, index.raw(), false);
            /// `self` with `src` added at the Int64 `index` along `dim`, as
            /// `torch.scatter_add`.
            scatter_add(dim: i64, index: Tensor, src: Same) => |x| x.f_scatter_add(dim, index.raw(), src.raw());
            /// `self` with `src`'s values written at the Int64 `index` along
            /// `dim`, as `torch.scatter`. Python: `scatter(dim, index, src)`
            /// with a tensor or a number (`scatter_value`).
            scatter(dim: i64, index: Tensor, src: Same) [overloaded] => |x| x.f_scatter(dim, index.raw(), src.raw());
            /// `self` with `value` written at the Int64 `index` along `dim`.
            scatter_value(dim: i64, index: Tensor, value: Scalar) => |x| {
                let src = $crate::ops::filled_like(x, index.raw(), value.into())?;
                Ok::<_, $crate::error::Failure>(x.f_scatter(dim, index.raw(), &src)?)
            };
            /// `self` with `src`'s values added to (or multiplying) the ones
            /// at the Int64 `index` along `dim`, as `torch.scatter(dim,
            /// index, src, reduce=)`. Python: `scatter(..., reduce=)`.
            scatter_with(dim: i64, index: Tensor, src: Same, reduce: ScatterMode)
                => |x| x.f_scatter_reduce(dim, index.raw(), src.raw(), $crate::ops::nn::Mode::name(reduce));
            /// `scatter_with` of one number, as `torch.scatter(dim, index,
            /// value, reduce=)`.
            scatter_value_with(dim: i64, index: Tensor, value: Scalar, reduce: ScatterMode)
                => |x| {
                // tch's own value form panics when libtorch fails (its
                // scalar's drop reads the error), so the value is a tensor.
                let src = $crate::ops::filled_like(x, index.raw(), value.into())?;
                Ok::<_, $crate::error::Failure>(x.f_scatter_reduce(dim, index.raw(), &src, $crate::ops::nn::Mode::name(reduce))?)
            };
            /// `self` with `alpha * source` added at the entries `index`
            /// (Int64) of `dim`, as `torch.index_add`.
            index_add(dim: i64, index: Tensor, source: Same, alpha: Scalar = 1) => |x| {
                let source = $crate::ops::scaled(source.raw(), alpha.into())?;
                Ok::<_, $crate::error::Failure>(x.f_index_add(dim, index.raw(), &source)?)
            };
            /// `self` with the entries `index` (Int64) of `dim` set to
            /// `value`, as `torch.index_fill`.
            index_fill(dim: i64, index: Tensor, value: Scalar) => |x| {
                let value = $crate::ops::scalar_tensor(value.into(), x.f_kind()?, x.device())?;
                Ok::<_, $crate::error::Failure>(x.f_index_fill_int_tensor(dim, index.raw(), &value)?)
            };
            /// `self` with the entries `index` (Int64) of `dim` replaced by
            /// `source`'s, as `torch.index_copy`.
            index_copy(dim: i64, index: Tensor, source: Same) => |x| x.f_index_copy(dim, index.raw(), source.raw());
            /// `self` with `source`'s leading values, in order, where the
            /// Bool `mask` (broadcast) is true, as `torch.masked_scatter`.
            masked_scatter(mask: Tensor, source: Same) => |x| x.f_masked_scatter(mask.raw(), source.raw());
            /// The values as `other`'s dtype, as `Tensor.type_as`.
            type_as(other: Same) => |x| x.f_type_as(other.raw());
            /// The dot product of two vectors, as `torch.dot`.
            dot(other: Same) => |x| x.f_dot(other.raw());
            /// A matrix times a vector, as `torch.mv`.
            mv(vec: Same) => |x| x.f_mv(vec.raw());
            /// The sum of a matrix's main diagonal, as `torch.trace`.
            trace() => |x| x.f_trace();
            /// The diagonal `offset` above the main one of the planes of
            /// `dim1` and `dim2`, as a last dim (a view), as `torch.diagonal`.
            diagonal(offset: i64 = 0, dim1: i64 = 0, dim2: i64 = 1) => |x| x.f_diagonal(offset, dim1, dim2);
            /// The dims `source` moved to the places `destination`, the
            /// others in their order, as `torch.movedim`.
            movedim(source: Ints, destination: Ints) => |x| x.f_movedim(source, destination);
            /// Dims `axis0` and `axis1` swapped, as `torch.swapaxes` (`transpose`).
            swapaxes(axis0: i64, axis1: i64) => |x| x.f_swapaxes(axis0, axis1);
            /// The values tiled `dims[i]` times along each dim (leading
            /// dims of size 1 added as needed), as `torch.tile`. Python:
            /// `x.tile(1, 2)` or `x.tile((1, 2))`.
            tile(dims: Ints) [overloaded] => |x| x.f_tile(dims);
            /// Broadcast to `shape` (a view), as `torch.broadcast_to`.
            broadcast_to(shape: Ints) => |x| x.f_broadcast_to(shape);
            /// The indices of the non-zero elements, one row each, as `torch.argwhere`.
            argwhere() -> Tensor => |x| x.f_argwhere();
            /// `log(p / (1 - p))`, with `p` clamped into `[eps, 1 - eps]`
            /// when `eps` is given, as `torch.logit`.
            logit(eps: Option<f64> = None) => |x| x.f_logit(eps);
            /// Each element (or slice of `dim`) repeated `repeats` times in
            /// place, flattened without `dim`, as `torch.repeat_interleave`.
            /// Python: `repeat_interleave(repeats, dim=None)`, `repeats` an
            /// int or a tensor of counts.
            repeat_interleave(repeats: i64, dim: Option<i64> = None) [overloaded]
                => |x| x.f_repeat_interleave_self_int(repeats, dim, None::<i64>);
            /// Each element (or slice of `dim`) repeated its own count of the
            /// Int64 `repeats` (one per element or slice, or one for all), as
            /// `torch.repeat_interleave(x, repeats_tensor, dim)`.
            repeat_interleave_tensor(repeats: Tensor, dim: Option<i64> = None)
                => |x| x.f_repeat_interleave_self_tensor(repeats.raw(), dim, None::<i64>);
            /// The `n`-th forward differences along `dim`, as `torch.diff`,
            /// of the values with `prepend` before them and `append` after
            /// (along `dim`) when given.
            diff(n: i64 = 1, dim: i64 = (-1), prepend: Option<Tensor> = None, append: Option<Tensor> = None)
                => |x| x.f_diff(n, dim, prepend.map(|p| p.raw()), append.map(|a| a.raw()));
            /// The windows of `size` elements along `dimension`, `step`
            /// apart, as a new last dim (a view), as `Tensor.unfold`.
            unfold(dimension: i64, size: i64, step: i64) => |x| x.f_unfold(dimension, size, step);
            /// `self - trunc(self / other) * other`: the remainder with the
            /// sign of `self` (C's `fmod`), as `torch.fmod`. Python:
            /// `fmod(other)` with a tensor or a number (`fmod_scalar`).
            fmod(other: Same) [overloaded] => |x| x.f_fmod_tensor(other.raw());
            /// `fmod` by a number, typed as Python's.
            fmod_scalar(scalar: Scalar) => |x| $crate::ffi::fmod_scalar(x, scalar);
            /// `self / other` rounded toward zero, as `torch.div(x, other,
            /// rounding_mode="trunc")` (an integer tensor stays integer).
            div_trunc(other: Same) => |x| x.f_div_tensor_mode(other.raw(), "trunc");
            /// `div_trunc` by a number, typed as Python's.
            div_trunc_scalar(scalar: Scalar) => |x| $crate::ffi::div_trunc_scalar(x, scalar);
            /// `sqrt(self² + other²)`, elementwise, as `torch.hypot`.
            hypot(other: Same) => |x| x.f_hypot(other.raw());
            /// `log(exp(self) + exp(other))`, computed stably, as `torch.logaddexp`.
            logaddexp(other: Same) => |x| x.f_logaddexp(other.raw());
            /// `self`'s magnitude with `other`'s sign, as `torch.copysign`.
            /// Python: `copysign(other)`, a tensor or a number (`copysign_scalar`).
            copysign(other: Same) [overloaded] => |x| x.f_copysign(other.raw());
            /// `copysign` with a number's sign.
            copysign_scalar(scalar: Scalar) => |x| $crate::ffi::copysign_scalar(x, scalar);
            /// The step function: 0 below zero, 1 above, `values` at zero, as
            /// `torch.heaviside` (not differentiable).
            heaviside(values: Same) => |x| x.f_heaviside(values.raw());
            /// `self * log(other)`, 0 where `self` is 0, as `torch.xlogy`.
            /// Python: `xlogy(other)`, a tensor or a number (`xlogy_scalar`);
            /// `flodl.xlogy(number, x)` is `rxlogy_scalar`.
            xlogy(other: Same) [overloaded] => |x| x.f_xlogy(other.raw());
            /// `self * log(scalar)`, 0 where `self` is 0.
            xlogy_scalar(scalar: Scalar) => |x| $crate::ffi::xlogy_scalar(x, scalar);
            /// `scalar * log(self)`, 0 where `scalar` is 0.
            rxlogy_scalar(scalar: Scalar) => |x| $crate::ffi::rxlogy_scalar(x, scalar);
            /// The elementwise maximum, ignoring NaN (the other value wins), as `torch.fmax`.
            fmax(other: Same) => |x| x.f_fmax(other.raw());
            /// The elementwise minimum, ignoring NaN, as `torch.fmin`.
            fmin(other: Same) => |x| x.f_fmin(other.raw());
            /// The sign (-1, 0 or 1), as `torch.sgn` (`sign` of real numbers).
            sgn() => |x| x.f_sgn();
            /// Whether the sign bit is set (true for -0.0), as `torch.signbit`.
            signbit() -> Tensor => |x| x.f_signbit();
            /// `sin(pi x) / (pi x)`, 1 at 0, as `torch.sinc`.
            sinc() => |x| x.f_sinc();
            /// Degrees to radians, as `torch.deg2rad`.
            deg2rad() => |x| x.f_deg2rad();
            /// Radians to degrees, as `torch.rad2deg`.
            rad2deg() => |x| x.f_rad2deg();
            /// The values flipped left to right (dim 1), as `torch.fliplr`.
            fliplr() => |x| x.f_fliplr();
            /// The values flipped upside down (dim 0), as `torch.flipud`.
            flipud() => |x| x.f_flipud();
            /// The sum treating NaN as 0, of all elements or over `dim`, as `torch.nansum`.
            nansum(dim: Option<Ints> = None, keepdim: bool = false) => |x| x.f_nansum(dim, keepdim, None::<tch::Kind>);
            /// The mean of the values that are not NaN, of all elements or
            /// over `dim`, as `torch.nanmean`.
            nanmean(dim: Option<Ints> = None, keepdim: bool = false) => |x| x.f_nanmean(dim, keepdim, None::<tch::Kind>);
            /// The integral of `self` along `dim` by the trapezoidal rule,
            /// the samples `dx` apart, as `torch.trapezoid(y, dx=dx)`.
            trapezoid(dx: Scalar = 1, dim: i64 = (-1)) => |x| $crate::ffi::trapezoid(x, dx, dim);
            /// The trapezoidal integral of `self` along `dim` at the sample
            /// points `x_at`, as `torch.trapezoid(y, x)`.
            trapezoid_x(x_at: Same, dim: i64 = (-1)) => |x| tch::Tensor::f_trapezoid_x(x, x_at.raw(), dim);
            /// The running trapezoidal integral along `dim`, the samples `dx`
            /// apart, as `torch.cumulative_trapezoid(y, dx=dx)`.
            cumulative_trapezoid(dx: Scalar = 1, dim: i64 = (-1)) => |x| $crate::ffi::cumulative_trapezoid(x, dx, dim);
            /// The running trapezoidal integral at the sample points `x_at`,
            /// as `torch.cumulative_trapezoid(y, x)`.
            cumulative_trapezoid_x(x_at: Same, dim: i64 = (-1)) => |x| tch::Tensor::f_cumulative_trapezoid_x(x, x_at.raw(), dim);
            /// The `q`-th quantile (`q` in [0, 1]) of all elements or along
            /// `dim`, between two values as `interpolation` says, as
            /// `torch.quantile`.
            quantile(q: f64, dim: Option<i64> = None, keepdim: bool = false, interpolation: QuantileInterpolation = "linear") [overloaded]
                => |x| x.f_quantile_scalar(q, dim, keepdim, $crate::ops::nn::Mode::name(interpolation));
            /// The quantiles `q` (a 1-d tensor: a new first dim of the
            /// result; 0-d: none) of all elements or along `dim`, as
            /// `torch.quantile(x, q)` with a tensor `q`.
            quantile_tensor(q: Tensor, dim: Option<i64> = None, keepdim: bool = false, interpolation: QuantileInterpolation = "linear")
                => |x| x.f_quantile(q.raw(), dim, keepdim, $crate::ops::nn::Mode::name(interpolation));
            /// `quantile` ignoring NaN, as `torch.nanquantile`.
            nanquantile(q: f64, dim: Option<i64> = None, keepdim: bool = false, interpolation: QuantileInterpolation = "linear") [overloaded]
                => |x| x.f_nanquantile_scalar(q, dim, keepdim, $crate::ops::nn::Mode::name(interpolation));
            /// `quantile_tensor` ignoring NaN, as `torch.nanquantile(x, q)`
            /// with a tensor `q`.
            nanquantile_tensor(q: Tensor, dim: Option<i64> = None, keepdim: bool = false, interpolation: QuantileInterpolation = "linear")
                => |x| x.f_nanquantile(q.raw(), dim, keepdim, $crate::ops::nn::Mode::name(interpolation));
            /// The running maximum along `dim` and where it was found, as `torch.cummax`.
            cummax(dim: i64) -> (Same, Tensor) => |x| x.f_cummax(dim);
            /// The running minimum along `dim` and where it was found, as `torch.cummin`.
            cummin(dim: i64) -> (Same, Tensor) => |x| x.f_cummin(dim);
            /// The running `logsumexp` along `dim`, as `torch.logcumsumexp`.
            logcumsumexp(dim: i64) => |x| x.f_logcumsumexp(dim);
            /// The smallest and the largest values, of all elements or along
            /// `dim`, as `torch.aminmax` (`(min, max)`).
            /// (`amin` and `amax` here: libtorch's `aminmax` has no
            /// derivative before torch 2.13.)
            aminmax(dim: Option<i64> = None, keepdim: bool = false) -> (Same, Same) => |x| {
                let dims: &[i64] = dim.as_ref().map_or(&[], std::slice::from_ref);
                Ok::<_, tch::TchError>((x.f_amin(dims, keepdim)?, x.f_amax(dims, keepdim)?))
            };
            /// The standard deviation (with `correction`) and the mean, of
            /// all elements or over `dim`, as `torch.std_mean`.
            std_mean(dim: Option<Ints> = None, correction: f64 = 1.0, keepdim: bool = false) -> (Same, Same) [overloaded]
                => |x| $crate::ops::with_mean(x, dim, keepdim, $crate::ffi::var_std(x, correction, dim, keepdim, true));
            /// The variance (with `correction`) and the mean, as `torch.var_mean`.
            var_mean(dim: Option<Ints> = None, correction: f64 = 1.0, keepdim: bool = false) -> (Same, Same) [overloaded]
                => |x| $crate::ops::with_mean(x, dim, keepdim, $crate::ffi::var_std(x, correction, dim, keepdim, false));
            /// The count of non-zero elements over several `dims`, as
            /// `torch.count_nonzero(x, dims)`.
            count_nonzero_dims(dims: Ints) -> Tensor => |x| x.f_count_nonzero_dim_intlist(dims);
            /// `logsumexp` over several `dims` at once.
            logsumexp_dims(dims: Ints, keepdim: bool = false) => |x| x.f_logsumexp(dims, keepdim);
            /// The `p`-norm over several `dims` at once, as
            /// `torch.linalg.vector_norm(x, p, dims)`.
            norm_dims(p: f64, dims: Ints, keepdim: bool = false) => |x| $crate::ffi::vector_norm(x, p, Some(dims), keepdim);
            /// `beta * self + alpha * (mat1 @ mat2)` in one kernel, as `torch.addmm`.
            addmm(mat1: Same, mat2: Same, beta: Scalar = 1, alpha: Scalar = 1)
                => |x| $crate::ffi::addmm(x, mat1.raw(), mat2.raw(), beta, alpha);
            /// `beta * self + alpha * (batch1 @ batch2)` per batch, as `torch.baddbmm`.
            baddbmm(batch1: Same, batch2: Same, beta: Scalar = 1, alpha: Scalar = 1)
                => |x| $crate::ffi::baddbmm(x, batch1.raw(), batch2.raw(), beta, alpha);
            /// `beta * self + alpha * (mat @ vec)`, as `torch.addmv`.
            addmv(mat: Same, vec: Same, beta: Scalar = 1, alpha: Scalar = 1)
                => |x| $crate::ffi::addmv(x, mat.raw(), vec.raw(), beta, alpha);
            /// The sums of products over the dims `dims_self` of `self` and
            /// `dims_other` of `other` (paired in order), as
            /// `torch.tensordot(a, b, dims=(dims_self, dims_other))`. Python:
            /// `tensordot(other, dims=2)`, an int meaning `self`'s last and
            /// `other`'s first dims.
            tensordot(other: Same, dims_self: Ints, dims_other: Ints) [overloaded]
                => |x| x.f_tensordot(other.raw(), dims_self, dims_other);
            /// The Kronecker product, as `torch.kron`.
            kron(other: Same) => |x| x.f_kron(other.raw());
            /// The sums of products over both operands' last dims, as `torch.inner`.
            inner(other: Same) => |x| x.f_inner(other.raw());
            /// The 3-d cross product along `dim` (the first dim of size 3
            /// when None), as `torch.cross`.
            cross(other: Same, dim: Option<i64> = None) => |x| {
                let dim = match dim {
                    Some(dim) => dim,
                    None => $crate::ops::first_dim_of_size("cross", x, 3)?,
                };
                Ok::<_, $crate::error::Failure>(x.f_cross(other.raw(), dim)?)
            };
            /// The planes of `dims` rotated `k` quarter turns (from the first
            /// toward the second), as `torch.rot90`.
            rot90(k: i64 = 1, dims: Ints = (0, 1)) => |x| x.f_rot90(k, dims);
            /// The values put on the diagonal `offset` of the planes of new
            /// dims `dim1` and `dim2`, as `torch.diag_embed`.
            diag_embed(offset: i64 = 0, dim1: i64 = (-2), dim2: i64 = (-1)) => |x| x.f_diag_embed(offset, dim1, dim2);
            /// `sections` nearly equal pieces along `dim` (the first ones one
            /// longer), as `torch.tensor_split(x, sections, dim)`. Python:
            /// `tensor_split(sections_or_indices, dim)`.
            tensor_split(sections: i64, dim: i64 = 0) -> [Same] [overloaded] => |x| x.f_tensor_split(sections, dim);
            /// The pieces between the `indices` along `dim`, as `torch.tensor_split(x, indices, dim)`.
            tensor_split_indices(indices: Ints, dim: i64 = 0) -> [Same] => |x| x.f_tensor_split_indices(indices, dim);
            /// `sections` equal pieces along dim 1 (dim 0 of a 1-d tensor), as
            /// `torch.hsplit(x, sections)`. Python: `hsplit(sections_or_indices)`.
            hsplit(sections: i64) -> [Same] [overloaded] => |x| x.f_hsplit(sections);
            /// The pieces between the `indices` along dim 1 (dim 0 of a 1-d tensor).
            hsplit_indices(indices: Ints) -> [Same] => |x| x.f_hsplit_array(indices);
            /// `sections` equal pieces along dim 0 (of at least 2 dims), as
            /// `torch.vsplit`. Python: `vsplit(sections_or_indices)`.
            vsplit(sections: i64) -> [Same] [overloaded] => |x| x.f_vsplit(sections);
            /// The pieces between the `indices` along dim 0 (of at least 2 dims).
            vsplit_indices(indices: Ints) -> [Same] => |x| x.f_vsplit_array(indices);
            /// `sections` equal pieces along dim 2 (of at least 3 dims), as
            /// `torch.dsplit`. Python: `dsplit(sections_or_indices)`.
            dsplit(sections: i64) -> [Same] [overloaded] => |x| x.f_dsplit(sections);
            /// The pieces between the `indices` along dim 2 (of at least 3 dims).
            dsplit_indices(indices: Ints) -> [Same] => |x| x.f_dsplit_array(indices);
            /// Where each value would go in the sorted last dim of `self` to
            /// keep it sorted (after equal ones with `right`, or `side`
            /// "right"), as `torch.searchsorted(self, values)`.
            searchsorted(values: Tensor, out_int32: bool = false, right: bool = false, side: Option<SearchSide> = None, sorter: Option<Tensor> = None) -> Tensor
                => |x| $crate::ops::searchsorted(x, values.raw(), out_int32, right, side, sorter.map(|s| s.raw()));
            /// The complex dot product (the first operand conjugated; for
            /// real tensors `dot`), as `torch.vdot`.
            vdot(other: Same) => |x| x.f_vdot(other.raw());
            /// A square matrix with the flattened `self` on its `offset`-th
            /// diagonal, as `torch.diagflat`.
            diagflat(offset: i64 = 0) => |x| x.f_diagflat(offset);
            /// The index of the bucket of `boundaries` (sorted, 1-d) that
            /// holds each value, as `torch.bucketize`.
            bucketize(boundaries: Tensor, out_int32: bool = false, right: bool = false) -> Tensor
                => |x| x.f_bucketize(boundaries.raw(), out_int32, right);
            /// How often each value of a 1-d non-negative integer tensor
            /// occurs (summing `weights` instead when given), at least
            /// `minlength` counts, as `torch.bincount`.
            bincount(weights: Option<Tensor> = None, minlength: i64 = 0) -> Tensor
                => |x| x.f_bincount(weights.map(|w| w.raw()), minlength);
            /// The values at the Int64 `index` of the flattened tensor, as
            /// `torch.take`.
            take(index: Tensor) => |x| x.f_take(index.raw());
            /// `self` with `source`'s values written at (or, with
            /// `accumulate`, added to) the Int64 `index` of the flattened
            /// tensor, as `torch.put`.
            put(index: Tensor, source: Same, accumulate: bool = false)
                => |x| x.f_put(index.raw(), source.raw(), accumulate);
            /// The values along `dim` at the Int64 `indices` (broadcast), or
            /// of the flattened tensor without `dim`, as `torch.take_along_dim`.
            take_along_dim(indices: Tensor, dim: Option<i64> = None) => |x| x.f_take_along_dim(indices.raw(), dim);
            /// The `k` largest (or smallest) values along `dim`, and their
            /// indices.
            topk(k: i64, dim: i64 = (-1), largest: bool = true, sorted: bool = true) -> (Same, Tensor)
                => |x| x.f_topk(k, dim, largest, sorted);
            /// The `k`-th smallest value along `dim` (from 1), and its index.
            kthvalue(k: i64, dim: i64 = (-1), keepdim: bool = false) -> (Same, Tensor)
                => |x| x.f_kthvalue(k, dim, keepdim);
            /// The entries where the Bool `mask` is true (broadcast), as a 1-d
            /// tensor, as `torch.masked_select`.
            masked_select(mask: Tensor) => |x| {
                $crate::ops::check_mask("masked_select", mask.raw())?;
                Ok::<_, $crate::error::Failure>(x.f_masked_select(mask.raw())?)
            };
            /// The Int64 indices of the non-zero entries, one row per entry.
            /// Python: `nonzero(*, as_tuple=False)`; `as_tuple=True` gives
            /// one 1-d index tensor per dim, as `torch.nonzero`.
            nonzero() -> Tensor [overloaded] => |x| x.f_nonzero();
            /// How many entries are non-zero, as a 0-d Int64 tensor.
            count_nonzero() -> Tensor [overloaded] => |x| x.f_count_nonzero(None::<i64>);
            /// NaN, +inf and -inf replaced by `nan`, `posinf` and `neginf` (the
            /// dtype's largest and smallest values by default).
            nan_to_num(nan: f64 = 0.0, posinf: Option<f64> = None, neginf: Option<f64> = None)
                => |x| x.f_nan_to_num(nan, posinf, neginf);
            /// The values sorted along `dim`, and the indices they came from
            /// (with `stable`, equal values keep their order).
            sort(dim: i64 = (-1), descending: bool = false, stable: bool = false) -> (Same, Tensor)
                => |x| match stable {
                    // PyTorch's own choice of kernel (and of node: SortBackward0).
                    false => x.f_sort(dim, descending),
                    true => x.f_sort_stable(true, dim, descending),
                };

            /// The values as a 1-d tensor (a view when it can be), as `torch.ravel`.
            ravel() => |x| x.f_ravel();
            /// The values sorted along dim 0, as `torch.msort`.
            msort() => |x| x.f_msort();
            /// `self ** exponent` in double precision, as `torch.float_power`.
            /// Python: `float_power(exponent)`, a tensor or a number
            /// (`float_power_scalar`).
            float_power(exponent: Same) [overloaded] => |x| x.f_float_power(exponent.raw());
            /// `float_power` to a number.
            float_power_scalar(exponent: Scalar) => |x| $crate::ffi::float_power_scalar(x, exponent);
            /// `scalar ** self` in double precision (`flodl.float_power(number, x)`).
            rfloat_power_scalar(scalar: Scalar) => |x| $crate::ffi::rfloat_power_scalar(x, scalar);
            /// `self * 2 ** other`, as `torch.ldexp`.
            ldexp(other: Same) => |x| x.f_ldexp(other.raw());
            /// The greatest common divisor of integer tensors, as `torch.gcd`.
            gcd(other: Same) => |x| x.f_gcd(other.raw());
            /// The least common multiple of integer tensors, as `torch.lcm`.
            lcm(other: Same) => |x| x.f_lcm(other.raw());
            /// The next representable value after `self` toward `other`, as `torch.nextafter`.
            nextafter(other: Same) => |x| x.f_nextafter(other.raw());
            /// The modified Bessel function of the first kind of order 0, as `torch.i0`.
            i0() => |x| x.f_i0();
            /// `log2(2^self + 2^other)`, computed stably, as `torch.logaddexp2`.
            logaddexp2(other: Same) => |x| x.f_logaddexp2(other.raw());
            /// `-x log x` (0 at 0, -inf below), as `torch.special.entr`.
            special_entr() => |x| x.f_special_entr();
            /// `exp(x²) erfc(x)`, as `torch.special.erfcx`.
            special_erfcx() => |x| x.f_special_erfcx();
            /// The standard normal's cumulative distribution function, as `torch.special.ndtr`.
            special_ndtr() => |x| x.f_special_ndtr();
            /// Its log, computed stably, as `torch.special.log_ndtr`.
            special_log_ndtr() => |x| x.f_special_log_ndtr();
            /// Its inverse (the quantile function), as `torch.special.ndtri`.
            special_ndtri() => |x| x.f_special_ndtri();
            /// `exp(-|x|) i0(x)`, as `torch.special.i0e`.
            special_i0e() => |x| x.f_special_i0e();
            /// The modified Bessel function of the first kind of order 1, as `torch.special.i1`.
            special_i1() => |x| x.f_special_i1();
            /// `exp(-|x|) i1(x)`, as `torch.special.i1e`.
            special_i1e() => |x| x.f_special_i1e();
            /// `self * log1p(other)`, 0 where `self` is 0, as `torch.special.xlog1py`.
            special_xlog1py(other: Same) => |x| x.f_special_xlog1py(other.raw());
            /// The Hurwitz zeta function of `self` at `other`, as
            /// `torch.special.zeta` (libtorch differentiates `other` only).
            special_zeta(other: Same) => |x| x.f_special_zeta(other.raw());
            /// The Bessel function of the first kind of order 0 (no derivative in libtorch), as `torch.special.bessel_j0`.
            special_bessel_j0() => |x| x.f_special_bessel_j0();
            /// The Bessel function of the first kind of order 1 (no derivative in libtorch), as `torch.special.bessel_j1`.
            special_bessel_j1() => |x| x.f_special_bessel_j1();
            /// The regularized lower incomplete gamma function of `self` at
            /// `other`, as `torch.igamma` (`torch.special.gammainc`;
            /// libtorch differentiates `other` only).
            igamma(other: Same) => |x| x.f_igamma(other.raw());
            /// The regularized upper incomplete gamma function, as
            /// `torch.igammac` (`torch.special.gammaincc`; `other` only).
            igammac(other: Same) => |x| x.f_igammac(other.raw());
            /// Where the values are +inf, as `torch.isposinf`.
            isposinf() -> Tensor => |x| x.f_isposinf();
            /// Where the values are -inf, as `torch.isneginf`.
            isneginf() -> Tensor => |x| x.f_isneginf();
            /// Where the values are real (a complex value with no imaginary
            /// part; every value of a real dtype), as `torch.isreal`.
            isreal() -> Tensor => |x| x.f_isreal();
            /// `beta * self + alpha * outer(vec1, vec2)`, as `torch.addr`.
            addr(vec1: Same, vec2: Same, beta: Scalar = 1, alpha: Scalar = 1)
                => |x| $crate::ffi::addr(x, vec1.raw(), vec2.raw(), beta, alpha);
            /// `beta * self + alpha * (the sum over the batch of batch1 @
            /// batch2)`, as `torch.addbmm`.
            addbmm(batch1: Same, batch2: Same, beta: Scalar = 1, alpha: Scalar = 1)
                => |x| $crate::ffi::addbmm(x, batch1.raw(), batch2.raw(), beta, alpha);
            /// Each slice along `dim` whose `p`-norm exceeds `maxnorm`
            /// scaled down to norm `maxnorm`, as `torch.renorm`.
            renorm(p: Scalar, dim: i64, maxnorm: Scalar) => |x| $crate::ffi::renorm(x, p, dim, maxnorm);
            /// The distances between every pair of rows (the upper triangle,
            /// row by row), as `F.pdist`.
            pdist(p: f64 = 2.0) => |x| x.f_pdist(p);
            /// Draws from `Gamma(self, 1)` (positive concentrations), whose
            /// gradient is the reparameterized one, as `torch._standard_gamma`.
            standard_gamma() => |x| x.f_internal_standard_gamma();
            /// The `n`-th derivative of digamma, as `torch.polygamma(n, x)`.
            polygamma(n: i64) => |x| x.f_polygamma(n);
            /// The log of the multivariate gamma function of dimension `p`, as `torch.mvlgamma`.
            mvlgamma(p: i64) => |x| x.f_mvlgamma(p);
            /// The `p`-norm of `self - other`, as `torch.dist`.
            dist(other: Same, p: f64 = 2.0) => |x| $crate::ffi::vector_norm(&x.f_sub(other.raw())?, p, None, false);
            /// The covariance matrix of the variables in the rows of `self`
            /// (observations in columns), as `torch.cov`.
            cov(correction: i64 = 1, fweights: Option<Tensor> = None, aweights: Option<Tensor> = None)
                => |x| x.f_cov(correction, fweights.map(|w| w.raw()), aweights.map(|w| w.raw()));
            /// The Pearson correlation coefficients of the rows, as `torch.corrcoef`.
            corrcoef() => |x| x.f_corrcoef();
            /// Whether each value is among `test_elements` (not, with
            /// `invert`), as `torch.isin`.
            isin(test_elements: Tensor, assume_unique: bool = false, invert: bool = false) -> Tensor
                => |x| tch::Tensor::f_isin(x, test_elements.raw(), assume_unique, invert);
            /// The Vandermonde matrix of the 1-d `self`: columns of powers
            /// `n - 1` down to 0 (up with `increasing`), as `torch.vander`.
            vander(n: Option<i64> = None, increasing: bool = false) => |x| tch::Tensor::f_vander(x, n, increasing);
            /// The combinations of `r` values of a 1-d tensor, one row each,
            /// as `torch.combinations`.
            combinations(r: i64 = 2, with_replacement: bool = false) => |x| x.f_combinations(r, with_replacement);
            /// `self` with the slice `index` of `dim` replaced by `src`, as `torch.select_scatter`.
            select_scatter(src: Same, dim: i64, index: i64) => |x| x.f_select_scatter(src.raw(), dim, index);
            /// `self` with the slice `start:end:step` of `dim` replaced by
            /// `src`, as `torch.slice_scatter`.
            slice_scatter(src: Same, dim: i64 = 0, start: Option<i64> = None, end: Option<i64> = None, step: i64 = 1)
                => |x| x.f_slice_scatter(src.raw(), dim, start, end, step);
            /// `self` with the diagonal `offset` of the planes of `dim1` and
            /// `dim2` replaced by `src`, as `torch.diagonal_scatter`.
            diagonal_scatter(src: Same, offset: i64 = 0, dim1: i64 = 0, dim2: i64 = 1)
                => |x| x.f_diagonal_scatter(src.raw(), offset, dim1, dim2);
            /// `self` with `src`'s values combined by `reduce` at the Int64
            /// `index` of `dim` (with `self`'s own values unless not
            /// `include_self`), as `torch.scatter_reduce`.
            scatter_reduce(dim: i64, index: Tensor, src: Same, reduce: ScatterReduceMode, include_self: bool = true)
                => |x| x.f_internal_scatter_reduce(dim, index.raw(), src.raw(), $crate::ops::nn::Mode::name(reduce), include_self);
            /// `self` with `source`'s slices combined by `reduce` at the
            /// entries `index` of `dim`, as `torch.index_reduce`.
            index_reduce(dim: i64, index: Tensor, source: Same, reduce: IndexReduceMode, include_self: bool = true)
                => |x| x.f_index_reduce(dim, index.raw(), source.raw(), $crate::ops::nn::Mode::name(reduce), include_self);
            /// A view with `size` and `stride` (and `storage_offset`) on the
            /// same memory, as `torch.as_strided`.
            as_strided(size: Ints, stride: Ints, storage_offset: Option<i64> = None)
                => |x| x.f_as_strided(size, stride, storage_offset);
            /// The mantissa (in [0.5, 1)) and the Int32 exponent of each
            /// value, as `torch.frexp`.
            frexp() -> (Same, Tensor) => |x| x.f_frexp();
            /// The angle of each value (0 or pi for real ones), as `torch.angle`.
            angle() => |x| x.f_angle();

            // --- complex numbers ---
            /// The real parts of a complex tensor, a view, as `torch.real`
            /// (a real tensor is its own). Python: the property `real`.
            real() [overloaded] => |x| x.f_real();
            /// The imaginary parts of a complex tensor, a view, as
            /// `torch.imag` (a DTypeError for a real one). Python: the
            /// property `imag`.
            imag() [overloaded] => |x| x.f_imag();
            /// The complex conjugate, a lazy view, as `torch.conj` (a real
            /// tensor is its own). Reading it resolves it; it shares no
            /// memory with numpy or DLPack until `resolve_conj()`.
            conj() => |x| x.f_conj();
            /// The complex conjugate, computed, as `torch.conj_physical`.
            conj_physical() => |x| x.f_conj_physical();
            /// A lazy `conj()` view made a tensor of its values (itself
            /// otherwise), as `torch.resolve_conj`.
            resolve_conj() => |x| x.f_resolve_conj();
            /// A lazy negative view (the `imag` of a `conj()`) made a tensor
            /// of its values, as `torch.resolve_neg`.
            resolve_neg() => |x| x.f_resolve_neg();
            /// A complex tensor as a real one with a last dim of 2 (real and
            /// imaginary parts), sharing memory, as `torch.view_as_real`.
            view_as_real() => |x| x.f_view_as_real();
            /// A float32 or float64 tensor whose last dim is 2 (contiguous)
            /// as the complex tensor of those parts, sharing memory, as
            /// `torch.view_as_complex`.
            view_as_complex() => |x| x.f_view_as_complex();
            /// The complex tensor with real parts `self` and imaginary parts
            /// `imag` (both float32 or both float64), as `torch.complex(real, imag)`.
            complex(imag: Same) => |x| tch::Tensor::f_complex(x, imag.raw());
            /// The complex tensor of magnitudes `self` and angles `angle`,
            /// as `torch.polar(abs, angle)`.
            polar(angle: Same) => |x| tch::Tensor::f_polar(x, angle.raw());

            // --- discrete Fourier transforms (torch.fft) ---
            /// The 1-d discrete Fourier transform along `dim` (cut or
            /// zero-padded to `n`), as `torch.fft.fft`.
            fft_fft(n: Option<i64> = None, dim: i64 = (-1), norm: Option<FftNorm> = None)
                => |x| x.f_fft_fft(n, dim, $crate::ops::nn::fft_norm(norm));
            /// The inverse of `fft_fft`, as `torch.fft.ifft`.
            fft_ifft(n: Option<i64> = None, dim: i64 = (-1), norm: Option<FftNorm> = None)
                => |x| x.f_fft_ifft(n, dim, $crate::ops::nn::fft_norm(norm));
            /// The transform of a real signal: the `n / 2 + 1` frequencies
            /// from 0 up, as `torch.fft.rfft`.
            fft_rfft(n: Option<i64> = None, dim: i64 = (-1), norm: Option<FftNorm> = None)
                => |x| x.f_fft_rfft(n, dim, $crate::ops::nn::fft_norm(norm));
            /// The inverse of `fft_rfft`: a real signal of `n` values
            /// (`2 * (size - 1)` by default), as `torch.fft.irfft`.
            fft_irfft(n: Option<i64> = None, dim: i64 = (-1), norm: Option<FftNorm> = None)
                => |x| x.f_fft_irfft(n, dim, $crate::ops::nn::fft_norm(norm));
            /// The transform of a Hermitian-symmetric signal given by its
            /// first half: a real result, as `torch.fft.hfft`.
            fft_hfft(n: Option<i64> = None, dim: i64 = (-1), norm: Option<FftNorm> = None)
                => |x| x.f_fft_hfft(n, dim, $crate::ops::nn::fft_norm(norm));
            /// The inverse of `fft_hfft`, as `torch.fft.ihfft`.
            fft_ihfft(n: Option<i64> = None, dim: i64 = (-1), norm: Option<FftNorm> = None)
                => |x| x.f_fft_ihfft(n, dim, $crate::ops::nn::fft_norm(norm));
            /// The 2-d transform over `dim` (cut or padded to `s`), as `torch.fft.fft2`.
            fft_fft2(s: Option<Ints> = None, dim: Ints = (-2, -1), norm: Option<FftNorm> = None)
                => |x| x.f_fft_fft2(s, dim, $crate::ops::nn::fft_norm(norm));
            /// The inverse of `fft_fft2`, as `torch.fft.ifft2`.
            fft_ifft2(s: Option<Ints> = None, dim: Ints = (-2, -1), norm: Option<FftNorm> = None)
                => |x| x.f_fft_ifft2(s, dim, $crate::ops::nn::fft_norm(norm));
            /// The 2-d transform of a real signal (half of the last dim), as `torch.fft.rfft2`.
            fft_rfft2(s: Option<Ints> = None, dim: Ints = (-2, -1), norm: Option<FftNorm> = None)
                => |x| x.f_fft_rfft2(s, dim, $crate::ops::nn::fft_norm(norm));
            /// The inverse of `fft_rfft2`, as `torch.fft.irfft2`.
            fft_irfft2(s: Option<Ints> = None, dim: Ints = (-2, -1), norm: Option<FftNorm> = None)
                => |x| x.f_fft_irfft2(s, dim, $crate::ops::nn::fft_norm(norm));
            /// The 2-d `fft_hfft`, as `torch.fft.hfft2`.
            fft_hfft2(s: Option<Ints> = None, dim: Ints = (-2, -1), norm: Option<FftNorm> = None)
                => |x| x.f_fft_hfft2(s, dim, $crate::ops::nn::fft_norm(norm));
            /// The inverse of `fft_hfft2`, as `torch.fft.ihfft2`.
            fft_ihfft2(s: Option<Ints> = None, dim: Ints = (-2, -1), norm: Option<FftNorm> = None)
                => |x| x.f_fft_ihfft2(s, dim, $crate::ops::nn::fft_norm(norm));
            /// The transform over the dims `dim` (all, or the last `len(s)`,
            /// by default), as `torch.fft.fftn`.
            fft_fftn(s: Option<Ints> = None, dim: Option<Ints> = None, norm: Option<FftNorm> = None)
                => |x| x.f_fft_fftn(s, dim, $crate::ops::nn::fft_norm(norm));
            /// The inverse of `fft_fftn`, as `torch.fft.ifftn`.
            fft_ifftn(s: Option<Ints> = None, dim: Option<Ints> = None, norm: Option<FftNorm> = None)
                => |x| x.f_fft_ifftn(s, dim, $crate::ops::nn::fft_norm(norm));
            /// The n-d transform of a real signal, as `torch.fft.rfftn`.
            fft_rfftn(s: Option<Ints> = None, dim: Option<Ints> = None, norm: Option<FftNorm> = None)
                => |x| x.f_fft_rfftn(s, dim, $crate::ops::nn::fft_norm(norm));
            /// The inverse of `fft_rfftn`, as `torch.fft.irfftn`.
            fft_irfftn(s: Option<Ints> = None, dim: Option<Ints> = None, norm: Option<FftNorm> = None)
                => |x| x.f_fft_irfftn(s, dim, $crate::ops::nn::fft_norm(norm));
            /// The n-d `fft_hfft`, as `torch.fft.hfftn`.
            fft_hfftn(s: Option<Ints> = None, dim: Option<Ints> = None, norm: Option<FftNorm> = None)
                => |x| x.f_fft_hfftn(s, dim, $crate::ops::nn::fft_norm(norm));
            /// The inverse of `fft_hfftn`, as `torch.fft.ihfftn`.
            fft_ihfftn(s: Option<Ints> = None, dim: Option<Ints> = None, norm: Option<FftNorm> = None)
                => |x| x.f_fft_ihfftn(s, dim, $crate::ops::nn::fft_norm(norm));
            /// The zero frequency moved to the middle of `dim` (every dim by
            /// default), as `torch.fft.fftshift`.
            fft_fftshift(dim: Option<Ints> = None) => |x| x.f_fft_fftshift(dim);
            /// The inverse of `fft_fftshift`, as `torch.fft.ifftshift`.
            fft_ifftshift(dim: Option<Ints> = None) => |x| x.f_fft_ifftshift(dim);
            /// The short-time Fourier transform of a 1-d signal (or a batch
            /// of them): the transforms of frames of `n_fft` values every
            /// `hop_length` (`n_fft / 4`), times `window` (ones of
            /// `win_length`), `[(batch,) freq, frames]`, as `torch.stft`.
            /// `center` pads `n_fft / 2` values at both ends by `pad_mode`; a
            /// real input needs `return_complex` (True, or False for its
            /// `view_as_real`).
            stft(n_fft: i64, hop_length: Option<i64> = None, win_length: Option<i64> = None, window: Option<Tensor> = None, center: bool = true, pad_mode: PadMode = "reflect", normalized: bool = false, onesided: Option<bool> = None, return_complex: Option<bool> = None)
                => |x| $crate::ops::spectral::stft(x, n_fft, hop_length, win_length, window.map(|w| w.raw()), center, pad_mode, normalized, onesided, return_complex);
            /// The signal whose `stft` is the complex `self`, by
            /// overlap-add (cut or padded to `length`), as `torch.istft`.
            istft(n_fft: i64, hop_length: Option<i64> = None, win_length: Option<i64> = None, window: Option<Tensor> = None, center: bool = true, normalized: bool = false, onesided: Option<bool> = None, length: Option<i64> = None, return_complex: bool = false)
                => |x| $crate::ops::spectral::istft(x, n_fft, hop_length, win_length, window.map(|w| w.raw()), center, normalized, onesided, length, return_complex);
            /// The median of the values that are not NaN, as `torch.nanmedian(x)`.
            /// Python: `nanmedian(dim=None, keepdim=False)`.
            nanmedian() [overloaded] => |x| x.f_nanmedian();
            /// The medians along `dim` ignoring NaN, and their Int64 indices,
            /// as `torch.nanmedian(x, dim, keepdim)`.
            nanmedian_dim(dim: i64, keepdim: bool = false) -> (Same, Tensor) => |x| x.f_nanmedian_dim(dim, keepdim);

            /// The `pow`-norm of each slice of `dim`, over every other dim
            /// (kept, of size 1; of all elements when `dim` is -1), as
            /// `torch.norm_except_dim`.
            norm_except_dim(pow: i64 = 2, dim: i64 = 0) => |x| tch::Tensor::f_norm_except_dim(x, pow, dim);
            /// The weight of direction `self` and norm `g` per slice of `dim`
            /// (`g` shaped as `norm_except_dim(self, 2, dim)`), as
            /// `torch._weight_norm`: what `nn.utils.weight_norm` computes.
            weight_norm_from(g: Same, dim: i64 = 0) => |x| {
                $crate::ops::check_weight_norm(x, g.raw(), dim)?;
                // The kernel divides by zero (SIGFPE) on an empty direction:
                // its (empty) result is `v * g` broadcast, with zero gradients.
                if x.numel() == 0 {
                    return Ok::<_, $crate::error::Failure>(x.f_mul(g.raw())?);
                }
                Ok::<_, $crate::error::Failure>(tch::Tensor::f_internal_weight_norm(x, g.raw(), dim)?)
            };

            // --- linear algebra (over the last two dims; leading dims are a batch) ---
            /// The determinant of each square matrix, as `torch.det` (`torch.linalg.det`).
            det() => |x| tch::Tensor::f_linalg_det(x);
            /// The log of the determinant (NaN where it is negative), as `torch.logdet`.
            logdet() => |x| x.f_logdet();
            /// The sign of the determinant and the log of its absolute value,
            /// as `torch.slogdet` (`(sign, logabsdet)`).
            slogdet() -> (Same, Same) => |x| tch::Tensor::f_linalg_slogdet(x);
            /// The inverse of each square matrix, as `torch.inverse` (`torch.linalg.inv`).
            inverse() => |x| tch::Tensor::f_linalg_inv(x);
            /// The Moore-Penrose pseudo-inverse (singular values below `rcond`
            /// times the largest count as zero), as `torch.pinverse`.
            pinverse(rcond: f64 = 1e-15) => |x| x.f_pinverse(rcond);
            /// The matrix exponential, as `torch.matrix_exp`.
            matrix_exp() => |x| x.f_linalg_matrix_exp();
            /// Each square matrix to the integer power `n` (of its inverse when
            /// `n` is negative), as `torch.matrix_power`.
            matrix_power(n: i64) => |x| x.f_linalg_matrix_power(n);
            /// The Cholesky factor of each symmetric positive-definite matrix
            /// (lower triangular; upper with `upper`), as `torch.linalg.cholesky`.
            cholesky(upper: bool = false) => |x| x.f_linalg_cholesky(upper);
            /// The solution `X` of `A X = self` where `input2` is the Cholesky
            /// factor of `A`, as `torch.cholesky_solve`.
            cholesky_solve(input2: Same, upper: bool = false) => |x| x.f_cholesky_solve(input2.raw(), upper);
            /// The inverse of `A` from its Cholesky factor `self`, as `torch.cholesky_inverse`.
            cholesky_inverse(upper: bool = false) => |x| x.f_cholesky_inverse(upper);
            /// The QR factorisation, `(Q, R)`, reduced (or complete when
            /// `some` is false), as `torch.qr`.
            qr(some: bool = true) -> (Same, Same)
                => |x| tch::Tensor::f_linalg_qr(x, if some { "reduced" } else { "complete" });
            /// The singular value decomposition `(U, S, V)` with `self = U
            /// diag(S) Vᵀ`, reduced unless `some` is false; with `compute_uv`
            /// false, `U` and `V` are zeros, as `torch.svd`.
            svd(some: bool = true, compute_uv: bool = true) -> (Same, Same, Same) => |x| x.f_svd(some, compute_uv);
            /// The QR factorisation `(Q, R)` by `mode` (`"r"`: `Q` is empty),
            /// as `torch.linalg.qr`.
            linalg_qr(mode: QrMode = "reduced") -> (Same, Same) => |x| tch::Tensor::f_linalg_qr(x, $crate::ops::nn::Mode::name(mode));
            /// The singular value decomposition `(U, S, Vh)` with `self = U
            /// diag(S) Vh`, full unless `full_matrices` is false, as `torch.linalg.svd`.
            linalg_svd(full_matrices: bool = true) -> (Same, Same, Same) => |x| {
                // torch.svd's V is the adjoint of linalg.svd's Vh (libtorch
                // computes the one from the other the same way).
                let (u, s, v) = x.f_svd(!full_matrices, true)?;
                Ok::<_, tch::TchError>((u, s, v.f_transpose(-2, -1)?))
            };
            /// The singular values, in descending order, as `torch.linalg.svdvals`.
            linalg_svdvals() => |x| Ok::<_, tch::TchError>(x.f_svd(true, false)?.1);
            /// The eigenvalues (ascending) and eigenvectors of each symmetric
            /// matrix, read from its `uplo` triangle, as `torch.linalg.eigh`.
            linalg_eigh(uplo: Uplo = "L") -> (Same, Same) => |x| x.f_linalg_eigh($crate::ops::nn::Mode::name(uplo));
            /// The eigenvalues (ascending) of each symmetric matrix, as
            /// `torch.linalg.eigvalsh`.
            linalg_eigvalsh(uplo: Uplo = "L") => |x| x.f_linalg_eigvalsh($crate::ops::nn::Mode::name(uplo));
            /// The eigenvalues and eigenvectors (columns, of norm 1) of each
            /// square matrix, complex, as `torch.linalg.eig`. The gradient
            /// is defined for losses that do not depend on each vector's
            /// phase (an AutogradError otherwise, as PyTorch's).
            linalg_eig() -> (Same, Same) => |x| x.f_linalg_eig();
            /// The complex eigenvalues of each square matrix, as
            /// `torch.linalg.eigvals`.
            linalg_eigvals() => |x| x.f_linalg_eigvals();
            /// The solution `X` of `self X = b` (of `X self = b` when `left`
            /// is false), as `torch.linalg.solve`.
            linalg_solve(b: Same, left: bool = true) => |x| tch::Tensor::f_linalg_solve(x, b.raw(), left);
            /// The least-squares solution `X` of `self X = b` (`self`
            /// `[*, m, n]`, `b` `[*, m, k]`), as `torch.linalg.lstsq`:
            /// `(solution, residuals, rank, singular_values)`, the last
            /// three as LAPACK's `driver` gives them (residuals for a
            /// full-rank tall `self` but with `gelsy`, singular values with
            /// `gelsd` and `gelss`; else empty). `rcond` bounds the singular
            /// values taken as nonzero. CUDA solves with `gels`, its only one.
            linalg_lstsq(b: Same, rcond: Option<f64> = None, driver: LstsqDriver = "gelsy") -> (Same, Same, Tensor, Tensor)
                => |x| {
                    let driver = if x.device().is_cuda() { "gels" } else { $crate::ops::nn::Mode::name(driver) };
                    x.f_linalg_lstsq(b.raw(), rcond, driver)
                };
            /// The solution of a triangular system (`self` upper triangular
            /// with `upper`, ones on the diagonal assumed with
            /// `unitriangular`), as `torch.linalg.solve_triangular`.
            linalg_solve_triangular(b: Same, upper: bool, left: bool = true, unitriangular: bool = false)
                => |x| x.f_linalg_solve_triangular(b.raw(), upper, left, unitriangular);
            /// The pseudo-inverse, singular values below `max(atol, rtol *
            /// largest)` counting as zero, as `torch.linalg.pinv`.
            linalg_pinv(atol: Option<f64> = None, rtol: Option<f64> = None, hermitian: bool = false)
                => |x| x.f_linalg_pinv_atol_rtol_float(atol, rtol, hermitian);
            /// The rank: the count of singular values above `max(atol, rtol *
            /// largest)`, as `torch.linalg.matrix_rank`.
            linalg_matrix_rank(atol: Option<f64> = None, rtol: Option<f64> = None, hermitian: bool = false) -> Tensor
                => |x| x.f_linalg_matrix_rank_atol_rtol_float(atol, rtol, hermitian);
            /// The sums of products along `dim`, as `torch.linalg.vecdot`.
            linalg_vecdot(y: Same, dim: i64 = (-1)) => |x| tch::Tensor::f_linalg_vecdot(x, y.raw(), dim);
            /// The condition number of each matrix in the norm `p` (1, -1, 2,
            /// -2, inf, -inf; 2 is the ratio of the extreme singular values,
            /// what `torch.linalg.cond(A)` computes), as `torch.linalg.cond`.
            linalg_cond(p: Scalar = 2) => |x| $crate::ffi::linalg_cond(x, p);
            /// The condition number in the Frobenius (`"fro"`) or nuclear
            /// (`"nuc"`) norm, as `torch.linalg.cond(A, p)`.
            linalg_cond_str(p: MatrixNormOrd = "fro") => |x| x.f_linalg_cond_p_str($crate::ops::nn::Mode::name(p));
            /// The LU factorization with partial pivoting, compact: `LU` (L
            /// below the diagonal, its unit diagonal implied; U on and above)
            /// and the int32 row swaps (1-based), as `torch.linalg.lu_factor`.
            linalg_lu_factor(pivot: bool = true) -> (Same, Tensor) => |x| tch::Tensor::f_linalg_lu_factor(x, pivot);
            /// `(L, info)`: the Cholesky factor without raising (info 0 where
            /// it exists, else the order of the leading minor that is not
            /// positive-definite), as `torch.linalg.cholesky_ex`.
            linalg_cholesky_ex(upper: bool = false, check_errors: bool = false) -> (Same, Tensor)
                => |x| x.f_linalg_cholesky_ex(upper, check_errors);
            /// `(inverse, info)`: the inverse without raising (info 0 where it
            /// exists), as `torch.linalg.inv_ex`.
            linalg_inv_ex(check_errors: bool = false) -> (Same, Tensor)
                => |x| tch::Tensor::f_linalg_inv_ex(x, check_errors);
            /// `(result, info)`: the solution of `self @ X = b` without
            /// raising, as `torch.linalg.solve_ex`.
            linalg_solve_ex(b: Same, left: bool = true, check_errors: bool = false) -> (Same, Tensor)
                => |x| tch::Tensor::f_linalg_solve_ex(x, b.raw(), left, check_errors);
            /// The solution of `A X = b` from `A`'s compact LU factorization
            /// (`self`) and its `pivots`, as `torch.linalg.lu_solve`.
            linalg_lu_solve(pivots: Tensor, b: Same, left: bool = true, adjoint: bool = false)
                => |x| tch::Tensor::f_linalg_lu_solve(x, pivots.raw(), b.raw(), left, adjoint);
            /// `(P, L, U)` with `A = P L U`, as `torch.linalg.lu`.
            linalg_lu(pivot: bool = true) -> (Same, Same, Same) => |x| tch::Tensor::f_linalg_lu(x, pivot);
            /// The product of the Householder reflections `(I - tau_i v_i
            /// v_i^H)` whose vectors are the columns of `self`, as
            /// `torch.linalg.householder_product`.
            linalg_householder_product(tau: Same) => |x| x.f_linalg_householder_product(tau.raw());
            /// The matrix norm of order `ord` (1, -1, 2, -2, inf, -inf) over
            /// the two dims `dim`, as `torch.linalg.matrix_norm(x, ord)`.
            linalg_matrix_norm(ord: f64, dim: Ints = (-2, -1), keepdim: bool = false)
                => |x| $crate::ffi::matrix_norm(x, Err(ord), dim, keepdim);
            /// The Frobenius (`"fro"`) or nuclear (`"nuc"`) norm over the two
            /// dims `dim`, as `torch.linalg.matrix_norm(x, ord)`.
            linalg_matrix_norm_str(ord: MatrixNormOrd = "fro", dim: Ints = (-2, -1), keepdim: bool = false)
                => |x| $crate::ffi::matrix_norm(x, Ok($crate::ops::nn::Mode::name(ord)), dim, keepdim);

            // ----- in place: change self's values (every handle on them
            // sees the change) and return self. On a leaf that requires
            // grad only under no_grad; a value backward needs may not be
            // changed (libtorch's version counters tell). -----
            /// `self += other`, in place.
            add_(other: Same) -> () [overloaded] => |x| x.shallow_clone().f_add_(other.raw()).map(drop);
            /// `self -= other`, in place.
            sub_(other: Same) -> () [overloaded] => |x| x.shallow_clone().f_sub_(other.raw()).map(drop);
            /// `self *= other`, in place.
            mul_(other: Same) -> () [overloaded] => |x| x.shallow_clone().f_mul_(other.raw()).map(drop);
            /// `self /= other`, in place.
            div_(other: Same) -> () [overloaded] => |x| x.shallow_clone().f_div_(other.raw()).map(drop);
            /// `self += scalar`, in place.
            add_scalar_(scalar: Scalar) -> () => |x| $crate::ffi::add_scalar_(x, scalar).map(drop);
            /// `self -= scalar`, in place.
            sub_scalar_(scalar: Scalar) -> () => |x| $crate::ffi::sub_scalar_(x, scalar).map(drop);
            /// `self *= scalar`, in place.
            mul_scalar_(scalar: Scalar) -> () => |x| $crate::ffi::mul_scalar_(x, scalar).map(drop);
            /// `self /= scalar`, in place.
            div_scalar_(scalar: Scalar) -> () => |x| $crate::ffi::div_scalar_(x, scalar).map(drop);
            /// `self //= other` (rounded down), in place.
            floor_divide_(other: Same) -> () [overloaded] => |x| x.shallow_clone().f_floor_divide_(other.raw()).map(drop);
            /// `self %= other` (the sign of `other`), in place.
            remainder_(other: Same) -> () [overloaded] => |x| x.shallow_clone().f_remainder_tensor_(other.raw()).map(drop);
            /// `self **= exponent`, in place.
            pow_(exponent: Same) -> () [overloaded] => |x| x.shallow_clone().f_pow_tensor_(exponent.raw()).map(drop);
            /// `self //= scalar`, in place.
            floor_divide_scalar_(scalar: Scalar) -> () => |x| $crate::ffi::floor_divide_scalar_(x, scalar).map(drop);
            /// `self %= scalar`, in place.
            remainder_scalar_(scalar: Scalar) -> () => |x| $crate::ffi::remainder_scalar_(x, scalar).map(drop);
            /// `self **= exponent`, in place.
            pow_scalar_(exponent: Scalar) -> () => |x| $crate::ffi::pow_scalar_(x, exponent).map(drop);
            /// Every element set to zero, in place.
            zero_() -> () => |x| x.shallow_clone().f_zero_().map(drop);
            /// Every element set to `value`, in place.
            fill_(value: Scalar) -> () => |x| $crate::ffi::fill_(x, value).map(drop);
            /// `src`'s values copied into self (broadcast, cast to self's
            /// dtype), in place.
            copy_(src: Same) -> () => |x| x.shallow_clone().f_copy_(src.raw());
            /// Values clamped into `[min, max]`, in place. Python:
            /// `clamp_(min=None, max=None)`, one bound `clamp_min_`/`clamp_max_`.
            clamp_(min: Scalar, max: Scalar) -> () [overloaded] => |x| $crate::ffi::clamp_(x, min, max).map(drop);
            /// Values raised to at least `min`, in place.
            clamp_min_(min: Scalar) -> () => |x| $crate::ffi::clamp_min_(x, min).map(drop);
            /// Values lowered to at most `max`, in place.
            clamp_max_(max: Scalar) -> () => |x| $crate::ffi::clamp_max_(x, max).map(drop);
            /// `value` where `mask` (Bool, broadcast to self) is true, in place.
            masked_fill_(mask: Tensor, value: Scalar) -> () => |x| {
                $crate::ops::check_mask("masked_fill_", mask.raw())?;
                $crate::ffi::masked_fill_(x, mask.raw(), value).map(drop)
            };
            /// `src`'s values written at the Int64 `index` along `dim`, in
            /// place. Python: `scatter_(dim, index, src)` with a tensor or a
            /// number (`scatter_value_`).
            scatter_(dim: i64, index: Tensor, src: Same) -> () [overloaded]
                => |x| x.shallow_clone().f_scatter_(dim, index.raw(), src.raw()).map(drop);
            /// `value` written at the Int64 `index` along `dim`, in place.
            scatter_value_(dim: i64, index: Tensor, value: Scalar) -> () => |x| {
                let src = $crate::ops::filled_like(x, index.raw(), value.into())?;
                Ok::<_, $crate::error::Failure>(x.shallow_clone().f_scatter_(dim, index.raw(), &src).map(drop)?)
            };
            /// `scatter_with`, in place: `scatter_(dim, index, src, reduce=)`.
            scatter_with_(dim: i64, index: Tensor, src: Same, reduce: ScatterMode) -> ()
                => |x| x.shallow_clone().f_scatter_reduce_(dim, index.raw(), src.raw(), $crate::ops::nn::Mode::name(reduce)).map(drop);
            /// `scatter_value_with`, in place.
            scatter_value_with_(dim: i64, index: Tensor, value: Scalar, reduce: ScatterMode) -> ()
                => |x| {
                let src = $crate::ops::filled_like(x, index.raw(), value.into())?;
                let mode = $crate::ops::nn::Mode::name(reduce);
                Ok::<_, $crate::error::Failure>(x.shallow_clone().f_scatter_reduce_(dim, index.raw(), &src, mode).map(drop)?)
            };
            /// `src` added at the Int64 `index` along `dim`, in place.
            scatter_add_(dim: i64, index: Tensor, src: Same) -> ()
                => |x| x.shallow_clone().f_scatter_add_(dim, index.raw(), src.raw()).map(drop);
            /// `alpha * source` added at the entries `index` of `dim`, in place.
            index_add_(dim: i64, index: Tensor, source: Same, alpha: Scalar = 1) -> () => |x| {
                let source = $crate::ops::scaled(source.raw(), alpha.into())?;
                Ok::<_, $crate::error::Failure>(x.shallow_clone().f_index_add_(dim, index.raw(), &source).map(drop)?)
            };
            /// The entries `index` of `dim` set to `value`, in place.
            index_fill_(dim: i64, index: Tensor, value: Scalar) -> () => |x| {
                let value = $crate::ops::scalar_tensor(value.into(), x.f_kind()?, x.device())?;
                Ok::<_, $crate::error::Failure>(x.shallow_clone().f_index_fill_int_tensor_(dim, index.raw(), &value).map(drop)?)
            };
            /// `put`, in place.
            put_(index: Tensor, source: Same, accumulate: bool = false) -> ()
                => |x| x.shallow_clone().f_put_(index.raw(), source.raw(), accumulate).map(drop);
            /// The entries `index` of `dim` replaced by `source`'s, in place.
            index_copy_(dim: i64, index: Tensor, source: Same) -> ()
                => |x| x.shallow_clone().f_index_copy_(dim, index.raw(), source.raw()).map(drop);
            /// `source`'s leading values written where `mask` is true, in place.
            masked_scatter_(mask: Tensor, source: Same) -> ()
                => |x| x.shallow_clone().f_masked_scatter_(mask.raw(), source.raw()).map(drop);
            /// `leaky_relu`, in place.
            leaky_relu_(negative_slope: f64 = 0.01) -> () => |x| $crate::ffi::leaky_relu_(x, negative_slope).map(drop);
            /// `elu`, in place.
            elu_(alpha: f64 = 1.0) -> () => |x| $crate::ffi::elu_(x, alpha).map(drop);
            /// `relu`, in place.
            relu_() -> () => |x| x.shallow_clone().f_relu_().map(drop);
            /// `sigmoid`, in place.
            sigmoid_() -> () => |x| x.shallow_clone().f_sigmoid_().map(drop);
            /// `tanh`, in place.
            tanh_() -> () => |x| x.shallow_clone().f_tanh_().map(drop);
            /// `silu`, in place.
            silu_() -> () => |x| x.shallow_clone().f_silu_().map(drop);
            /// `mish`, in place.
            mish_() -> () => |x| x.shallow_clone().f_mish_().map(drop);
            /// `selu`, in place.
            selu_() -> () => |x| x.shallow_clone().f_selu_().map(drop);
            /// `hardsigmoid`, in place.
            hardsigmoid_() -> () => |x| x.shallow_clone().f_hardsigmoid_().map(drop);
            /// `hardswish`, in place.
            hardswish_() -> () => |x| x.shallow_clone().f_hardswish_().map(drop);
            /// `exp`, in place.
            exp_() -> () => |x| x.shallow_clone().f_exp_().map(drop);
            /// `exp2`, in place.
            exp2_() -> () => |x| x.shallow_clone().f_exp2_().map(drop);
            /// `log`, in place.
            log_() -> () => |x| x.shallow_clone().f_log_().map(drop);
            /// `log2`, in place.
            log2_() -> () => |x| x.shallow_clone().f_log2_().map(drop);
            /// `log10`, in place.
            log10_() -> () => |x| x.shallow_clone().f_log10_().map(drop);
            /// `log1p`, in place.
            log1p_() -> () => |x| x.shallow_clone().f_log1p_().map(drop);
            /// `expm1`, in place.
            expm1_() -> () => |x| x.shallow_clone().f_expm1_().map(drop);
            /// `sqrt`, in place.
            sqrt_() -> () => |x| x.shallow_clone().f_sqrt_().map(drop);
            /// `rsqrt`, in place.
            rsqrt_() -> () => |x| x.shallow_clone().f_rsqrt_().map(drop);
            /// `square`, in place.
            square_() -> () => |x| x.shallow_clone().f_square_().map(drop);
            /// `abs`, in place.
            abs_() -> () => |x| x.shallow_clone().f_abs_().map(drop);
            /// `neg`, in place.
            neg_() -> () => |x| x.shallow_clone().f_neg_().map(drop);
            /// `sign`, in place.
            sign_() -> () => |x| x.shallow_clone().f_sign_().map(drop);
            /// `sin`, in place.
            sin_() -> () => |x| x.shallow_clone().f_sin_().map(drop);
            /// `cos`, in place.
            cos_() -> () => |x| x.shallow_clone().f_cos_().map(drop);
            /// `tan`, in place.
            tan_() -> () => |x| x.shallow_clone().f_tan_().map(drop);
            /// `asin`, in place.
            asin_() -> () => |x| x.shallow_clone().f_asin_().map(drop);
            /// `acos`, in place.
            acos_() -> () => |x| x.shallow_clone().f_acos_().map(drop);
            /// `atan`, in place.
            atan_() -> () => |x| x.shallow_clone().f_atan_().map(drop);
            /// `sinh`, in place.
            sinh_() -> () => |x| x.shallow_clone().f_sinh_().map(drop);
            /// `cosh`, in place.
            cosh_() -> () => |x| x.shallow_clone().f_cosh_().map(drop);
            /// `asinh`, in place.
            asinh_() -> () => |x| x.shallow_clone().f_asinh_().map(drop);
            /// `acosh`, in place.
            acosh_() -> () => |x| x.shallow_clone().f_acosh_().map(drop);
            /// `atanh`, in place.
            atanh_() -> () => |x| x.shallow_clone().f_atanh_().map(drop);
            /// `erf`, in place.
            erf_() -> () => |x| x.shallow_clone().f_erf_().map(drop);
            /// `erfc`, in place.
            erfc_() -> () => |x| x.shallow_clone().f_erfc_().map(drop);
            /// `erfinv`, in place.
            erfinv_() -> () => |x| x.shallow_clone().f_erfinv_().map(drop);
            /// `lgamma`, in place.
            lgamma_() -> () => |x| x.shallow_clone().f_lgamma_().map(drop);
            /// `digamma`, in place.
            digamma_() -> () => |x| x.shallow_clone().f_digamma_().map(drop);
            /// `floor`, in place.
            floor_() -> () => |x| x.shallow_clone().f_floor_().map(drop);
            /// `ceil`, in place.
            ceil_() -> () => |x| x.shallow_clone().f_ceil_().map(drop);
            /// `round`, in place.
            round_() -> () => |x| x.shallow_clone().f_round_().map(drop);
            /// `trunc`, in place.
            trunc_() -> () => |x| x.shallow_clone().f_trunc_().map(drop);
            /// `frac`, in place.
            frac_() -> () => |x| x.shallow_clone().f_frac_().map(drop);
            /// `reciprocal`, in place.
            reciprocal_() -> () => |x| x.shallow_clone().f_reciprocal_().map(drop);
            /// `self += weight * (end - self)`, in place (a tensor weight).
            /// Python: `lerp_(end, weight)` with a number or a tensor.
            lerp_(end: Same, weight: Same) -> () [overloaded]
                => |x| x.shallow_clone().f_lerp_tensor_(end.raw(), weight.raw()).map(drop);
            /// `self += weight * (end - self)`, in place (a number weight).
            lerp_scalar_(end: Same, weight: Scalar) -> () => |x| $crate::ffi::lerp_scalar_(x, end.raw(), weight).map(drop);
            /// `self += value * tensor1 * tensor2`, in place.
            addcmul_(tensor1: Same, tensor2: Same, value: Scalar = 1) -> ()
                => |x| $crate::ffi::addcmul_(x, tensor1.raw(), tensor2.raw(), value).map(drop);
            /// `self += value * tensor1 / tensor2`, in place.
            addcdiv_(tensor1: Same, tensor2: Same, value: Scalar = 1) -> ()
                => |x| {
                    $crate::ops::check_addcdiv(tensor1.raw(), tensor2.raw())?;
                    $crate::ffi::addcdiv_(x, tensor1.raw(), tensor2.raw(), value).map(drop)
                };
            /// The main diagonal set to `fill_value`, in place, as
            /// `Tensor.fill_diagonal_`: of a matrix, or of a tensor whose
            /// dims have one size; with `wrap`, a tall matrix's diagonal
            /// starts again every `width + 1` rows (numpy's
            /// `fill_diagonal`).
            fill_diagonal_(fill_value: Scalar, wrap: bool = false) -> ()
                => |x| {
                    // libtorch's own words are "dimensions must larger than 1".
                    if x.dim() < 2 {
                        let message = format!("needs at least 2 dims, got {}", x.dim());
                        return Err($crate::ops::invalid($crate::ErrorKind::Shape, message));
                    }
                    $crate::ffi::fill_diagonal_(x, fill_value, wrap).map(drop)
                };
            /// Values drawn uniformly from `[low, high)`, in place, from
            /// libtorch's default generator (`manual_seed` seeds it).
            uniform_(low: f64 = 0.0, high: f64 = 1.0) -> () => |x| x.shallow_clone().f_uniform_(low, high).map(drop);
            /// Values drawn from a normal distribution, in place, from
            /// libtorch's default generator.
            normal_(mean: f64 = 0.0, std: f64 = 1.0) -> () => |x| x.shallow_clone().f_normal_(mean, std).map(drop);
            /// Values drawn from an exponential distribution of rate
            /// `lambd`, in place, as `Tensor.exponential_`.
            exponential_(lambd: f64 = 1.0) -> () => |x| x.shallow_clone().f_exponential_(lambd).map(drop);
            /// 1 with probability `p`, else 0, in place, as `Tensor.bernoulli_(p)`.
            bernoulli_(p: f64 = 0.5) -> () => |x| {
                $crate::ops::nn::check_probability("bernoulli_", p)?;
                Ok::<_, $crate::error::Failure>(x.shallow_clone().f_bernoulli_float_(p).map(drop)?)
            };
            /// Values drawn from a Cauchy distribution, in place, as `Tensor.cauchy_`.
            cauchy_(median: f64 = 0.0, sigma: f64 = 1.0) -> () => |x| x.shallow_clone().f_cauchy_(median, sigma).map(drop);
            /// Values whose log is normal with `mean` and `std`, in place,
            /// as `Tensor.log_normal_`.
            log_normal_(mean: f64 = 1.0, std: f64 = 2.0) -> () => |x| x.shallow_clone().f_log_normal_(mean, std).map(drop);
            /// The number of trials to the first success of probability
            /// `p`, in place, as `Tensor.geometric_`.
            geometric_(p: f64) -> () => |x| {
                if !(p > 0.0 && p < 1.0) {
                    let message = format!("p must be in (0, 1), got {p}");
                    return Err($crate::ops::invalid($crate::ErrorKind::Argument, message));
                }
                Ok(x.shallow_clone().f_geometric_(p).map(drop)?)
            };
            /// The values above diagonal `diagonal` zeroed, in place, as `Tensor.tril_`.
            tril_(diagonal: i64 = 0) -> () => |x| x.shallow_clone().f_tril_(diagonal).map(drop);
            /// The values below diagonal `diagonal` zeroed, in place, as `Tensor.triu_`.
            triu_(diagonal: i64 = 0) -> () => |x| x.shallow_clone().f_triu_(diagonal).map(drop);
            /// `scatter_reduce`, in place.
            scatter_reduce_(dim: i64, index: Tensor, src: Same, reduce: ScatterReduceMode, include_self: bool = true) -> ()
                => |x| x.shallow_clone().f_internal_scatter_reduce_(dim, index.raw(), src.raw(), $crate::ops::nn::Mode::name(reduce), include_self).map(drop);
            /// `index_reduce`, in place.
            index_reduce_(dim: i64, index: Tensor, source: Same, reduce: IndexReduceMode, include_self: bool = true) -> ()
                => |x| x.shallow_clone().f_index_reduce_(dim, index.raw(), source.raw(), $crate::ops::nn::Mode::name(reduce), include_self).map(drop);
            /// The dim `dim` inserted, in place (the shape changes; the
            /// values do not), as `Tensor.unsqueeze_`.
            unsqueeze_(dim: i64) -> () => |x| x.shallow_clone().f_unsqueeze_(dim).map(drop);
            /// The dims of size 1 removed (only `dim` when given), in place,
            /// as `Tensor.squeeze_`.
            squeeze_(dim: Option<i64> = None) -> () => |x| match dim {
                Some(dim) => x.shallow_clone().f_squeeze_dim_(dim).map(drop),
                None => x.shallow_clone().f_squeeze_().map(drop),
            };
            /// Dims `dim0` and `dim1` swapped, in place, as `Tensor.transpose_`.
            transpose_(dim0: i64, dim1: i64) -> () => |x| x.shallow_clone().f_transpose_(dim0, dim1).map(drop);
            /// The matrix transposed, in place, as `Tensor.t_`.
            t_() -> () => |x| x.shallow_clone().f_t_().map(drop);
            /// `sinc`, in place.
            sinc_() -> () => |x| x.shallow_clone().f_sinc_().map(drop);
            /// `i0`, in place.
            i0_() -> () => |x| x.shallow_clone().f_i0_().map(drop);
            /// `deg2rad`, in place.
            deg2rad_() -> () => |x| x.shallow_clone().f_deg2rad_().map(drop);
            /// `rad2deg`, in place.
            rad2deg_() -> () => |x| x.shallow_clone().f_rad2deg_().map(drop);
            /// `sgn`, in place.
            sgn_() -> () => |x| x.shallow_clone().f_sgn_().map(drop);
            /// `logical_not`, in place.
            logical_not_() -> () => |x| x.shallow_clone().f_logical_not_().map(drop);
            /// `atan2`, in place.
            atan2_(other: Same) -> () => |x| x.shallow_clone().f_atan2_(other.raw()).map(drop);
            /// `hypot`, in place.
            hypot_(other: Same) -> () => |x| x.shallow_clone().f_hypot_(other.raw()).map(drop);
            /// `copysign`, in place.
            copysign_(other: Same) -> () => |x| x.shallow_clone().f_copysign_(other.raw()).map(drop);
            /// `xlogy`, in place.
            xlogy_(other: Same) -> () => |x| x.shallow_clone().f_xlogy_(other.raw()).map(drop);
            /// `heaviside`, in place.
            heaviside_(other: Same) -> () => |x| x.shallow_clone().f_heaviside_(other.raw()).map(drop);
            /// `eq` (1 where equal, else 0, in self's dtype), in place.
            /// Python: `eq_(other)`, a tensor or a number (`eq_scalar_`).
            eq_(other: Same) -> () [overloaded] => |x| x.shallow_clone().f_eq_tensor_(other.raw()).map(drop);
            /// `eq_` with a number.
            eq_scalar_(scalar: Scalar) -> () => |x| $crate::ffi::eq_scalar_(x, scalar).map(drop);
            /// `ne`, in place (`ne_scalar_` with a number).
            ne_(other: Same) -> () [overloaded] => |x| x.shallow_clone().f_ne_tensor_(other.raw()).map(drop);
            /// `ne_` with a number.
            ne_scalar_(scalar: Scalar) -> () => |x| $crate::ffi::ne_scalar_(x, scalar).map(drop);
            /// `lt`, in place (`lt_scalar_` with a number).
            lt_(other: Same) -> () [overloaded] => |x| x.shallow_clone().f_lt_tensor_(other.raw()).map(drop);
            /// `lt_` with a number.
            lt_scalar_(scalar: Scalar) -> () => |x| $crate::ffi::lt_scalar_(x, scalar).map(drop);
            /// `le`, in place (`le_scalar_` with a number).
            le_(other: Same) -> () [overloaded] => |x| x.shallow_clone().f_le_tensor_(other.raw()).map(drop);
            /// `le_` with a number.
            le_scalar_(scalar: Scalar) -> () => |x| $crate::ffi::le_scalar_(x, scalar).map(drop);
            /// `gt`, in place (`gt_scalar_` with a number).
            gt_(other: Same) -> () [overloaded] => |x| x.shallow_clone().f_gt_tensor_(other.raw()).map(drop);
            /// `gt_` with a number.
            gt_scalar_(scalar: Scalar) -> () => |x| $crate::ffi::gt_scalar_(x, scalar).map(drop);
            /// `ge`, in place (`ge_scalar_` with a number).
            ge_(other: Same) -> () [overloaded] => |x| x.shallow_clone().f_ge_tensor_(other.raw()).map(drop);
            /// `ge_` with a number.
            ge_scalar_(scalar: Scalar) -> () => |x| $crate::ffi::ge_scalar_(x, scalar).map(drop);
            /// `bitwise_and`, in place. Python: also a number, and `&=`.
            bitwise_and_(other: Same) -> () [overloaded] => |x| x.shallow_clone().f_bitwise_and_tensor_(other.raw()).map(drop);
            /// `bitwise_and_` with a number.
            bitwise_and_scalar_(scalar: Scalar) -> () => |x| $crate::ffi::bitwise_and_scalar_(x, scalar).map(drop);
            /// `bitwise_or`, in place. Python: also a number, and `|=`.
            bitwise_or_(other: Same) -> () [overloaded] => |x| x.shallow_clone().f_bitwise_or_tensor_(other.raw()).map(drop);
            /// `bitwise_or_` with a number.
            bitwise_or_scalar_(scalar: Scalar) -> () => |x| $crate::ffi::bitwise_or_scalar_(x, scalar).map(drop);
            /// `bitwise_xor`, in place. Python: also a number, and `^=`.
            bitwise_xor_(other: Same) -> () [overloaded] => |x| x.shallow_clone().f_bitwise_xor_tensor_(other.raw()).map(drop);
            /// `bitwise_xor_` with a number.
            bitwise_xor_scalar_(scalar: Scalar) -> () => |x| $crate::ffi::bitwise_xor_scalar_(x, scalar).map(drop);
            /// `bitwise_left_shift`, in place. Python: also a number, and `<<=`.
            bitwise_left_shift_(other: Same) -> () [overloaded] => |x| x.shallow_clone().f_bitwise_left_shift_(other.raw()).map(drop);
            /// `bitwise_left_shift_` by a number.
            bitwise_left_shift_scalar_(scalar: Scalar) -> () => |x| $crate::ffi::bitwise_left_shift_scalar_(x, scalar).map(drop);
            /// `bitwise_right_shift`, in place. Python: also a number, and `>>=`.
            bitwise_right_shift_(other: Same) -> () [overloaded] => |x| x.shallow_clone().f_bitwise_right_shift_(other.raw()).map(drop);
            /// `bitwise_right_shift_` by a number.
            bitwise_right_shift_scalar_(scalar: Scalar) -> () => |x| $crate::ffi::bitwise_right_shift_scalar_(x, scalar).map(drop);
            /// `bitwise_not`, in place.
            bitwise_not_() -> () => |x| x.shallow_clone().f_bitwise_not_().map(drop);
            /// `fmod`, in place. Python: also a number (`fmod_scalar_`).
            fmod_(other: Same) -> () [overloaded] => |x| x.shallow_clone().f_fmod_tensor_(other.raw()).map(drop);
            /// `fmod_` by a number.
            fmod_scalar_(scalar: Scalar) -> () => |x| $crate::ffi::fmod_scalar_(x, scalar).map(drop);
            /// `float_power`, in place (self must be float64 or complex128).
            /// Python: also a number (`float_power_scalar_`).
            float_power_(exponent: Same) -> () [overloaded] => |x| x.shallow_clone().f_float_power_tensor_(exponent.raw()).map(drop);
            /// `float_power_` to a number.
            float_power_scalar_(exponent: Scalar) -> () => |x| $crate::ffi::float_power_scalar_(x, exponent).map(drop);
            /// `gcd`, in place.
            gcd_(other: Same) -> () => |x| x.shallow_clone().f_gcd_(other.raw()).map(drop);
            /// `lcm`, in place.
            lcm_(other: Same) -> () => |x| x.shallow_clone().f_lcm_(other.raw()).map(drop);
            /// `ldexp`, in place.
            ldexp_(other: Same) -> () => |x| x.shallow_clone().f_ldexp_(other.raw()).map(drop);
            /// `nextafter`, in place.
            nextafter_(other: Same) -> () => |x| x.shallow_clone().f_nextafter_(other.raw()).map(drop);
            /// `logical_and`, in place.
            logical_and_(other: Same) -> () => |x| x.shallow_clone().f_logical_and_(other.raw()).map(drop);
            /// `logical_or`, in place.
            logical_or_(other: Same) -> () => |x| x.shallow_clone().f_logical_or_(other.raw()).map(drop);
            /// `logical_xor`, in place.
            logical_xor_(other: Same) -> () => |x| x.shallow_clone().f_logical_xor_(other.raw()).map(drop);
            /// `igamma`, in place.
            igamma_(other: Same) -> () => |x| x.shallow_clone().f_igamma_(other.raw()).map(drop);
            /// `igammac`, in place.
            igammac_(other: Same) -> () => |x| x.shallow_clone().f_igammac_(other.raw()).map(drop);
            /// `logit`, in place.
            logit_(eps: Option<f64> = None) -> () => |x| x.shallow_clone().f_logit_(eps).map(drop);
            /// `polygamma`, in place.
            polygamma_(n: i64) -> () => |x| x.shallow_clone().f_polygamma_(n).map(drop);
            /// `mvlgamma`, in place.
            mvlgamma_(p: i64) -> () => |x| x.shallow_clone().f_mvlgamma_(p).map(drop);
            /// `nan_to_num`, in place.
            nan_to_num_(nan: f64 = 0.0, posinf: Option<f64> = None, neginf: Option<f64> = None) -> ()
                => |x| x.shallow_clone().f_nan_to_num_(nan, posinf, neginf).map(drop);
            /// `cumsum`, in place.
            cumsum_(dim: i64) -> () => |x| x.shallow_clone().f_cumsum_(dim, None::<tch::Kind>).map(drop);
            /// `cumprod`, in place.
            cumprod_(dim: i64) -> () => |x| x.shallow_clone().f_cumprod_(dim, None::<tch::Kind>).map(drop);
            /// `swapaxes` (`transpose`), in place.
            swapaxes_(axis0: i64, axis1: i64) -> () => |x| x.shallow_clone().f_swapaxes_(axis0, axis1).map(drop);
            /// `addmm`, in place.
            addmm_(mat1: Same, mat2: Same, beta: Scalar = 1, alpha: Scalar = 1) -> ()
                => |x| $crate::ffi::addmm_(x, mat1.raw(), mat2.raw(), beta, alpha).map(drop);
            /// `baddbmm`, in place.
            baddbmm_(batch1: Same, batch2: Same, beta: Scalar = 1, alpha: Scalar = 1) -> ()
                => |x| $crate::ffi::baddbmm_(x, batch1.raw(), batch2.raw(), beta, alpha).map(drop);
            /// `addmv`, in place.
            addmv_(mat: Same, vec: Same, beta: Scalar = 1, alpha: Scalar = 1) -> ()
                => |x| $crate::ffi::addmv_(x, mat.raw(), vec.raw(), beta, alpha).map(drop);
            /// `addr`, in place.
            addr_(vec1: Same, vec2: Same, beta: Scalar = 1, alpha: Scalar = 1) -> ()
                => |x| $crate::ffi::addr_(x, vec1.raw(), vec2.raw(), beta, alpha).map(drop);
            /// `addbmm`, in place.
            addbmm_(batch1: Same, batch2: Same, beta: Scalar = 1, alpha: Scalar = 1) -> ()
                => |x| $crate::ffi::addbmm_(x, batch1.raw(), batch2.raw(), beta, alpha).map(drop);
            /// `renorm`, in place.
            renorm_(p: Scalar, dim: i64, maxnorm: Scalar) -> () => |x| $crate::ffi::renorm_(x, p, dim, maxnorm).map(drop);
            /// Integers drawn uniformly from `[from, to)`, in place, as
            /// `Tensor.random_(from, to)`; `random_(to)` draws from `[0, to)`
            /// and `random_()` from `[0, 2^mantissa]` (of the dtype).
            /// Python: `random_(from=0, to=None)`, or `random_(to)`.
            random_(from: i64 = 0, to: Option<i64> = None) -> () [overloaded] => |x| match (from, to) {
                (0, None) => x.shallow_clone().f_random_().map(drop),
                (from, to) => x.shallow_clone().f_random_from_(from, to).map(drop),
            };
        }
    };
}

/// Calls `$expand! { $ctx declarations... }` with the Tensor-only helpers:
/// index results and sampling. None is differentiable.
macro_rules! tensor_ops {
    ($expand:ident $ctx:tt) => {
        $expand! { $ctx
            /// Int64 indices of the largest values along `dim` (the first of
            /// equal ones).
            argmax(dim: i64) -> Tensor [overloaded] => |x| x.f_argmax(dim, false);
            /// Int64 indices of the smallest values along `dim` (the first of
            /// equal ones).
            argmin(dim: i64) -> Tensor [overloaded] => |x| x.f_argmin(dim, false);
            /// The distinct values, sorted, as `torch.unique`: of the
            /// flattened tensor, or the distinct slices along `dim`; then the
            /// index of each element's (slice's) value among them and each
            /// value's count, both empty unless asked for. Python: one tensor,
            /// or a tuple of those asked for.
            unique(sorted: bool = true, return_inverse: bool = false, return_counts: bool = false, dim: Option<i64> = None)
                -> [Same] [overloaded]
                => |x| $crate::ops::unique(x, sorted, return_inverse, return_counts, dim);
            /// The values with each run of equal consecutive values (slices
            /// along `dim`) collapsed to one, as `torch.unique_consecutive`;
            /// then the index of each element's run and each run's length,
            /// both empty unless asked for. Python: one tensor, or a tuple of
            /// those asked for.
            unique_consecutive(return_inverse: bool = false, return_counts: bool = false, dim: Option<i64> = None)
                -> [Same] [overloaded]
                => |x| Ok::<_, tch::TchError>({
                    let (values, inverse, counts) = x.f_unique_consecutive(return_inverse, return_counts, dim)?;
                    vec![values, inverse, counts]
                });
            /// `(hist, bin_edges)`: the counts (or, with `weight`, the summed
            /// weights; with `density`, a density) of `bins` equal bins
            /// between `low` and `high` (both None: the values' range), and
            /// the `bins + 1` edges, as `torch.histogram`. Python:
            /// `histogram(bins=100, *, range=None, weight=None, density=False)`.
            histogram(bins: i64 = 100, low: Option<f64> = None, high: Option<f64> = None, weight: Option<Tensor> = None, density: bool = false)
                -> (Same, Tensor) [overloaded]
                => |x| $crate::ffi::histogram(x, bins, low.zip(high), weight.map(|w| w.raw()), density);
            /// `histogram` over the bins whose edges are the increasing 1-D
            /// `bins`, as `torch.histogram(self, bins=tensor)`. Python:
            /// `histogram(bins=edges, ...)`.
            histogram_edges(bins: Tensor, weight: Option<Tensor> = None, density: bool = false)
                -> (Same, Tensor)
                => |x| x.f_histogram(bins.raw(), weight.map(|w| w.raw()), density);
            /// A histogram of the values: `bins` equal bins between `min` and
            /// `max` (both 0: the values' smallest and largest), values
            /// outside ignored, as `torch.histc`.
            histc(bins: i64 = 100, min: Scalar = 0, max: Scalar = 0) -> Tensor
                => |x| $crate::ffi::histc(x, bins, min, max);
            /// `num_samples` Int64 indices drawn from the rows of `self`
            /// (non-negative weights), as `torch.multinomial`.
            multinomial(num_samples: i64, replacement: bool = false) -> Tensor
                => |x| x.f_multinomial(num_samples, replacement);
            /// 1 with probability `self`, else 0 (same dtype), as
            /// `torch.bernoulli`.
            bernoulli() -> Tensor => |x| x.f_bernoulli();
            /// Counts drawn from `Binomial(self, prob)`: `self` trials (whole,
            /// non-negative) of success probability `prob`, as
            /// `torch.binomial(count, prob)`.
            binomial(prob: Tensor) -> Tensor => |x| tch::Tensor::f_binomial(x, prob.raw());
            /// Counts drawn from `Poisson(self)` (non-negative rates), as
            /// `torch.poisson`.
            poisson() -> Tensor => |x| x.f_poisson();
            /// Int64 class indices as one-hot rows (a new last dim of
            /// `num_classes`; -1: the largest index + 1), as `F.one_hot`.
            one_hot(num_classes: i64 = (-1)) -> Tensor => |x| {
                $crate::ops::check_indices("one_hot", x)?;
                Ok::<_, $crate::error::Failure>(x.f_one_hot(num_classes)?)
            };
        }
    };
}

/// Calls `$expand! { $ctx declarations... }` with every join of a sequence
/// of tensors that takes nothing else (`torch.hstack(tensors)`): `name =>
/// tch_function;`, expanded as a function of Tensor and Variable and as the
/// Python static method `flodl.<name>` calls.
macro_rules! sequence_joins {
    ($expand:ident $ctx:tt) => {
        $expand! { $ctx
            /// `tensors` side by side: joined along dim 1 (dim 0 for 1-d
            /// ones), as `torch.hstack`.
            hstack => f_hstack;
            /// `tensors` one on top of another: each made at least 2-d, then
            /// joined along dim 0, as `torch.vstack`.
            vstack => f_vstack;
            /// `tensors` in depth: each made at least 3-d, then joined along
            /// dim 2, as `torch.dstack`.
            dstack => f_dstack;
            /// `tensors` as columns: 1-d ones become columns, then all are
            /// joined along dim 1, as `torch.column_stack`.
            column_stack => f_column_stack;
            /// The (at most 2-d) `tensors` as the blocks of a block-diagonal
            /// matrix, as `torch.block_diag`.
            block_diag => f_block_diag;
            /// Every combination of the 1-d `tensors`' values, one row each,
            /// as `torch.cartesian_prod`.
            cartesian_prod => f_cartesian_prod;
            /// The product of the matrices `tensors` (the first and last may be
            /// vectors), multiplied in the cheapest order, as `torch.linalg.multi_dot`.
            multi_dot => f_linalg_multi_dot;
        }
    };
}

pub(crate) use {method_ops, sequence_joins, tensor_ops};
