//! Printing a tensor's values as nested lists, as PyTorch does: tensors with
//! more than `SUMMARY_THRESHOLD` elements show only the first and last
//! `EDGE_ITEMS` entries of each dimension.

use std::fmt;

use super::{DType, Tensor};

const SUMMARY_THRESHOLD: usize = 1000;
const EDGE_ITEMS: usize = 3;

impl Tensor {
    /// The values as nested lists: `[[1.0, 2.0], [3.0, 4.0]]`.
    pub fn values_string(&self) -> String {
        let shape: Vec<usize> = self.shape().iter().map(|&d| d as usize).collect();
        let summarise = self.numel() > SUMMARY_THRESHOLD;
        let dtype = self.dtype();
        let text = if dtype.is_floating_point() {
            self.to_f64_vec()
                .map(|v| v.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>())
        } else if dtype.is_complex() {
            // As Python writes a complex number: `(1.5+2.0j)`.
            let parts = self
                .real()
                .and_then(|re| re.to_f64_vec())
                .and_then(|re| Ok((re, self.imag()?.to_f64_vec()?)));
            parts.map(|(re, im)| {
                re.iter()
                    .zip(&im)
                    .map(|(&re, &im)| crate::Scalar::Complex(re, im).to_string())
                    .collect()
            })
        } else if dtype == DType::Bool {
            self.to_i64_vec().map(|v| {
                v.iter()
                    .map(|&x| (if x != 0 { "True" } else { "False" }).to_string())
                    .collect()
            })
        } else {
            self.to_i64_vec()
                .map(|v| v.iter().map(|x| x.to_string()).collect())
        };
        match text {
            Ok(items) => {
                let mut out = String::new();
                nest(&mut out, &items, &shape, summarise);
                out
            }
            Err(e) => format!("<values unavailable: {e}>"),
        }
    }
}

/// Writes `items` (row-major, of `shape`) as nested lists.
fn nest(out: &mut String, items: &[String], shape: &[usize], summarise: bool) {
    let Some((&len, rest)) = shape.split_first() else {
        out.push_str(items.first().map(String::as_str).unwrap_or(""));
        return;
    };
    let stride: usize = rest.iter().product();
    out.push('[');
    let elide = summarise && len > 2 * EDGE_ITEMS;
    let mut first = true;
    for i in 0..len {
        if elide && i == EDGE_ITEMS {
            out.push_str(", ...");
        }
        if elide && (EDGE_ITEMS..len - EDGE_ITEMS).contains(&i) {
            continue;
        }
        if !first {
            out.push_str(", ");
        }
        first = false;
        nest(out, &items[i * stride..(i + 1) * stride], rest, summarise);
    }
    out.push(']');
}

impl fmt::Display for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Tensor({}, shape={:?}, dtype={}, device={})",
            self.values_string(),
            self.shape(),
            self.dtype(),
            self.device()
        )
    }
}

impl fmt::Debug for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Device, Tensor, TensorOptions};

    #[test]
    fn shows_values_as_nested_lists() {
        let t = Tensor::from_f32(&[1.0, 2.0, 3.0, 4.5], &[2, 2], Device::CPU).unwrap();
        assert_eq!(
            t.to_string(),
            "Tensor([[1.0, 2.0], [3.0, 4.5]], shape=[2, 2], dtype=float32, device=cpu)"
        );
        let scalar = Tensor::from_i64(&[7], &[], Device::CPU).unwrap();
        assert_eq!(scalar.values_string(), "7");
    }

    #[test]
    fn summarises_large_tensors() {
        let t = Tensor::zeros(&[2000], TensorOptions::default()).unwrap();
        assert_eq!(t.values_string(), "[0.0, 0.0, 0.0, ..., 0.0, 0.0, 0.0]");
    }
}
