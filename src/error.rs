//! The one error type of flodl: a kind and a one-line message. Every
//! fallible call returns [`Result`]; the Python bindings map each
//! [`ErrorKind`] to one exception class, in one place.

use std::fmt;

/// What went wrong, by kind. Each kind has one Python exception class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Shapes don't fit the op, or data length != product of shape.
    Shape,
    /// An op got a dtype it can't take.
    DType,
    /// Operands on different devices, or CUDA asked for but absent.
    Device,
    /// An index or dim out of range.
    Index,
    /// backward from a non-scalar, from something that needs no grad, or
    /// through a freed graph.
    Autograd,
    /// Any other invalid argument.
    Argument,
    /// An allocation failed.
    OutOfMemory,
    /// Anything libtorch reports that fits none of the above.
    Torch,
    /// A linear-algebra routine failed on its values: a singular matrix, one
    /// not positive-definite, no convergence (PyTorch's `LinAlgError`).
    LinAlg,
}

/// A flodl error: its kind and a message that names the op and the shapes,
/// dtypes or devices involved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

/// `std::result::Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Returns early with an [`Error`] of the given kind:
/// `bail!(Shape, "{op}: ...", ...)`.
macro_rules! bail {
    ($kind:ident, $($fmt:tt)+) => {
        return Err($crate::Error::new($crate::ErrorKind::$kind, format!($($fmt)+)).into())
    };
}

/// Returns early with an [`Error`] unless `cond` holds:
/// `ensure!(n >= 0, Argument, "{op}: ...")`.
macro_rules! ensure {
    ($cond:expr, $kind:ident, $($fmt:tt)+) => {
        if !$cond {
            $crate::error::bail!($kind, $($fmt)+);
        }
    };
}

pub(crate) use {bail, ensure};

impl Error {
    /// Builds an error of the given kind.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// This error as `op`'s: a message that names the Rust method `method`
    /// first names the Python spelling that called it instead (`contiguous`
    /// for `contiguous_in`).
    #[cfg(feature = "python")]
    pub(crate) fn called_as(mut self, method: &str, op: &str) -> Self {
        if let Some(rest) = self.message.strip_prefix(method) {
            if rest.starts_with(':') {
                self.message = format!("{op}{rest}");
            }
        }
        self
    }

    /// Turns a libtorch failure into a flodl error for op `op`, whose
    /// `context` (the operands' shapes, dtypes and devices) ends the message.
    pub(crate) fn from_failure(op: &str, context: &str, failure: Failure) -> Self {
        let (kind, detail) = match failure {
            Failure::Own(error) => return error,
            Failure::Torch(tch::TchError::Torch(ref text)) if text.contains(CARRIED) => {
                if let Some(error) = Error::carried_in(text) {
                    return error;
                }
                (
                    ErrorKind::Torch,
                    first_lines(&tch::TchError::Torch(text.clone())),
                )
            }
            Failure::Typed(_, ref text) if text.contains(CARRIED) => {
                match Error::carried_in(text) {
                    Some(error) => return error,
                    None => (ErrorKind::Torch, text.clone()),
                }
            }
            // A conv's "types should be the same" names devices too.
            Failure::Typed(_, text) if mixes_devices(&text.to_lowercase()) => {
                (ErrorKind::Device, text)
            }
            Failure::Typed(kind, text) => (kind.unwrap_or_else(|| classify(&text)), text),
            Failure::Torch(err) => {
                let detail = first_lines(&err);
                (classify(&detail), detail)
            }
        };
        let mut detail = one_line(&detail);
        if kind == ErrorKind::OutOfMemory {
            detail = out_of_memory(&detail).unwrap_or(detail);
        }
        if context.is_empty() {
            Error::new(kind, format!("{op}: {detail}"))
        } else {
            Error::new(kind, format!("{op}: {detail} ({context})"))
        }
    }

    /// This error as text that can cross libtorch (a hook's error travels
    /// through the autograd engine as a C++ exception's message) and be
    /// read back whole by [`Error::carried_in`].
    pub(crate) fn to_carried(&self) -> String {
        let code = self.kind.code();
        format!("{CARRIED}{code}:{}{CARRIED_END}", self.message)
    }

