//! The methods Tensor and Variable share outside the op catalogue, as one
//! macro expanded for each.

/// The methods Tensor and Variable share outside the catalogue: inspection
/// (through [`Operand`], so no trait import is needed), conversion, and the
/// joins. Expanded once for each.
macro_rules! tensor_like_methods {
    ($T:ident) => {
        impl $T {
            /// The size of each dim.
            pub fn shape(&self) -> Vec<i64> {
                $crate::Operand::shape(self)
            }
            /// The number of dims.
            pub fn ndim(&self) -> usize {
                $crate::Operand::ndim(self)
            }
            /// The number of elements.
            pub fn numel(&self) -> usize {
                $crate::Operand::numel(self)
            }
            pub fn dtype(&self) -> $crate::DType {
                $crate::Operand::dtype(self)
            }
            pub fn device(&self) -> $crate::Device {
                $crate::Operand::device(self)
            }
            /// The dtype and device as one [`TensorOptions`]($crate::TensorOptions).
            pub fn options(&self) -> $crate::TensorOptions {
                $crate::TensorOptions {
                    dtype: self.dtype(),
                    device: self.device(),
                }
            }
            /// Whether this is a lazy [`conj`](Self::conj) view (its memory
            /// holds the unconjugated values).
            pub fn is_conj(&self) -> bool {
                // Only an undefined tensor fails, which a handle never is.
                $crate::Operand::raw(self).f_is_conj().unwrap_or(false)
            }
            /// Whether this is a lazy negative view (the `imag` of a `conj()`).
            pub fn is_neg(&self) -> bool {
                $crate::Operand::raw(self).f_is_neg().unwrap_or(false)
            }
            /// Whether autograd tracks this handle.
            pub fn requires_grad(&self) -> bool {
                $crate::Operand::requires_grad(self)
            }

            /// The value of a single-element tensor, as f64.
            pub fn item(&self) -> $crate::Result<f64> {
                let raw = $crate::Operand::raw(self);
                $crate::error::ensure!(
                    raw.numel() == 1,
                    Shape,
                    "item: needs a single-element tensor, got shape {:?}",
                    raw.size()
                );
                raw.f_double_value(&[])
                    .map_err(|e| $crate::Error::from_torch("item", &$crate::ops::describe(raw), e))
            }

            /// A copy on `device` (the same handle if it is there already);
            /// differentiable on a Variable.
            pub fn to_device(&self, device: $crate::Device) -> $crate::Result<$T> {
                device.check_available("to_device")?;
                let raw = $crate::Operand::raw(self);
                $crate::ops::run("to_device", &[raw], || raw.f_to(device.to_tch()))
            }

            /// `to` with PyTorch's flags: a copy on `device` in `dtype`;
            /// with `non_blocking`, a copy between pinned host memory and a
            /// CUDA device does not wait for the host; with `copy`, a new
            /// tensor even when nothing changes. Differentiable on a Variable.
            pub fn to_with(
                &self,
                device: $crate::Device,
                dtype: $crate::DType,
                non_blocking: bool,
                copy: bool,
            ) -> $crate::Result<$T> {
                device.check_available("to")?;
                let raw = $crate::Operand::raw(self);
                $crate::ops::run("to", &[raw], || {
                    raw.f_to_device_(device.to_tch(), dtype.to_kind(), non_blocking, copy)
                })
            }

            /// A copy in page-locked (pinned) host memory, which CUDA copies
            /// from without waiting (`to(..., non_blocking=True)`); needs a
            /// CUDA device. The same handle if it is pinned already. (The
            /// device passed to libtorch names the accelerator to pin for.)
            pub fn pin_memory(&self) -> $crate::Result<$T> {
                let raw = $crate::Operand::raw(self);
                $crate::error::ensure!(
                    $crate::cuda_available(),
                    Device,
                    "pin_memory: pinned memory needs a CUDA device, and none is available"
                );
                $crate::ops::run("pin_memory", &[raw], || {
                    raw.f_pin_memory(tch::Device::Cuda(0))
                })
            }

            /// Whether the values are in pinned host memory.
            pub fn is_pinned(&self) -> bool {
                let raw = $crate::Operand::raw(self);
                // Without CUDA nothing can be pinned; libtorch would fail asking.
                $crate::cuda_available() && raw.f_is_pinned(tch::Device::Cuda(0)).unwrap_or(false)
            }

            /// A copy converted to `dtype` (the same handle if it has it
            /// already); differentiable on a Variable between float dtypes.
            pub fn to_dtype(&self, dtype: $crate::DType) -> $crate::Result<$T> {
                let raw = $crate::Operand::raw(self);
                $crate::ops::run("to_dtype", &[raw], || raw.f_to_kind(dtype.to_kind()))
            }

            /// The same memory read as `dtype` (no copy), as
            /// `Tensor.view(dtype)`: the last dim scales by the ratio of the
            /// element sizes; not differentiable.
            pub fn view_dtype(&self, dtype: $crate::DType) -> $crate::Result<$T> {
                let raw = $crate::Operand::raw(self);
                $crate::ops::run("view", &[raw], || raw.f_view_dtype(dtype.to_kind()))
            }

            /// `self[items]`: numpy's and PyTorch's basic and advanced
            /// indexing, differentiable on a Variable (see [`TensorIndex`](crate::TensorIndex)).
            pub fn index(&self, items: &[$crate::TensorIndex]) -> $crate::Result<$T> {
                $crate::tensor::index::index(self, items)
            }

            /// `self[items] = value`, in place (Python's `x[key] = v`):
            /// `value` is broadcast to the indexed entries and cast to
            /// self's dtype; with `accumulate` it is added to them (an
            /// entry indexed twice takes both), as `Tensor.index_put_`.
            pub fn index_put_(
                &self,
                items: &[$crate::TensorIndex],
                value: &$T,
                accumulate: bool,
            ) -> $crate::Result<()> {
                $crate::tensor::index::index_put(self, items, value, accumulate)
            }

            /// [`index_put_`](Self::index_put_) on a copy (recorded on a
            /// Variable), as `Tensor.index_put`.
            pub fn index_put(
                &self,
                items: &[$crate::TensorIndex],
                value: &$T,
                accumulate: bool,
            ) -> $crate::Result<$T> {
                let copy = self.copy()?;
                $crate::tensor::index::index_put(&copy, items, value, accumulate)?;
                Ok(copy)
            }

            /// The step in memory, in elements, between neighbours along each dim.
            pub fn stride(&self) -> Vec<i64> {
                $crate::Operand::raw(self).stride()
            }

            /// Whether the elements lie in memory in row-major order, without gaps.
            pub fn is_contiguous(&self) -> bool {
                $crate::Operand::raw(self).is_contiguous()
            }

            /// Whether the elements lie in memory as `format` says (with
            /// `ChannelsLast`, dim 1 varies fastest), as
            /// `Tensor.is_contiguous(memory_format=)`.
            pub fn is_contiguous_in(&self, format: $crate::MemoryFormat) -> $crate::Result<bool> {
                let raw = $crate::Operand::raw(self);
                $crate::ffi::is_contiguous_format(raw, format.code())
                    .map_err(|f| $crate::Error::from_failure("is_contiguous", "", f))
            }

            /// The layout the strides suggest, as `Tensor.suggest_memory_format`:
            /// `ChannelsLast` (or `ChannelsLast3d`) where they are so and not
            /// also row-major, else `Contiguous` (one channel, or 1x1
            /// spatial dims, read as row-major).
            pub fn suggest_memory_format(&self) -> $crate::Result<$crate::MemoryFormat> {
                use $crate::ops::nn::Mode as _;
                let raw = $crate::Operand::raw(self);
                let code = $crate::ffi::suggest_memory_format(raw)
                    .map_err(|f| $crate::Error::from_failure("suggest_memory_format", "", f))?;
                // The shim gives one of c10's four codes, MemoryFormat's order.
                Ok($crate::MemoryFormat::ALL
                    .get(code as usize)
                    .copied()
                    .unwrap_or($crate::MemoryFormat::Contiguous))
            }

            /// The values as PyTorch's `.data` gives them: a Tensor sharing
            /// this one's memory with a version counter of its own, so that
            /// an in-place write through it goes unseen by backward's check
            /// of saved values (PyTorch's `p.data.clamp_()` between forward
            /// and backward). A write through [`Self::version`]'s sharers
            /// (`data()` of a Variable, `detach`) is seen.
            pub fn data_unversioned(&self) -> $crate::Result<$crate::Tensor> {
                let raw = $crate::Operand::raw(self);
                $crate::ops::run("data", &[raw], || raw.f_data())
            }

            /// Where this tensor starts in its storage, in elements (a view
            /// of a slice starts past 0), as `Tensor.storage_offset`.
            pub fn storage_offset(&self) -> $crate::Result<i64> {
                let raw = $crate::Operand::raw(self);
                $crate::ffi::storage_offset(raw)
                    .map_err(|f| $crate::Error::from_failure("storage_offset", "", f))
            }

            /// How many in-place changes this tensor's values have had
            /// (shared with its views), as PyTorch's `_version`: what a
            /// saved tensor is checked against before backward uses it.
            pub fn version(&self) -> $crate::Result<i64> {
                let raw = $crate::Operand::raw(self);
                raw.f_internal_version()
                    .map_err(|e| $crate::Error::from_torch("_version", "", e))
            }

            /// The address of the first element (for identity checks and interop).
            pub fn data_ptr(&self) -> usize {
                $crate::Operand::raw(self).data_ptr() as usize
            }

            /// Whether every element is close to `other`'s (broadcasting), as
            /// `torch.allclose`.
            pub fn allclose(
                &self,
                other: &Self,
                rtol: f64,
                atol: f64,
                equal_nan: bool,
            ) -> $crate::Result<bool> {
                Ok(self.isclose(other, rtol, atol, equal_nan)?.all()?.item()? != 0.0)
            }

            /// Whether `other` has this shape and these values, as `torch.equal`
            /// (the dtypes promoted: `[1]` equals `[1.0]`; NaN equals nothing).
            pub fn equal(&self, other: &Self) -> $crate::Result<bool> {
                let (a, b) = ($crate::Operand::raw(self), $crate::Operand::raw(other));
                if a.size() != b.size() {
                    return Ok(false);
                }
                Ok(self.eq(other)?.all()?.item()? != 0.0)
            }

            /// This tensor as PyTorch prints it: `tensor([1.5000, 2.0000],
            /// requires_grad=True)`, with [`print_options`](crate::print_options).
            pub fn torch_string(&self) -> $crate::Result<String> {
                let raw = $crate::Operand::raw(self);
                // detach of a defined tensor cannot fail.
                let values = <$crate::Tensor as $crate::Operand>::from_raw(raw.detach());
                let grad_fn = $crate::ffi::grad_fn_name(raw)
                    .map_err(|f| $crate::Error::from_failure("torch_string", "", f))?;
                $crate::torch_repr(&values, raw.requires_grad(), grad_fn.as_deref())
            }

            /// `tensors` joined along `dim` (all but `dim` must match).
            pub fn cat_many<B: std::borrow::Borrow<Self>>(
                tensors: &[B],
                dim: i64,
            ) -> $crate::Result<Self> {
                $crate::ops::join("cat_many", tensors, |raws| tch::Tensor::f_cat(raws, dim))
            }

            /// `a` where the Bool `mask` is true, `b` elsewhere (all three
            /// broadcast), as `torch.where(mask, a, b)`; differentiable in
            /// `a` and `b` on a Variable.
            pub fn where_cond(mask: &$crate::Tensor, a: &Self, b: &Self) -> $crate::Result<Self> {
                let (mask, a, b) = (
                    $crate::Operand::raw(mask),
                    $crate::Operand::raw(a),
                    $crate::Operand::raw(b),
                );
                $crate::ops::check_mask("where_cond", mask)?;
                $crate::ops::run("where_cond", &[mask, a, b], || a.f_where_self(mask, b))
            }

            /// The sums of products `equation` names over `operands`, as
            /// `torch.einsum("ij,jk->ik", a, b)`.
            pub fn einsum<B: std::borrow::Borrow<Self>>(
                equation: &str,
                operands: &[B],
            ) -> $crate::Result<Self> {
                $crate::ops::join("einsum", operands, |raws| {
                    tch::Tensor::f_einsum(equation, raws, None::<&[i64]>)
                })
            }

            /// `tensors` (all of one shape) stacked along a new dim `dim`.
            pub fn stack<B: std::borrow::Borrow<Self>>(
                tensors: &[B],
                dim: i64,
            ) -> $crate::Result<Self> {
                $crate::ops::join("stack", tensors, |raws| tch::Tensor::f_stack(raws, dim))
            }

            /// The grids of the 1-d `tensors`: one per tensor, each of the
            /// shape of all their lengths, as `torch.meshgrid(*tensors,
            /// indexing=...)`; `indexing` is `"ij"` (matrix) or `"xy"`
            /// (Cartesian: the first two dims swapped).
            pub fn meshgrid<B: std::borrow::Borrow<Self>>(
                tensors: &[B],
                indexing: &str,
            ) -> $crate::Result<Vec<Self>> {
                if indexing != "ij" && indexing != "xy" {
                    $crate::error::bail!(
                        Argument,
                        "meshgrid: indexing must be \"ij\" or \"xy\", got {indexing:?}"
                    );
                }
                $crate::ops::join("meshgrid", tensors, |raws| {
                    tch::Tensor::f_meshgrid_indexing(raws, indexing)
                })
            }

            /// `tensors` expanded to the shape they broadcast to (views, no
            /// copy), as `torch.broadcast_tensors`.
            pub fn broadcast_tensors<B: std::borrow::Borrow<Self>>(
                tensors: &[B],
            ) -> $crate::Result<Vec<Self>> {
                $crate::ops::join("broadcast_tensors", tensors, |raws| {
                    tch::Tensor::f_broadcast_tensors(raws)
                })
            }

            /// The `sequences` (each `[L_i, *]`, the trailing dims equal)
            /// padded with `padding_value` to the longest and stacked: `[L,
            /// B, *]`, or `[B, L, *]` with `batch_first`; `padding_side`
            /// `"right"` or `"left"`, as `torch.nn.utils.rnn.pad_sequence`.
            pub fn pad_sequence<B: std::borrow::Borrow<Self>>(
                sequences: &[B],
                batch_first: bool,
                padding_value: f64,
                padding_side: &str,
            ) -> $crate::Result<Self> {
                if padding_side != "right" && padding_side != "left" {
                    $crate::error::bail!(
                        Argument,
                        "pad_sequence: padding_side must be \"right\" or \"left\", got {padding_side:?}"
                    );
                }
                $crate::ops::join("pad_sequence", sequences, |raws| {
                    tch::Tensor::f_pad_sequence(raws, batch_first, padding_value, padding_side)
                })
            }

            $crate::ops::catalogue::sequence_joins!(core_joins());
        }
    };
}

/// Expands [`sequence_joins!`](crate::ops::catalogue::sequence_joins) as
/// functions of the type whose `impl` it is in.
macro_rules! core_joins {
    (() $($(#[doc = $doc:literal])* $name:ident => $f:ident;)*) => {
        $(
            $(#[doc = $doc])*
            pub fn $name<B: std::borrow::Borrow<Self>>(tensors: &[B]) -> $crate::Result<Self> {
                $crate::ops::join(stringify!($name), tensors, |raws| tch::Tensor::$f(raws))
            }
        )*
    };
}

pub(crate) use {core_joins, tensor_like_methods};
