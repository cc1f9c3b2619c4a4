//! The method half of the op catalogue (SPEC §5): one `op!` line per op,
//! expanded as methods of both `Tensor` and `Variable`. The nn group is in
//! `nn.rs`, as free functions.

/// Expands the op table as methods of `$T` (an [`Operand`](super::Operand)).
macro_rules! impl_ops {
    ($T:ident) => {
        impl $T {
            // --- arithmetic ---
            $crate::ops::op!(/// `self + other`, broadcasting.
                add(other: &$T) [other] |x| x.f_add(other.raw()));
            $crate::ops::op!(/// `self - other`, broadcasting.
                sub(other: &$T) [other] |x| x.f_sub(other.raw()));
            $crate::ops::op!(/// `self * other` elementwise, broadcasting.
                mul(other: &$T) [other] |x| x.f_mul(other.raw()));
            $crate::ops::op!(/// `self / other` elementwise, broadcasting (true division).
                div(other: &$T) [other] |x| x.f_div(other.raw()));
            $crate::ops::op!(/// Matrix product with `torch.matmul`'s batching and broadcasting.
                matmul(other: &$T) [other]
                check $crate::ops::check_matmul(x, other.raw());
                |x| x.f_matmul(other.raw()));
            $crate::ops::op!(/// `self * scalar`.
                mul_scalar(scalar: f64) [] |x| $crate::ffi::mul_scalar(x, scalar));
            $crate::ops::op!(/// `self + scalar`.
                add_scalar(scalar: f64) [] |x| $crate::ffi::add_scalar(x, scalar));
            $crate::ops::op!(/// `self / scalar`.
                div_scalar(scalar: f64) [] |x| $crate::ffi::div_scalar(x, scalar));
            $crate::ops::op!(/// `-self`.
                neg() [] |x| x.f_neg());

            // --- activation ---
            $crate::ops::op!(/// `max(self, 0)` elementwise.
                relu() [] |x| x.f_relu());
            $crate::ops::op!(/// `1 / (1 + exp(-self))` elementwise.
                sigmoid() [] |x| x.f_sigmoid());
            $crate::ops::op!(/// Hyperbolic tangent, elementwise.
                tanh() [] |x| x.f_tanh());
            $crate::ops::op!(/// GELU with the exact erf form (`F.gelu(x)`).
                gelu() [] |x| x.f_gelu("none"));
            $crate::ops::op!(/// `self * sigmoid(self)` (`F.silu`).
                silu() [] |x| x.f_silu());
            $crate::ops::op!(/// `self * tanh(softplus(self))` (`F.mish`).
                mish() [] |x| x.f_mish());
            $crate::ops::op!(/// Scaled ELU with PyTorch's constants (`F.selu`).
                selu() [] |x| x.f_selu());
            $crate::ops::op!(/// `F.hardswish`.
                hardswish() [] |x| x.f_hardswish());
            $crate::ops::op!(/// `F.hardsigmoid`.
                hardsigmoid() [] |x| x.f_hardsigmoid());
            $crate::ops::op!(/// `self` where positive, `negative_slope * self` elsewhere.
                leaky_relu(negative_slope: f64) [] |x| $crate::ffi::leaky_relu(x, negative_slope));
            $crate::ops::op!(/// `self` where positive, `alpha * (exp(self) - 1)` elsewhere.
                elu(alpha: f64) [] |x| $crate::ffi::elu(x, alpha));
            $crate::ops::op!(/// `log(1 + exp(beta * self)) / beta`, linear above `threshold`.
                softplus(beta: f64, threshold: f64) [] |x| $crate::ffi::softplus(x, beta, threshold));
            $crate::ops::op!(/// `self` where positive, `weight * self` elsewhere (one weight, or one per channel of dim 1).
                prelu(weight: &$T) [weight] |x| x.f_prelu(weight.raw()));
            $crate::ops::op!(/// Softmax along `dim`.
                softmax(dim: i32) [] |x| x.f_softmax(i64::from(dim), None::<tch::Kind>));
            $crate::ops::op!(/// Log of the softmax along `dim`, computed stably.
                log_softmax(dim: i32) [] |x| x.f_log_softmax(i64::from(dim), None::<tch::Kind>));

            // --- math ---
            $crate::ops::op!(/// `e ** self`, elementwise.
                exp() [] |x| x.f_exp());
            $crate::ops::op!(/// Natural logarithm, elementwise.
                log() [] |x| x.f_log());
            $crate::ops::op!(/// Square root, elementwise.
                sqrt() [] |x| x.f_sqrt());
            $crate::ops::op!(/// Absolute value, elementwise.
                abs() [] |x| x.f_abs());
            $crate::ops::op!(/// Sine, elementwise.
                sin() [] |x| x.f_sin());
            $crate::ops::op!(/// Cosine, elementwise.
                cos() [] |x| x.f_cos());
            $crate::ops::op!(/// -1, 0 or 1 by the sign of each element (gradient zero).
                sign() [] |x| x.f_sign());
            $crate::ops::op!(/// Largest integer <= each element (gradient zero).
                floor() [] |x| x.f_floor());
            $crate::ops::op!(/// Smallest integer >= each element (gradient zero).
                ceil() [] |x| x.f_ceil());
            $crate::ops::op!(/// Nearest integer, halves to even (gradient zero).
                round() [] |x| x.f_round());
            $crate::ops::op!(/// `1 / self`, elementwise.
                reciprocal() [] |x| x.f_reciprocal());
            $crate::ops::op!(/// `log(1 + self)`, accurate near 0.
                log1p() [] |x| x.f_log1p());
            $crate::ops::op!(/// `exp(self) - 1`, accurate near 0.
                expm1() [] |x| x.f_expm1());
            $crate::ops::op!(/// Base-2 logarithm, elementwise.
                log2() [] |x| x.f_log2());
            $crate::ops::op!(/// Base-10 logarithm, elementwise.
                log10() [] |x| x.f_log10());
            $crate::ops::op!(/// `self ** exponent`, elementwise.
                pow_scalar(exponent: f64) [] |x| $crate::ffi::pow_scalar(x, exponent));
            $crate::ops::op!(/// Each element limited to `[min, max]`.
                clamp(min: f64, max: f64) [] |x| $crate::ffi::clamp(x, min, max));
            $crate::ops::op!(/// Each element raised to at least `min`.
                clamp_min(min: f64) [] |x| $crate::ffi::clamp_min(x, min));
            $crate::ops::op!(/// Each element lowered to at most `max`.
                clamp_max(max: f64) [] |x| $crate::ffi::clamp_max(x, max));
            $crate::ops::op!(/// Angle of `(other, self)` as `atan2(self, other)`, broadcasting.
                atan2(other: &$T) [other] |x| x.f_atan2(other.raw()));
            $crate::ops::op!(/// Elementwise maximum, broadcasting.
                maximum(other: &$T) [other] |x| x.f_maximum(other.raw()));
            $crate::ops::op!(/// Elementwise minimum, broadcasting.
                minimum(other: &$T) [other] |x| x.f_minimum(other.raw()));
            $crate::ops::op!(/// `value` where the Bool `mask` is true, `self` elsewhere (mask broadcasts).
                masked_fill(mask: &$crate::Tensor, value: f64) [mask]
                check $crate::ops::check_mask("masked_fill", mask.raw());
                |x| $crate::ffi::masked_fill(x, mask.raw(), value));
            $crate::ops::op!(/// `self` divided by its `p`-norm along `dim` (at least 1e-12), as `F.normalize`.
                normalize(p: f64, dim: i32) [] |x| {
                    let norm = $crate::ffi::norm_keepdim(x, p, i64::from(dim))?;
                    let norm = $crate::ffi::clamp_min(&norm, 1e-12)?;
                    x.f_div(&norm)
                });
            $crate::ops::op!(/// Cosine of the angle between `self` and `other` along `dim`, as `F.cosine_similarity`.
                cosine_similarity(other: &$T, dim: i64, eps: f64) [other]
                |x| tch::Tensor::f_cosine_similarity(x, other.raw(), dim, eps));
            $crate::ops::op!(/// The upper triangle from `diagonal` up; the rest zero.
                triu(diagonal: i64) [] |x| x.f_triu(diagonal));
            $crate::ops::op!(/// The lower triangle from `diagonal` down; the rest zero.
                tril(diagonal: i64) [] |x| x.f_tril(diagonal));

            // --- reduction: all elements, 0-dimensional results ---
            $crate::ops::op!(/// Sum of all elements.
                sum() [] |x| x.f_sum(None::<tch::Kind>));
            $crate::ops::op!(/// Mean of all elements.
                mean() [] |x| x.f_mean(None::<tch::Kind>));
            $crate::ops::op!(/// Smallest element.
                min() [] |x| x.f_min());
            $crate::ops::op!(/// Largest element.
                max() [] |x| x.f_max());
            $crate::ops::op!(/// Unbiased variance of all elements.
                var() [] |x| x.f_var(true));
            $crate::ops::op!(/// Unbiased standard deviation of all elements.
                std() [] |x| x.f_std(true));
            $crate::ops::op!(/// Product of all elements.
                prod() [] |x| x.f_prod(None::<tch::Kind>));

            // --- reduction along one dim ---
            $crate::ops::op!(/// Sum along `dim`.
                sum_dim(dim: i32, keepdim: bool) [] |x| x.f_sum_dim_intlist(i64::from(dim), keepdim, None::<tch::Kind>));
            $crate::ops::op!(/// Mean along `dim`.
                mean_dim(dim: i32, keepdim: bool) [] |x| x.f_mean_dim(i64::from(dim), keepdim, None::<tch::Kind>));
            $crate::ops::op!(/// Smallest values along `dim` (the values only).
                min_dim(dim: i32, keepdim: bool) [] |x| x.f_min_dim(i64::from(dim), keepdim).map(|(values, _)| values));
            $crate::ops::op!(/// Largest values along `dim` (the values only).
                max_dim(dim: i32, keepdim: bool) [] |x| x.f_max_dim(i64::from(dim), keepdim).map(|(values, _)| values));
            $crate::ops::op!(/// Unbiased variance along `dim`.
                var_dim(dim: i32, keepdim: bool) [] |x| x.f_var_dim(i64::from(dim), true, keepdim));
            $crate::ops::op!(/// Unbiased standard deviation along `dim`.
                std_dim(dim: i32, keepdim: bool) [] |x| x.f_std_dim(i64::from(dim), true, keepdim));
            $crate::ops::op!(/// Product along `dim`.
                prod_dim(dim: i32, keepdim: bool) [] |x| x.f_prod_dim_int(i64::from(dim), keepdim, None::<tch::Kind>));
            $crate::ops::op!(/// Running sum along `dim`.
                cumsum(dim: i32) [] |x| x.f_cumsum(i64::from(dim), None::<tch::Kind>));
            $crate::ops::op!(/// `log(sum(exp(self)))` along `dim`, computed stably.
                logsumexp(dim: i32, keepdim: bool) [] |x| x.f_logsumexp(i64::from(dim), keepdim));

            // --- shape ---
            $crate::ops::op!(/// Swaps dims `dim0` and `dim1` (a view).
                transpose(dim0: i32, dim1: i32) [] |x| x.f_transpose(i64::from(dim0), i64::from(dim1)));
            $crate::ops::op!(/// Reorders the dims (a view).
                permute(dims: &[i64]) [] |x| x.f_permute(dims));
            $crate::ops::op!(/// The same values in `shape` (one size may be -1).
                reshape(shape: &[i64]) [] |x| x.f_reshape(shape));
            $crate::ops::op!(/// Merges dims `start_dim..=end_dim` into one.
                flatten(start_dim: i32, end_dim: i32) [] |x| x.f_flatten(i64::from(start_dim), i64::from(end_dim)));
            $crate::ops::op!(/// Removes `dim` if its size is 1 (else returns the same shape, as PyTorch).
                squeeze(dim: i32) [] |x| x.f_squeeze_dim(i64::from(dim)));
            $crate::ops::op!(/// Inserts a dim of size 1 at `dim`.
                unsqueeze(dim: i32) [] |x| x.f_unsqueeze(i64::from(dim)));
            $crate::ops::op!(/// Inserts dims of size 1 at each of `dims`, positions in the result, in ascending order.
                unsqueeze_many(dims: &[i32]) [] |x| $crate::ops::unsqueeze_many(x, dims));
            $crate::ops::op!(/// Broadcasts to `shape` (-1 keeps a size) without copying.
                expand(shape: &[i64]) [] |x| x.f_expand(shape, false));
            $crate::ops::op!(/// `length` entries of `dim` from `start` (a view).
                narrow(dim: i32, start: i64, length: i64) [] |x| x.f_narrow(i64::from(dim), start, length));
            $crate::ops::op!(/// Entry `index` of `dim`, which is removed (a view).
                select(dim: i32, index: i64) [] |x| x.f_select(i64::from(dim), index));
            $crate::ops::op!(/// `self` and `other` joined along `dim`.
                cat(other: &$T, dim: i32) [other] |x| tch::Tensor::f_cat(&[x, other.raw()], i64::from(dim)));
            $crate::ops::op!(/// `chunks` nearly equal pieces along `dim` (fewer if the size is small).
                chunk(chunks: i32, dim: i32) -> Vec<Self> [] |x| x.f_chunk(i64::from(chunks), i64::from(dim)));
            $crate::ops::op!(/// Tiles the tensor `repeats[i]` times along each dim (`Tensor.repeat`).
                repeat(repeats: &[i64]) [] |x| x.f_repeat(repeats));
            $crate::ops::op!(/// Pads with `value`: `(left, right)` pairs from the last dim backwards, as `F.pad`.
                pad(padding: &[i64], value: f64) [] |x| x.f_pad(padding, "constant", Some(value)));
            $crate::ops::op!(/// The entries of `dim` at the Int64 `index` list.
                index_select(dim: i32, index: &$crate::Tensor) [index] |x| x.f_index_select(i64::from(dim), index.raw()));
            $crate::ops::op!(/// `self[.., index[i][j], ..]` along `dim`, with `index` shaped like the result.
                gather(dim: i32, index: &$crate::Tensor) [index] |x| x.f_gather(i64::from(dim), index.raw(), false));
            $crate::ops::op!(/// The `k` largest (or smallest) values along `dim`, and their indices.
                topk(k: i64, dim: i32, largest: bool, sorted: bool) -> (Self, $crate::Tensor) []
                |x| x.f_topk(k, i64::from(dim), largest, sorted));
            $crate::ops::op!(/// The values sorted along `dim`, and the indices they came from.
                sort(dim: i32, descending: bool) -> (Self, $crate::Tensor) []
                |x| x.f_sort(i64::from(dim), descending));

            /// `tensors` joined along `dim` (all but `dim` must match).
            pub fn cat_many<B: std::borrow::Borrow<Self>>(tensors: &[B], dim: i32) -> $crate::Result<Self> {
                $crate::ops::join("cat_many", tensors, |raws| tch::Tensor::f_cat(raws, i64::from(dim)))
            }

            /// `tensors` (all of one shape) stacked along a new dim `dim`.
            pub fn stack<B: std::borrow::Borrow<Self>>(tensors: &[B], dim: i32) -> $crate::Result<Self> {
                $crate::ops::join("stack", tensors, |raws| tch::Tensor::f_stack(raws, i64::from(dim)))
            }
        }
    };
}

pub(crate) use impl_ops;
