//! Printing a tensor as PyTorch does (`tensor([1.5000, 2.0000],
//! requires_grad=True)`), so that a program's printout reads the same in
//! flodl and PyTorch: the same precision, the same choice of fixed, integer
//! or scientific notation, the same column widths, line wrapping,
//! summarisation of large tensors and suffixes. The print options are
//! process-wide, as `torch.set_printoptions`.

use std::sync::RwLock;

use super::{DType, Device, Tensor};
use crate::error::Result;

/// How tensors print, as `torch.set_printoptions` sets it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrintOptions {
    /// Digits after the decimal point.
    pub precision: usize,
    /// Tensors with more elements than this are summarised.
    pub threshold: f64,
    /// Items kept at each end of a summarised dim.
    pub edgeitems: usize,
    /// Characters per line before wrapping.
    pub linewidth: usize,
    /// Force scientific notation on (true) or off (false); None chooses.
    pub sci_mode: Option<bool>,
}

impl PrintOptions {
    /// PyTorch's `"default"` profile.
    pub const DEFAULT: PrintOptions = PrintOptions {
        precision: 4,
        threshold: 1000.0,
        edgeitems: 3,
        linewidth: 80,
        sci_mode: None,
    };
    /// PyTorch's `"short"` profile.
    pub const SHORT: PrintOptions = PrintOptions {
        precision: 2,
        edgeitems: 2,
        ..PrintOptions::DEFAULT
    };
    /// PyTorch's `"full"` profile: never summarise.
    pub const FULL: PrintOptions = PrintOptions {
        threshold: f64::INFINITY,
        ..PrintOptions::DEFAULT
    };
}

impl Default for PrintOptions {
    fn default() -> Self {
        PrintOptions::DEFAULT
    }
}

static OPTIONS: RwLock<PrintOptions> = RwLock::new(PrintOptions::DEFAULT);

/// The print options in force.
pub fn print_options() -> PrintOptions {
    // A poisoned lock still holds a valid (Copy) value.
    *OPTIONS.read().unwrap_or_else(|e| e.into_inner())
}

/// Sets the print options for the whole process.
pub fn set_print_options(options: PrintOptions) {
    *OPTIONS.write().unwrap_or_else(|e| e.into_inner()) = options;
}

/// The values of a tensor, fetched for printing: floats as f64 (exact for
/// every float dtype), integers as i64, bools as 0/1.
enum Values {
    Float(Vec<f64>),
    Int(Vec<i64>),
    Bool(Vec<i64>),
}

/// How each element is written: PyTorch's `_Formatter`, decided from the
/// values printed (only the kept edges of a summarised tensor).
struct Formatter {
    int_mode: bool,
    sci_mode: bool,
    width: usize,
    precision: usize,
}

impl Formatter {
    fn new(values: &Values, options: &PrintOptions) -> Formatter {
        let precision = options.precision;
        let mut f = Formatter {
            int_mode: true,
            sci_mode: false,
            width: 1,
            precision,
        };
        match values {
            Values::Int(v) => {
                f.width = v.iter().map(|x| x.to_string().len()).max().unwrap_or(1);
            }
            Values::Bool(v) => {
                f.width = v
                    .iter()
                    .map(|&x| if x != 0 { 4 } else { 5 })
                    .max()
                    .unwrap_or(1);
            }
            Values::Float(v) => {
                let finite: Vec<f64> = v
                    .iter()
                    .copied()
                    .filter(|x| x.is_finite() && *x != 0.0)
                    .collect();
                if !finite.is_empty() {
                    let min = finite.iter().map(|x| x.abs()).fold(f64::INFINITY, f64::min);
                    let max = finite.iter().map(|x| x.abs()).fold(0.0, f64::max);
                    f.int_mode = finite.iter().all(|x| *x == x.ceil());
                    // Forced before the widths are measured, as PyTorch.
                    f.sci_mode = options
                        .sci_mode
                        .unwrap_or(max / min > 1000.0 || max > 1.0e8 || min < 1.0e-4);
                    f.width = finite
                        .iter()
                        .map(|&x| match (f.sci_mode, f.int_mode) {
                            (true, _) => sci(x, precision).len(),
                            (false, true) => fixed(x, 0).len() + 1,
                            (false, false) => fixed(x, precision).len(),
                        })
                        .max()
                        .unwrap_or(1);
                }
            }
        }
        f
    }

    fn format_float(&self, x: f64) -> String {
        let text = if self.sci_mode {
            sci(x, self.precision)
        } else if self.int_mode {
            let mut text = fixed(x, 0);
            if x.is_finite() {
                text.push('.');
            }
            text
        } else {
            fixed(x, self.precision)
        };
        pad(text, self.width)
    }
}

fn pad(text: String, width: usize) -> String {
    if text.len() >= width {
        text
    } else {
        format!("{}{text}", " ".repeat(width - text.len()))
    }
}

