//! [`Scalar`]: a number argument of an op, typed as Python's are, so that
//! type promotion is PyTorch's: an integer tensor plus an int stays integer,
//! plus a float becomes floating point, plus a complex becomes complex.

/// A number passed to an op (`add_scalar`, `clamp`, comparisons, ...).
/// Made from `bool`, integers and floats with `.into()`, or implicitly where
/// a method takes `impl Into<Scalar>`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A complex number: real and imaginary parts.
    Complex(f64, f64),
}

impl Scalar {
    /// The value as f64 (exact for floats and ints up to 2^53; a complex
    /// number's real part, which callers that take real numbers only check
    /// with [`is_complex`](Scalar::is_complex) first).
    pub fn to_f64(self) -> f64 {
        match self {
            Scalar::Bool(b) => f64::from(u8::from(b)),
            Scalar::Int(i) => i as f64,
            Scalar::Float(f) | Scalar::Complex(f, _) => f,
        }
    }

    pub fn is_complex(self) -> bool {
        matches!(self, Scalar::Complex(..))
    }

    /// The negated number (`x - s` is `x + (-s)`); None when it does not
    /// fit (`-i64::MIN`, `-true`).
    pub fn checked_neg(self) -> Option<Scalar> {
        match self {
            Scalar::Bool(_) => None,
            Scalar::Int(i) => i.checked_neg().map(Scalar::Int),
            Scalar::Float(f) => Some(Scalar::Float(-f)),
            Scalar::Complex(re, im) => Some(Scalar::Complex(-re, -im)),
        }
    }
}

impl From<bool> for Scalar {
    fn from(b: bool) -> Self {
        Scalar::Bool(b)
    }
}

impl From<f64> for Scalar {
    fn from(f: f64) -> Self {
        Scalar::Float(f)
    }
}

impl From<f32> for Scalar {
    fn from(f: f32) -> Self {
        Scalar::Float(f64::from(f))
    }
}

macro_rules! int_scalars {
    ($($t:ty),*) => {$(
        impl From<$t> for Scalar {
            fn from(i: $t) -> Self {
                Scalar::Int(i64::from(i))
            }
        }
    )*};
}
int_scalars!(i8, i16, i32, i64, u8, u16, u32);

impl std::fmt::Display for Scalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Int(i) => write!(f, "{i}"),
            Scalar::Float(x) => write!(f, "{x}"),
            // Python's spelling: (1+2j), 2j.
            Scalar::Complex(re, im) if *re == 0.0 && re.is_sign_positive() => write!(f, "{im}j"),
            Scalar::Complex(re, im) if *im < 0.0 => write!(f, "({re}{im}j)"),
            Scalar::Complex(re, im) => write!(f, "({re}+{im}j)"),
        }
    }
}