    /// The error [`Error::to_carried`] wrote into `text`, if any.
    fn carried_in(text: &str) -> Option<Error> {
        let rest = text.split(CARRIED).nth(1)?;
        let (code, rest) = rest.split_once(':')?;
        let message = rest.split(CARRIED_END).next()?;
        let kind = ErrorKind::of_code(code.parse().ok()?)?;
        Some(Error::new(kind, message))
    }

    /// [`Error::from_failure`] for an error of a tch call.
    pub fn from_torch(op: &str, context: &str, err: tch::TchError) -> Self {
        Error::from_failure(op, context, Failure::Torch(err))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Marks an [`Error`] carried through libtorch as text: CARRIED, the
/// kind's code, ":", the message, CARRIED_END (the shim writes the same,
/// csrc/common.h's `carried`).
const CARRIED: &str = "\u{1}flodl:";
const CARRIED_END: &str = "\u{2}";

/// The kinds in the order of their codes across the C++ boundary
/// (`FlodlErrorKind` in csrc/flodl.h, which build.rs reads into
/// `crate::ffi::abi`): the code of `CARRIED_KINDS[i]` is `i`.
const CARRIED_KINDS: [ErrorKind; 9] = [
    ErrorKind::Shape,
    ErrorKind::DType,
    ErrorKind::Device,
    ErrorKind::Index,
    ErrorKind::Autograd,
    ErrorKind::Argument,
    ErrorKind::OutOfMemory,
    ErrorKind::Torch,
    ErrorKind::LinAlg,
];

// Checked when flodl compiles: CARRIED_KINDS is in the header's order, and
// the header's one code past it is FLODL_ERROR_UNSORTED.
const _: () = {
    let mut i = 0;
    while i < CARRIED_KINDS.len() {
        assert!(
            CARRIED_KINDS[i].code() as usize == i,
            "CARRIED_KINDS is not in the order of FlodlErrorKind (csrc/flodl.h)"
        );
        i += 1;
    }
    assert!(crate::ffi::abi::FLODL_ERROR_UNSORTED as usize == CARRIED_KINDS.len());
};

impl ErrorKind {
    /// This kind's code across the C++ boundary (`FlodlErrorKind` in
    /// csrc/flodl.h): every kind has one, or this does not compile.
    const fn code(self) -> std::ffi::c_int {
        use crate::ffi::abi::*;
        match self {
            ErrorKind::Shape => FLODL_ERROR_SHAPE,
            ErrorKind::DType => FLODL_ERROR_DTYPE,
            ErrorKind::Device => FLODL_ERROR_DEVICE,
            ErrorKind::Index => FLODL_ERROR_INDEX,
            ErrorKind::Autograd => FLODL_ERROR_AUTOGRAD,
            ErrorKind::Argument => FLODL_ERROR_ARGUMENT,
            ErrorKind::OutOfMemory => FLODL_ERROR_OUT_OF_MEMORY,
            ErrorKind::Torch => FLODL_ERROR_TORCH,
            ErrorKind::LinAlg => FLODL_ERROR_LINALG,
        }
    }

    /// The kind of a code; None for FLODL_ERROR_UNSORTED (a failure whose
    /// kind its message tells) and for any other number.
    fn of_code(code: std::ffi::c_int) -> Option<ErrorKind> {
        CARRIED_KINDS.get(usize::try_from(code).ok()?).copied()
    }
}

/// How a libtorch call failed, before it is an [`Error`]: through tch (a
/// message only), or through the C++ shim, which also knows the exception's
/// type and so, often, the kind.
#[derive(Debug)]
pub(crate) enum Failure {
    Torch(tch::TchError),
    /// The kind the C++ exception type gives (None: a plain `c10::Error`),
    /// and its message without backtrace.
    Typed(Option<ErrorKind>, String),
    /// A complete error from flodl's own check of the arguments.
    Own(Error),
}

impl Failure {
    /// A failure the C++ shim returned (csrc/flodl.h's convention): its
    /// first character is '0' + the code of a kind, or of
    /// FLODL_ERROR_UNSORTED (the kind is then sorted from the message, as
    /// is a flodl error carried inside it); the rest is the message.
    pub(crate) fn from_shim(text: &str) -> Failure {
        let mut chars = text.chars();
        let code = chars
            .next()
            .and_then(|c| u32::from(c).checked_sub(u32::from('0')))
            .and_then(|code| std::ffi::c_int::try_from(code).ok());
        Failure::Typed(
            code.and_then(ErrorKind::of_code),
            chars.as_str().to_string(),
        )
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Own(error)
    }
}

impl From<tch::TchError> for Failure {
    fn from(err: tch::TchError) -> Self {
        Failure::Torch(err)
    }
}

/// The message of a tch error without the C++ backtrace tch appends.
pub(crate) fn first_lines(err: &tch::TchError) -> String {
    let text = match err {
        tch::TchError::Torch(text) => text.clone(),
        other => other.to_string(),
    };
    text.split("Exception raised from")
        .next()
        .unwrap_or(&text)
        .to_string()
}

/// An allocator's failure as "out of memory: cannot allocate N bytes on
/// DEVICE", from the CPU allocator's "you tried to allocate N bytes" or the
/// CUDA allocator's "Tried to allocate 2.00 GiB (GPU 0; ...)".
fn out_of_memory(detail: &str) -> Option<String> {
    let number_after = |marker: &str| -> Option<&str> {
        let rest = &detail[detail.find(marker)? + marker.len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        Some(&rest[..end]).filter(|n| !n.is_empty())
    };
    if let Some(bytes) = number_after("you tried to allocate ") {
        return Some(format!(
            "out of memory: cannot allocate {bytes} bytes on cpu"
        ));
    }
    let amount = number_after("Tried to allocate ")?;
    let unit_start = detail.find("Tried to allocate ")? + "Tried to allocate ".len() + amount.len();
    let unit = detail[unit_start..]
        .split_whitespace()
        .next()
        .unwrap_or("bytes");
    let unit = unit.trim_end_matches(|c: char| !c.is_ascii_alphabetic());
    let device = number_after("GPU ").map_or("cuda".to_string(), |i| format!("cuda:{i}"));
    Some(format!(
        "out of memory: cannot allocate {amount} {unit} on {device}"
    ))
}

/// The non-empty lines of `text`, joined into one, without libtorch's
/// advice about APIs flodl does not have (`retain_graph=True`,
/// `.retain_grad()`, `torch.autograd...`).
fn one_line(text: &str) -> String {
    let joined = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    const ADVICE: [&str; 4] = [
        "retain_graph=True",
        "retain_grad()",
        "torch.autograd",
        "Please file an issue",
    ];
    joined
        .split_inclusive(". ")
        .filter(|sentence| !ADVICE.iter().any(|a| sentence.contains(a)))
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// Sorts a libtorch message into a kind by the phrases libtorch uses: the
/// fallback for failures whose C++ exception type says nothing (tch's calls,
/// and plain `c10::Error`s). The first kind with a matching phrase wins;
/// phrases are matched without regard to case, so order alone decides.
fn classify(message: &str) -> ErrorKind {
    const RULES: &[(ErrorKind, &[&str])] = &[
        // What libtorch throws as c10::LinAlgError, read from the message
        // where the type is lost (tch's own calls).
        (
            ErrorKind::LinAlg,
            &[
                "matrix is singular",
                "input is singular",
                "not positive-definite",
                "failed to converge",
                // lu_factor of a singular matrix (a RuntimeError in torch)
                "is zero and using it on lu_solve",
            ],
        ),
        (
            ErrorKind::OutOfMemory,
            &[
                "out of memory",
                "can't allocate memory",
                "not enough memory",
            ],
        ),
        (
            ErrorKind::Autograd,
            &[
                "does not require grad",
                "backward through the graph",
                "implicitly created only for scalar",
                "does not have a grad_fn",
                // backward(inputs=[...]) with an input that needs no grad
                "can't retain_grad on tensor that has requires_grad=false",
                // a gradient hook that returns another shape or dtype
                "has changed the size of value",
                "has changed the type of value",
                // jvp through an op with no forward formula
                "forward ad",
                // in-place ops: on a leaf that requires grad, or on a value
                // backward needs
                "used in an in-place operation",
                "modified by an inplace operation",
                // create_graph through flodl's fused CPU GRU
                "has no second derivative",
                // linalg.qr(mode="r"): "The derivative of linalg.qr depends
                // on Q, which is not computed when mode='r'"
                "which is not computed",
                // requires_grad_() on a tensor made under inference_mode
                "on inference tensor",
                // a forward-AD level while one is open
                "nested forward mode",
                // an op libtorch has no backward formula for (torch's
                // "derivative for aten::scatter is not implemented")
                "derivative for",
                // linalg.eig's gradient of a loss that depends on each
                // eigenvector's phase
                "so it is ill-defined",
            ],
        ),
        (
            ErrorKind::Device,
            &[
                "same device",
                "torch not compiled with cuda",
                "no cuda gpus",
                "cuda driver",
                "invalid device ordinal",
                "device type",
                // (conv's "Input type (torch.cuda.FloatTensor) and weight
                // type (torch.FloatTensor) should be the same" is sorted by
                // mixes_devices: the same text on one device is a dtype's)
            ],
        ),
        // An integer argument that does not fit the kernel's type (torch
        // 2.11's avg_pool1d(kernel_size=0); 2.13 says "stride should not be
        // zero"): an invalid argument, not an index out of range. Integer
        // division by zero; an in-place write into memory that several
        // elements share (an expanded tensor); one_hot of nothing.
        (
            ErrorKind::Argument,
            &[
                "integer out of range",
                "zerodivisionerror",
                // chunk's or tensor_split's count past any memory
                "larger than max_size",
                // uniform_'s "expects to return a [from, to) range";
                // vector_norm's "cannot compute the -1 norm on an empty
                // tensor"
                "[from, to) range",
                "norm on an empty tensor",
                "refer to a single memory location",
                "refers to a single memory location",
                "infer total number of classes",
            ],
        ),
        // A window larger than its (padded) input.
        (
            ErrorKind::Shape,
            &[
                "can't be greater than actual input size",
                "output size is too small",
            ],
        ),
        (
            ErrorKind::Index,
            &[
                "out of range",
                "out of bounds",
                "valid range",
                "cannot be applied to a 0-dim",
                // a dim of a 0-d tensor: unbind's "Dimension specified as 0
                // but tensor has no dimensions", cummax's "Expected
                // reduction dim -1 or 0 for scalar but got 1"
                "but tensor has no dimensions",
                "for scalar but got",
            ],
        ),
        (
            ErrorKind::DType,
            &[
                "dtype",
                "scalar type",
                "scalartype",
                "not implemented for",
                "floating point",
                "can require gradients",
                "result type",
                "bool tensor",
                "boolean inputs",
                "and weight type",
                "and bias type",
                // lstsq's and pinv's tolerance: "This function doesn't
                // handle types other than float and double"
                "handle types other than float",
                // isclose's "Float did not match Long", argmax's "does not
                // support bool input", trapezoid's "bool is not supported",
                // prelu's "Type promoting not supported"
                "did not match",
                "support bool",
                "bool is not supported",
                "type promoting",
                // view_as_real of a real tensor, view_as_complex of an
                // integer one
                "only supported for complex",
                "only supported for half, float",
                // torch.complex of integer parts
                "to be half, float or double",
            ],
        ),
        (
            ErrorKind::Argument,
            &[
                "negative",
                "must be positive",
                "must be greater",
                "must be non-negative",
                "duplicate",
                "overflow",
                "should be greater",
                "should be positive",
                "cannot sample",
                "non-positive",
                "greater than 0",
                "expects a positive",
                "has to be between",
                "has to be 0",
                "has to be greater",
                "cannot be represented",
                "element < 0",
                // normal's "expects std >= 0.0, but found std -1" and
                // "expects all elements of std >= 0.0"
                "expects std >= 0",
                "elements of std >= 0",
                // conv's padding="same" with a stride
                "not supported for strided convolutions",
                // histc's "bins must be > 0"; random_'s "expects 'from' to
                // be less than 'to'"
                "must be > 0",
                "to be less than",
            ],
        ),
        (
            ErrorKind::Shape,
            &[
                "size of tensor",
                "must match",
                // linalg.lstsq's "input.size(-2) should match other.size(-2)"
                "should match other.size",
                // repeat_interleave's "repeats must have the same size as
                // input along dim"
                "must have the same size as",
                // channel_shuffle's "expects input with > 2 dims"
                "expects input with >",
                "shape",
                "cannot be multiplied",
                "size mismatch",
                "dimension",
                "invalid for input of size",
                "mismatch of",
                "equal size",
                "channels",
                "number of columns",
                "is supposed to be a vector",
                "batch size",
                "at least 1d",
                "doesn't match",
                "should contain",
                "not divisible",
                "inconsistent",
                "does not match",
                "expected",
                // einsum's subscripts against its operands
                "does not broadcast",
                "subscripts",
                // linalg's "A must be batches of square matrices",
                // cholesky_solve's "Incompatible matrix sizes"
                "square matri",
                "incompatible matrix sizes",
                // pdist's "only supports 2D tensors, got: 3D", cdist's
                // "only supports at least 2D tensors"
                "only supports 2d",
                "at least 2d",
            ],
        ),
        (
            ErrorKind::Argument,
            &[
                "must be",
                "invalid",
                "should be",
                "should not be",
                "appears multiple times",
                // einsum's equation against its operands
                "operands were provided",
                "does not appear in the equation",
                // linalg.matrix_norm's "Order 3 not supported"
                "linalg.matrix_norm: order",
            ],
        ),
    ];
    let message = message.to_lowercase();
    if mixes_devices(&message) {
        return ErrorKind::Device;
    }
    RULES
        .iter()
        .find(|(_, phrases)| phrases.iter().any(|p| message.contains(p)))
        .map_or(ErrorKind::Torch, |(kind, _)| *kind)
}

/// Whether a conv's "Input type (X) and weight type (Y) should be the
/// same" names types on two devices (one CUDA, one not): libtorch reports
/// operands on two devices that way, which is a Device error, not a dtype
/// one (the same text with two CUDA types is).
fn mixes_devices(message: &str) -> bool {
    if !message.contains("should be the same") {
        return false;
    }
    let types: Vec<&str> = message
        .split('(')
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .take(2)
        .collect();
    matches!(types[..], [a, b] if a.contains("cuda") != b.contains("cuda"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_libtorch_phrases() {
        let cases = [
            (
                "The size of tensor a (3) must match the size of tensor b (4)",
                ErrorKind::Shape,
            ),
            (
                "Dimension out of range (expected to be in range of [-1, 0], but got 3)",
                ErrorKind::Index,
            ),
            (
                "Expected all tensors to be on the same device",
                ErrorKind::Device,
            ),
            (
                "Input type (torch.FloatTensor) and weight type (torch.cuda.FloatTensor) should be the same or input should be a MKLDNN tensor and weight is a dense tensor",
                ErrorKind::Device,
            ),
            (
                "Input type (CUDAFloatType) and weight type (CPUFloatType) should be the same",
                ErrorKind::Device,
            ),
            (
                "Input type (torch.cuda.HalfTensor) and weight type (torch.cuda.FloatTensor) should be the same",
                ErrorKind::DType,
            ),
            (
                "element 0 of tensors does not require grad and does not have a grad_fn",
                ErrorKind::Autograd,
            ),
            (
                "\"exp_vml_cpu\" not implemented for 'Long'",
                ErrorKind::DType,
            ),
            (
                "DefaultCPUAllocator: can't allocate memory",
                ErrorKind::OutOfMemory,
            ),
            (
                "Expected 3D (unbatched) or 4D (batched) input to conv2d",
                ErrorKind::Shape,
            ),
            ("expected 3D or 4D input", ErrorKind::Shape),
            ("integer out of range", ErrorKind::Argument),
            // conv2d with a CUDA input and a CPU weight
            (
                "Input type (torch.cuda.FloatTensor) and weight type (torch.FloatTensor) should be the same",
                ErrorKind::Device,
            ),
            // ... and the same mismatch in dtype only
            (
                "Input type (double) and bias type (float) should be the same",
                ErrorKind::DType,
            ),
            ("something nobody foresaw", ErrorKind::Torch),
        ];
        for (message, kind) in cases {
            assert_eq!(classify(message), kind, "{message}");
        }
    }

    #[test]
    fn the_exception_type_comes_before_the_phrases() {
        let failure = Failure::Typed(Some(ErrorKind::Argument), "shape is wrong".into());
        let e = Error::from_failure("op", "", failure);
        assert_eq!(e.kind(), ErrorKind::Argument);
        let plain = Failure::Typed(None, "shape is wrong".into());
        assert_eq!(
            Error::from_failure("op", "", plain).kind(),
            ErrorKind::Shape
        );
    }

    #[test]
    fn out_of_memory_names_the_bytes_and_the_device() {
        let cpu = "[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate 4398046511104 bytes. Error code 12 (Cannot allocate memory)";
        let e = Error::from_failure("zeros", "", Failure::Typed(None, cpu.into()));
        assert_eq!(e.kind(), ErrorKind::OutOfMemory);
        assert_eq!(
            e.message(),
            "zeros: out of memory: cannot allocate 4398046511104 bytes on cpu"
        );
        let cuda = "CUDA out of memory. Tried to allocate 20.00 GiB. GPU 0 has a total capacity of 79.10 GiB";
        let e = Error::from_failure("ones", "", Failure::Typed(None, cuda.into()));
        assert_eq!(
            e.message(),
            "ones: out of memory: cannot allocate 20.00 GiB on cuda:0"
        );
    }

    #[test]
    fn drops_advice_about_apis_flodl_lacks() {
        let text = "Trying to backward through the graph a second time. Specify retain_graph=True if you need to. Saved tensors were freed.";
        let e = Error::from_torch("backward", "", tch::TchError::Torch(text.into()));
        assert_eq!(
            e.message(),
            "backward: Trying to backward through the graph a second time. Saved tensors were freed."
        );
    }

    #[test]
    fn an_error_carried_through_libtorch_comes_back_whole() {
        let original = Error::new(ErrorKind::Argument, "clip: too large");
        let text = format!(
            "hook failed: {}\nException raised from ...",
            original.to_carried()
        );
        let back = Error::from_torch("backward", "[2]", tch::TchError::Torch(text));
        assert_eq!(back, original);
    }

    #[test]
    fn a_shim_failure_names_its_kind_by_code() {
        use crate::ffi::abi::{FLODL_ERROR_INDEX, FLODL_ERROR_UNSORTED};
        let typed = |failure| match failure {
            Failure::Typed(kind, text) => (kind, text),
            other => panic!("{other:?}"),
        };
        let index = Failure::from_shim(&format!("{FLODL_ERROR_INDEX}index 3 is out of bounds"));
        assert_eq!(
            typed(index),
            (Some(ErrorKind::Index), "index 3 is out of bounds".into())
        );
        let unsorted = Failure::from_shim(&format!("{FLODL_ERROR_UNSORTED}shape is wrong"));
        assert_eq!(typed(unsorted), (None, "shape is wrong".into()));
        for (code, kind) in CARRIED_KINDS.iter().enumerate() {
            let carried = Error::new(*kind, "m").to_carried();
            assert!(
                carried.starts_with(&format!("{CARRIED}{code}:")),
                "{carried:?}"
            );
            assert_eq!(Error::carried_in(&carried), Some(Error::new(*kind, "m")));
        }
    }

    #[test]
    fn drops_the_cpp_backtrace() {
        let err = tch::TchError::Torch("bad thing\nException raised from foo at bar.cpp:1".into());
        let e = Error::from_torch("add", "[2]", err);
        assert_eq!(e.message(), "add: bad thing ([2])");
    }
}