/// Python's `f"{x:.{p}f}"` (Rust's rounding is the same; the names of the
/// non-finite values are Python's).
fn fixed(x: f64, precision: usize) -> String {
    match non_finite(x) {
        Some(name) => name.to_string(),
        None => format!("{x:.precision$}"),
    }
}

/// Python's `f"{x:.{p}e}"`: a signed exponent of at least two digits.
fn sci(x: f64, precision: usize) -> String {
    if let Some(name) = non_finite(x) {
        return name.to_string();
    }
    let text = format!("{x:.precision$e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let (sign, digits) = match exponent.strip_prefix('-') {
        Some(digits) => ('-', digits),
        None => ('+', exponent),
    };
    format!("{mantissa}e{sign}{digits:0>2}")
}

fn non_finite(x: f64) -> Option<&'static str> {
    if x.is_nan() {
        Some("nan")
    } else if x == f64::INFINITY {
        Some("inf")
    } else if x == f64::NEG_INFINITY {
        Some("-inf")
    } else {
        None
    }
}

/// The printed values: the kept entries (row-major; a complex tensor's
/// real parts, its imaginary parts beside them), the kept size of each dim,
/// and whether each dim was cut in the middle.
struct Kept {
    values: Values,
    imag: Option<Vec<f64>>,
    shape: Vec<usize>,
    cut: Vec<bool>,
}

/// How the entries are written: a complex tensor's real and imaginary
/// parts each have their own (PyTorch formats them apart).
struct Formatters {
    real: Formatter,
    imag: Option<Formatter>,
}

impl Kept {
    /// `tensor`'s entries as printed: with more than `threshold` elements,
    /// each dim longer than `2 * edgeitems` keeps only its ends (taken by
    /// libtorch, so a huge tensor is not copied whole).
    fn of(tensor: &Tensor, options: &PrintOptions) -> Result<Kept> {
        let summarise = tensor.numel() as f64 > options.threshold;
        let edge = options.edgeitems as i64;
        let mut kept = tensor.clone();
        let mut cut = Vec::new();
        for (dim, &len) in tensor.shape().iter().enumerate() {
            let cutting = summarise && len > 2 * edge;
            if cutting {
                let ends: Vec<i64> = (0..edge).chain(len - edge..len).collect();
                let index = Tensor::from_i64(&ends, &[2 * edge], kept.device())?;
                kept = kept.index_select(dim as i64, &index)?;
            }
            cut.push(cutting);
        }
        let shape = kept.shape().iter().map(|&d| d as usize).collect();
        let mut imag = None;
        let values = match kept.dtype() {
            DType::Bool => Values::Bool(kept.to_i64_vec()?),
            d if d.is_floating_point() => Values::Float(kept.to_f64_vec()?),
            d if d.is_complex() => {
                imag = Some(kept.imag()?.to_f64_vec()?);
                Values::Float(kept.real()?.to_f64_vec()?)
            }
            _ => Values::Int(kept.to_i64_vec()?),
        };
        Ok(Kept {
            values,
            imag,
            shape,
            cut,
        })
    }

    fn formatters(&self, options: &PrintOptions) -> Formatters {
        Formatters {
            real: Formatter::new(&self.values, options),
            imag: self
                .imag
                .as_ref()
                .map(|v| Formatter::new(&Values::Float(v.clone()), options)),
        }
    }

    fn item(&self, i: usize, fs: &Formatters) -> String {
        let f = &fs.real;
        if let (Some(imag), Some(imag_f), Values::Float(real)) =
            (&self.imag, &fs.imag, &self.values)
        {
            // PyTorch's: the real part padded, the imaginary part unpadded
            // with its sign (`1.5000+2.0000j`, `0.-1.j`).
            let imag = format!("{}j", imag_f.format_float(imag[i]));
            let imag = imag.trim_start();
            let sign = if imag.starts_with(['+', '-']) {
                ""
            } else {
                "+"
            };
            return format!("{}{sign}{imag}", f.format_float(real[i]));
        }
        match &self.values {
            Values::Float(v) => f.format_float(v[i]),
            Values::Int(v) => pad(v[i].to_string(), f.width),
            Values::Bool(v) => pad(
                (if v[i] != 0 { "True" } else { "False" }).to_string(),
                f.width,
            ),
        }
    }

