//! The short-time Fourier transform and its inverse with `torch.stft`'s
//! Python-level rules (centring pad, defaults that depend on the input),
//! which tch's wrappers of the ATen ops leave to the caller.

use super::nn::{Mode, PadMode};
use super::{invalid, Failure};
use crate::ErrorKind;

fn is_complex(t: &tch::Tensor) -> bool {
    crate::dtype::dtype_of(t).is_complex()
}

/// `torch.stft`: the windowed transforms of the frames of a 1-d signal (or
/// a batch of them), `[(batch,) freq, frames]`.
#[allow(clippy::too_many_arguments)] // torch.stft's parameters
pub(crate) fn stft(
    x: &tch::Tensor,
    n_fft: i64,
    hop_length: Option<i64>,
    win_length: Option<i64>,
    window: Option<&tch::Tensor>,
    center: bool,
    pad_mode: PadMode,
    normalized: bool,
    onesided: Option<bool>,
    return_complex: Option<bool>,
) -> Result<tch::Tensor, Failure> {
    let complex_in = is_complex(x) || window.is_some_and(is_complex);
    let Some(return_complex) = return_complex.or(complex_in.then_some(true)) else {
        return Err(invalid(
            ErrorKind::Argument,
            "give return_complex for a real input (True: a complex result; False: its view_as_real)",
        ));
    };
    let signal = if center {
        // As torch.stft: reflect (or `pad_mode`) n_fft / 2 values at both
        // ends, the signal seen as [1, 1, len] or [1, batch, len] for pad.
        let dims = x.dim();
        if !(1..=2).contains(&dims) {
            return Err(invalid(
                ErrorKind::Shape,
                format!("expects a 1-d or 2-d signal, got shape {:?}", x.size()),
            ));
        }
        let mut extended = vec![1i64; 3 - dims];
        extended.extend(x.size());
        let pad = n_fft / 2;
        let padded = x
            .f_view(extended.as_slice())?
            .f_pad([pad, pad], pad_mode.name(), None)?;
        let size = padded.size();
        padded.f_view(&size[3 - dims..])?
    } else {
        x.shallow_clone()
    };
    let onesided = onesided.unwrap_or(!complex_in);
    let spectrum = signal.f_stft(
        n_fft, hop_length, win_length, window, normalized, onesided, true, false,
    )?;
    if return_complex {
        Ok(spectrum)
    } else {
        Ok(spectrum.f_view_as_real()?)
    }
}

/// `torch.istft`: the signal whose `stft` is `x` (complex,
/// `[(batch,) freq, frames]`), by overlap-add.
#[allow(clippy::too_many_arguments)] // torch.istft's parameters
pub(crate) fn istft(
    x: &tch::Tensor,
    n_fft: i64,
    hop_length: Option<i64>,
    win_length: Option<i64>,
    window: Option<&tch::Tensor>,
    center: bool,
    normalized: bool,
    onesided: Option<bool>,
    length: Option<i64>,
    return_complex: bool,
) -> Result<tch::Tensor, Failure> {
    if !is_complex(x) {
        return Err(invalid(
            ErrorKind::DType,
            format!(
                "expects a complex spectrum (stft(..., return_complex=True)), got {}",
                crate::dtype::raw_dtype_name(x)
            ),
        ));
    }
    let size = x.size();
    // ATen's default: one-sided unless the spectrum has all n_fft bins.
    let freq = size.len().checked_sub(2).map_or(n_fft, |d| size[d]);
    let onesided = onesided.unwrap_or(freq != n_fft);
    Ok(x.f_istft(
        n_fft,
        hop_length,
        win_length,
        window,
        center,
        normalized,
        onesided,
        length,
        return_complex,
    )?)
}
