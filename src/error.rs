//! The one error type of flodl. Every fallible call returns [`Result`]; the
//! Python bindings map each [`ErrorKind`] to one exception class.

use std::fmt;

/// What went wrong, by kind. The Python class of each kind is in SPEC §4.
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
}

/// A flodl error: its kind and a message that names the op and the shapes,
/// dtypes or devices involved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    Shape(String),
    DType(String),
    Device(String),
    Index(String),
    Autograd(String),
    Argument(String),
    OutOfMemory(String),
    Torch(String),
}

/// `std::result::Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Builds an error of the given kind.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        let message = message.into();
        match kind {
            ErrorKind::Shape => Error::Shape(message),
            ErrorKind::DType => Error::DType(message),
            ErrorKind::Device => Error::Device(message),
            ErrorKind::Index => Error::Index(message),
            ErrorKind::Autograd => Error::Autograd(message),
            ErrorKind::Argument => Error::Argument(message),
            ErrorKind::OutOfMemory => Error::OutOfMemory(message),
            ErrorKind::Torch => Error::Torch(message),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Shape(_) => ErrorKind::Shape,
            Error::DType(_) => ErrorKind::DType,
            Error::Device(_) => ErrorKind::Device,
            Error::Index(_) => ErrorKind::Index,
            Error::Autograd(_) => ErrorKind::Autograd,
            Error::Argument(_) => ErrorKind::Argument,
            Error::OutOfMemory(_) => ErrorKind::OutOfMemory,
            Error::Torch(_) => ErrorKind::Torch,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Error::Shape(m)
            | Error::DType(m)
            | Error::Device(m)
            | Error::Index(m)
            | Error::Autograd(m)
            | Error::Argument(m)
            | Error::OutOfMemory(m)
            | Error::Torch(m) => m,
        }
    }

    /// Turns an error from libtorch into a flodl error for op `op`, whose
    /// `context` (the operands' shapes, dtypes and devices) leads the message.
    pub fn from_torch(op: &str, context: &str, err: tch::TchError) -> Self {
        let detail = torch_message(&err);
        let kind = classify(&detail);
        if context.is_empty() {
            Error::new(kind, format!("{op}: {detail}"))
        } else {
            Error::new(kind, format!("{op}: {detail} ({context})"))
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Error {}

/// The first meaningful line of a libtorch error: tch appends the C++
/// backtrace, which tells a user nothing.
fn torch_message(err: &tch::TchError) -> String {
    let text = match err {
        tch::TchError::Torch(text) => text.clone(),
        other => other.to_string(),
    };
    let head = text.split("Exception raised from").next().unwrap_or(&text);
    head.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Sorts a libtorch message into a kind, by the phrases libtorch uses.
fn classify(message: &str) -> ErrorKind {
    const RULES: &[(ErrorKind, &[&str])] = &[
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
            ],
        ),
        (
            ErrorKind::Device,
            &[
                "same device",
                "Torch not compiled with CUDA",
                "no CUDA GPUs",
                "CUDA driver",
                "invalid device ordinal",
                "device type",
            ],
        ),
        (
            ErrorKind::Index,
            &[
                "out of range",
                "out of bounds",
                "Dimension out of range",
                "valid range",
            ],
        ),
        (
            ErrorKind::DType,
            &[
                "dtype",
                "scalar type",
                "ScalarType",
                "not implemented for",
                "floating point",
                "can require gradients",
                "Expected object of scalar type",
                "result type",
                "bool tensor",
                "Boolean inputs",
            ],
        ),
        (
            ErrorKind::Shape,
            &[
                "size of tensor",
                "must match",
                "shape",
                "cannot be multiplied",
                "size mismatch",
                "dimension",
                "invalid for input of size",
                "Expected",
                "Mismatch of",
                "equal size",
                "channels",
                "should contain",
                "not divisible",
                "inconsistent",
                "does not match",
            ],
        ),
        (
            ErrorKind::Argument,
            &[
                "negative",
                "must be",
                "invalid",
                "expected",
                "duplicate",
                "should be",
                "should not be",
                "overflow",
            ],
        ),
    ];
    for (kind, phrases) in RULES {
        if phrases.iter().any(|p| message.contains(p)) {
            return *kind;
        }
    }
    ErrorKind::Torch
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
            ("something nobody foresaw", ErrorKind::Torch),
        ];
        for (message, kind) in cases {
            assert_eq!(classify(message), kind, "{message}");
        }
    }

    #[test]
    fn drops_the_cpp_backtrace() {
        let err = tch::TchError::Torch("bad thing\nException raised from foo at bar.cpp:1".into());
        let e = Error::from_torch("add", "[2]", err);
        assert_eq!(e.message(), "add: bad thing ([2])");
    }
}