    /// PyTorch's `_tensor_str_with_formatter` on the entries from `start`
    /// of dims `dim..`, at `indent`.
    fn write(
        &self,
        dim: usize,
        start: usize,
        indent: usize,
        f: &Formatters,
        options: &PrintOptions,
    ) -> String {
        let rest = &self.shape[dim..];
        let Some(&len) = rest.first() else {
            return self.item(start, f);
        };
        let stride: usize = rest[1..].iter().product();
        let half = len / 2;
        if rest.len() == 1 {
            // With ", " between entries, and a complex entry's "j".
            let entry = f.real.width + 2 + f.imag.as_ref().map_or(0, |i| i.width + 1);
            let per_line = ((options.linewidth.saturating_sub(indent)) / entry).max(1);
            let mut items: Vec<String> = (0..len).map(|i| self.item(start + i, f)).collect();
            if self.cut[dim] {
                items.insert(half, " ...".to_string());
            }
            let lines: Vec<String> = items.chunks(per_line).map(|line| line.join(", ")).collect();
            return format!(
                "[{}]",
                lines.join(&format!(",\n{}", " ".repeat(indent + 1)))
            );
        }
        let mut slices: Vec<String> = (0..len)
            .map(|i| self.write(dim + 1, start + i * stride, indent + 1, f, options))
            .collect();
        if self.cut[dim] {
            slices.insert(half, "...".to_string());
        }
        let separator = format!(",{}{}", "\n".repeat(rest.len() - 1), " ".repeat(indent + 1));
        format!("[{}]", slices.join(&separator))
    }
}

/// `values` printed as PyTorch prints a tensor: `tensor(...)` with the
/// device, size, dtype, `grad_fn=<name>` or `requires_grad=True` suffixes
/// where PyTorch shows them.
pub fn torch_repr(values: &Tensor, requires_grad: bool, grad_fn: Option<&str>) -> Result<String> {
    let options = print_options();
    let prefix = "tensor(";
    let indent = prefix.len();
    let dtype = values.dtype();
    let mut suffixes = Vec::new();
    if values.device() != Device::CPU {
        suffixes.push(format!("device='{}'", values.device()));
    }
    let body = if values.numel() == 0 {
        if values.ndim() != 1 {
            suffixes.push(format!("size={}", py_tuple(&values.shape())));
        }
        if dtype != crate::get_default_dtype() {
            suffixes.push(format!("dtype=flodl.{}", dtype.name()));
        }
        "[]".to_string()
    } else {
        if options.edgeitems == 0 {
            suffixes.push(format!("size={}", py_tuple(&values.shape())));
        }
        let default_complex = crate::get_default_dtype().to_complex().ok();
        if dtype != crate::get_default_dtype()
            && Some(dtype) != default_complex
            && !matches!(dtype, DType::Int64 | DType::Bool)
        {
            suffixes.push(format!("dtype=flodl.{}", dtype.name()));
        }
        let kept = Kept::of(values, &options)?;
        let formatters = kept.formatters(&options);
        kept.write(0, 0, indent, &formatters, &options)
    };
    match grad_fn {
        Some(name) => suffixes.push(format!("grad_fn=<{name}>")),
        None if requires_grad => suffixes.push("requires_grad=True".to_string()),
        None => {}
    }
    Ok(with_suffixes(
        format!("{prefix}{body}"),
        &suffixes,
        indent,
        options.linewidth,
    ))
}

/// PyTorch's `_add_suffixes`: each on the line if it fits, else on a new
/// line at `indent`.
fn with_suffixes(text: String, suffixes: &[String], indent: usize, linewidth: usize) -> String {
    // As PyTorch counts it (one more than the last line's length).
    let mut last_line = match text.rfind('\n') {
        Some(at) => text.len() - at + 1,
        None => text.len() + 2,
    };
    let mut out = text;
    for suffix in suffixes {
        if last_line + suffix.len() + 2 > linewidth {
            out.push_str(&format!(",\n{}{suffix}", " ".repeat(indent)));
            last_line = indent + suffix.len();
        } else {
            out.push_str(&format!(", {suffix}"));
            last_line += suffix.len() + 2;
        }
    }
    out.push(')');
    out
}

/// A shape as Python writes a tuple: `(0, 3)`, `(0,)`.
fn py_tuple(shape: &[i64]) -> String {
    match shape {
        [one] => format!("({one},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repr(values: &[f32], shape: &[i64]) -> Result<String> {
        let t = Tensor::from_f32(values, shape, Device::CPU)?;
        torch_repr(&t, false, None)
    }

    #[test]
    fn prints_as_pytorch() -> Result<()> {
        assert_eq!(repr(&[1.5, 2.0], &[2])?, "tensor([1.5000, 2.0000])");
        assert_eq!(
            repr(&[1.0, 2.0, 3.0, 4.0], &[2, 2])?,
            "tensor([[1., 2.],\n        [3., 4.]])"
        );
        assert_eq!(
            repr(&[1e-5, 1.0], &[2])?,
            "tensor([1.0000e-05, 1.0000e+00])"
        );
        assert_eq!(repr(&[2.5], &[])?, "tensor(2.5000)");
        assert_eq!(repr(&[], &[0, 3])?, "tensor([], size=(0, 3))");
        assert_eq!(sci(f64::NAN, 4), "nan");
        Ok(())
    }
}
