//! Randomized low-rank decompositions (Halko, Martinsson and Tropp, 2009:
//! a randomized range finder with subspace iterations, then the SVD of the
//! small projected matrix), as `torch.svd_lowrank` and `torch.pca_lowrank`.
//! The steps are PyTorch's, in its order, so one seed draws one basis and
//! gives torch's numbers; each step is a libtorch op, so a Variable records
//! the whole computation.

use tch::Tensor as Raw;

use super::invalid;
use crate::error::{ErrorKind, Failure};

type Decomposition = Result<(Raw, Raw, Raw), Failure>;

/// `x - m @ with` when there is an `m` (the implicit centring of
/// `svd_lowrank(a, M=m)`), `x` otherwise.
fn less(x: Raw, m: Option<&Raw>, with: &Raw) -> Result<Raw, Failure> {
    Ok(match m {
        Some(m) => x.f_sub(&m.f_matmul(with)?)?,
        None => x,
    })
}

/// An orthonormal basis `Q` (`[.., rows, q]`) of the range of `a - m`,
/// from `q` Gaussian directions refined by `niter` subspace iterations.
fn approximate_basis(a: &Raw, q: i64, niter: i64, m: Option<&Raw>) -> Result<Raw, Failure> {
    let kind = if a.is_floating_point() {
        a.kind()
    } else {
        tch::Kind::Float
    };
    let columns = a.size().last().copied().unwrap_or(0);
    let r = Raw::f_randn([columns, q], (kind, a.device()))?;
    let (a_h, m_h) = (a.f_mh()?, m.map(Raw::f_mh).transpose()?);
    let mut basis = Raw::f_linalg_qr(&less(a.f_matmul(&r)?, m, &r)?, "reduced")?.0;
    for _ in 0..niter {
        let x = less(a_h.f_matmul(&basis)?, m_h.as_ref(), &basis)?;
        basis = Raw::f_linalg_qr(&x, "reduced")?.0;
        let x = less(a.f_matmul(&basis)?, m, &basis)?;
        basis = Raw::f_linalg_qr(&x, "reduced")?.0;
    }
    Ok(basis)
}

/// `(U, S, V)` of rank `q` with `a - m ≈ U diag(S) Vᴴ`.
pub(crate) fn svd_lowrank(a: &Raw, q: i64, niter: i64, m: Option<&Raw>) -> Decomposition {
    let size = a.size();
    if size.len() < 2 {
        return Err(invalid(
            ErrorKind::Shape,
            format!("svd_lowrank: needs a matrix or a batch of them, got shape {size:?}"),
        ));
    }
    if q < 0 || niter < 0 {
        return Err(invalid(
            ErrorKind::Argument,
            format!("svd_lowrank: q (={q}) and niter (={niter}) must be non-negative"),
        ));
    }
    let m = m.map(|m| m.f_broadcast_to(size.as_slice())).transpose()?;
    // A wide matrix is decomposed through its adjoint, as PyTorch does.
    let wide = size[size.len() - 2] < size[size.len() - 1];
    let (a, m) = match wide {
        true => (a.f_mh()?, m.as_ref().map(Raw::f_mh).transpose()?),
        false => (a.shallow_clone(), m),
    };
    let basis = approximate_basis(&a, q, niter, m.as_ref())?;
    let basis_h = basis.f_mh()?;
    let b = basis_h.f_matmul(&a)?;
    let b = match &m {
        Some(m) => b.f_sub(&basis_h.f_matmul(m)?)?,
        None => b,
    };
    let (u, s, v) = b.f_svd(true, true)?;
    let u = basis.f_matmul(&u)?;
    Ok(if wide { (v, s, u) } else { (u, s, v) })
}

/// The principal components of the rows of `a` (centred on their mean
/// unless `center` is false): `svd_lowrank` of rank `q`, by default
/// `min(6, rows, columns)`.
pub(crate) fn pca_lowrank(a: &Raw, q: Option<i64>, center: bool, niter: i64) -> Decomposition {
    let size = a.size();
    if size.len() < 2 {
        return Err(invalid(
            ErrorKind::Shape,
            format!("pca_lowrank: needs a matrix or a batch of them, got shape {size:?}"),
        ));
    }
    let most = size[size.len() - 2].min(size[size.len() - 1]);
    let q = q.unwrap_or(most.min(6));
    if !(0..=most).contains(&q) {
        return Err(invalid(
            ErrorKind::Argument,
            format!("pca_lowrank: q (={q}) must be between 0 and min(m, n) (={most})"),
        ));
    }
    if niter < 0 {
        return Err(invalid(
            ErrorKind::Argument,
            format!("pca_lowrank: niter (={niter}) must be non-negative"),
        ));
    }
    match center {
        true => {
            let mean = a.f_mean_dim([-2i64].as_slice(), true, None)?;
            svd_lowrank(&a.f_sub(&mean)?, q, niter, None)
        }
        false => svd_lowrank(a, q, niter, None),
    }
}
