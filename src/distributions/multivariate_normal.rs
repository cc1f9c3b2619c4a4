//! The multivariate normal distribution, as
//! `torch.distributions.MultivariateNormal`: made from a covariance matrix,
//! a precision matrix or a lower Cholesky factor, kept as the factor
//! (unbroadcast, as PyTorch keeps it), with PyTorch's batched Mahalanobis
//! distance so that log-probabilities round as PyTorch's do.

use std::any::Any;

use super::constraints::Constraint;
use super::require;
use super::{
    broadcast_shape, checked, constant, drawn, invalid_parameter, options_of, real, Distribution,
};
use crate::error::{bail, ErrorKind, Result};
use crate::{Tensor, Variable};

const POSITIVE_DEFINITE: &str = "PositiveDefinite()";

/// Which matrix the distribution was made from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CovarianceForm {
    /// `covariance_matrix`: positive-definite.
    Covariance,
    /// `precision_matrix`: the inverse covariance, positive-definite.
    Precision,
    /// `scale_tril`: the lower Cholesky factor of the covariance.
    ScaleTril,
}

impl CovarianceForm {
    fn name(self) -> &'static str {
        match self {
            CovarianceForm::Covariance => "covariance_matrix",
            CovarianceForm::Precision => "precision_matrix",
            CovarianceForm::ScaleTril => "scale_tril",
        }
    }
}

/// `N(loc, L L^T)` over the last dim of `loc`.
#[derive(Clone, Debug)]
pub struct MultivariateNormal {
    /// Expanded to `batch ++ [n]`.
    loc: Variable,
    /// The lower Cholesky factor of the covariance, of its own batch dims.
    scale_tril: Variable,
    /// The matrix it was made from, expanded to `batch ++ [n, n]`.
    given: Variable,
    form: CovarianceForm,
    batch_shape: Vec<i64>,
    validate: bool,
}

impl MultivariateNormal {
    /// From `loc` (`[*, n]`) and `matrix` (`[*, n, n]`) of the kind `form`,
    /// their batch dims broadcast together. With `validate`, `loc` must not
    /// be NaN, a covariance or precision matrix must be symmetric
    /// positive-definite, and a `scale_tril` lower triangular with a
    /// positive diagonal.
    pub fn new(
        loc: &Variable,
        matrix: &Variable,
        form: CovarianceForm,
        validate: bool,
    ) -> Result<MultivariateNormal> {
        const NAME: &str = "MultivariateNormal";
        let (loc_shape, matrix_shape) = (loc.shape(), matrix.shape());
        if loc_shape.is_empty() {
            bail!(Argument, "{NAME}: loc must be at least one-dimensional.");
        }
        if matrix_shape.len() < 2 {
            bail!(
                Argument,
                "{NAME}: {} must be at least two-dimensional, with optional leading batch dimensions",
                form.name()
            );
        }
        let batch_shape = broadcast_shape(
            NAME,
            &[
                matrix_shape[..matrix_shape.len() - 2].to_vec(),
                loc_shape[..loc_shape.len() - 1].to_vec(),
            ],
        )?;
        let given = matrix.expand(&[batch_shape.as_slice(), &[-1, -1]].concat())?;
        let loc = loc.expand(&[batch_shape.as_slice(), &[-1]].concat())?;
        if validate {
            require(NAME, "loc", &loc.data(), &Constraint::Real.independent(1))?;
            let m = given.data();
            let constraint = match form {
                CovarianceForm::ScaleTril => Constraint::LowerCholesky,
                _ => Constraint::PositiveDefinite,
            };
            require(NAME, form.name(), &m, &constraint)?;
        }
        let scale_tril = match form {
            CovarianceForm::ScaleTril => Ok(matrix.clone()),
            CovarianceForm::Covariance => matrix.cholesky(false),
            CovarianceForm::Precision => precision_to_scale_tril(matrix),
        };
        let scale_tril = match scale_tril {
            Err(e) if validate && e.kind() == ErrorKind::LinAlg => {
                return Err(invalid_parameter(NAME, form.name(), POSITIVE_DEFINITE));
            }
            other => other?,
        };
        Ok(MultivariateNormal {
            loc,
            scale_tril,
            given,
            form,
            batch_shape,
            validate,
        })
    }

    /// The mean, `batch ++ [n]`.
    pub fn loc(&self) -> &Variable {
        &self.loc
    }

    fn n(&self) -> i64 {
        self.loc.shape().last().copied().unwrap_or(0)
    }

    fn matrix_shape(&self) -> Vec<i64> {
        [self.batch_shape.as_slice(), &[self.n(), self.n()]].concat()
    }

    /// The lower Cholesky factor of the covariance, `batch ++ [n, n]`.
    pub fn scale_tril(&self) -> Result<Variable> {
        match self.form {
            CovarianceForm::ScaleTril => Ok(self.given.clone()),
            _ => self.scale_tril.expand(&self.matrix_shape()),
        }
    }

    /// The covariance matrix, `batch ++ [n, n]`.
    pub fn covariance_matrix(&self) -> Result<Variable> {
        match self.form {
            CovarianceForm::Covariance => Ok(self.given.clone()),
            _ => {
                let l = &self.scale_tril;
                l.matmul(&l.transpose(-2, -1)?)?
                    .expand(&self.matrix_shape())
            }
        }
    }

    /// The precision (inverse covariance) matrix, `batch ++ [n, n]`.
    pub fn precision_matrix(&self) -> Result<Variable> {
        match self.form {
            CovarianceForm::Precision => Ok(self.given.clone()),
            _ => self
                .scale_tril
                .cholesky_inverse(false)?
                .expand(&self.matrix_shape()),
        }
    }

    /// The sum of the logs of the factor's diagonal: half the log-determinant
    /// of the covariance.
    fn half_log_det(&self) -> Result<Variable> {
        self.scale_tril
            .diagonal(0, -2, -1)?
            .log()?
            .sum_dim(-1, false)
    }
}

/// The three matrices of a multivariate normal by name, those that could
/// be computed (for `params`).
fn matrices(
    scale_tril: Result<Variable>,
    covariance: Result<Variable>,
    precision: Result<Variable>,
) -> impl Iterator<Item = (&'static str, Variable)> {
    [
        ("scale_tril", scale_tril),
        ("covariance_matrix", covariance),
        ("precision_matrix", precision),
    ]
    .into_iter()
    .filter_map(|(name, m)| Some((name, m.ok()?)))
}

/// The lower Cholesky factor of the covariance whose inverse is `p`, as
/// PyTorch computes it (from the flipped precision's factor).
fn precision_to_scale_tril(p: &Variable) -> Result<Variable> {
    let flipped = p.flip(&[-2, -1])?.cholesky(false)?;
    let l_inv = flipped.flip(&[-2, -1])?.transpose(-2, -1)?;
    let n = p.shape().last().copied().unwrap_or(0);
    let eye = constant(Tensor::eye(n, options_of(p))?)?;
    l_inv.linalg_solve_triangular(&eye, false, true, false)
}

/// `x^T (L L^T)^-1 x` for `L` of batch dims that `x`'s rightmost batch dims
/// broadcast over, PyTorch's `_batch_mahalanobis`: the rows of `x` are laid
/// out so that one triangular solve per matrix of `L` takes them all, which
/// keeps PyTorch's rounding.
fn batch_mahalanobis(l: &Variable, x: &Variable) -> Result<Variable> {
    let x_shape = x.shape();
    let l_shape = l.shape();
    if x.numel() == 0 || l.numel() == 0 {
        // Nothing to solve (and no batch size to divide by): the empty sums.
        return x.pow_scalar(2)?.sum_dim(-1, false);
    }
    let n = x_shape[x_shape.len() - 1];
    let x_batch = &x_shape[..x_shape.len() - 1];
    let l_batch_dims = l_shape.len() - 2;
    let outer = x_batch.len() - l_batch_dims;
    let old_batch_dims = outer + l_batch_dims;
    let new_batch_dims = outer + 2 * l_batch_dims;
    // x as (..., j, i, ..., n): each L batch dim split into (size / L's, L's).
    let mut split: Vec<i64> = x_shape[..outer].to_vec();
    for (&sl, &sx) in l_shape[..l_batch_dims]
        .iter()
        .zip(&x_shape[outer..x_shape.len() - 1])
    {
        split.extend([sx / sl, sl]);
    }
    split.push(n);
    let mut order: Vec<i64> = (0..outer as i64).collect();
    order.extend((outer as i64..new_batch_dims as i64).step_by(2));
    order.extend((outer as i64 + 1..new_batch_dims as i64).step_by(2));
    order.push(new_batch_dims as i64);
    let arranged = x.reshape(&split)?.permute(&order)?;
    let flat_l = l.reshape(&[-1, n, n])?;
    let matrices = flat_l.shape()[0];
    let columns = arranged.reshape(&[-1, matrices, n])?.permute(&[1, 2, 0])?;
    let solved = flat_l.linalg_solve_triangular(&columns, false, true, false)?;
    let m = solved.pow_scalar(2)?.sum_dim(-2, false)?.t()?;
    let arranged_shape = arranged.shape();
    let m = m.reshape(&arranged_shape[..arranged_shape.len() - 1])?;
    let mut back: Vec<i64> = (0..outer as i64).collect();
    for i in 0..l_batch_dims as i64 {
        back.extend([outer as i64 + i, old_batch_dims as i64 + i]);
    }
    m.permute(&back)?.reshape(x_batch)
}

impl Distribution for MultivariateNormal {
    bookkeeping!("MultivariateNormal");
    fn batch_shape(&self) -> Vec<i64> {
        self.batch_shape.clone()
    }
    fn event_shape(&self) -> Vec<i64> {
        vec![self.n()]
    }
    reparameterized!();
    fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
        let shape = self.extended_shape(sample_shape);
        let eps = constant(Tensor::normal_sized(
            0.0,
            1.0,
            &shape,
            options_of(&self.loc),
        )?)?;
        let moved = self
            .scale_tril
            .matmul(&eps.unsqueeze(-1)?)?
            .squeeze_dims(&[-1])?;
        self.loc.add(&moved)
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, real)?;
        let diff = value.sub(&self.loc)?;
        let m = batch_mahalanobis(&self.scale_tril, &diff)?;
        let log_2pi = (2.0 * std::f64::consts::PI).ln();
        m.add_scalar(self.n() as f64 * log_2pi)?
            .mul_scalar(-0.5)?
            .sub(&self.half_log_det()?)
    }
    fn entropy(&self) -> Result<Variable> {
        let constant_part = 0.5 * self.n() as f64 * (1.0 + (2.0 * std::f64::consts::PI).ln());
        let h = self.half_log_det()?.add_scalar(constant_part)?;
        match self.batch_shape.is_empty() {
            true => Ok(h),
            false => h.expand(&self.batch_shape),
        }
    }
    fn mean(&self) -> Result<Variable> {
        Ok(self.loc.clone())
    }
    fn mode(&self) -> Result<Variable> {
        Ok(self.loc.clone())
    }
    fn variance(&self) -> Result<Variable> {
        let shape = [self.batch_shape.as_slice(), &[self.n()]].concat();
        self.scale_tril
            .pow_scalar(2)?
            .sum_dim(-1, false)?
            .expand(&shape)
    }
    fn params(&self) -> Vec<(&'static str, Variable)> {
        let mut params = vec![("loc", self.loc.clone())];
        params.extend(matrices(
            self.scale_tril(),
            self.covariance_matrix(),
            self.precision_matrix(),
        ));
        params
    }
    fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
        let n = self.n();
        Ok(Box::new(MultivariateNormal {
            loc: self.loc.expand(&[batch_shape, &[n]].concat())?,
            scale_tril: self.scale_tril.clone(),
            given: self.given.expand(&[batch_shape, &[n, n]].concat())?,
            form: self.form,
            batch_shape: batch_shape.to_vec(),
            validate: self.validate,
        }))
    }
}

/// PyTorch's `KL(p || q)` of two multivariate normals of one event size.
pub(super) fn kl_divergence(p: &MultivariateNormal, q: &MultivariateNormal) -> Result<Variable> {
    let n = p.n();
    if n != q.n() {
        bail!(
            Argument,
            "kl_divergence: KL-divergence between two Multivariate Normals with different event shapes cannot be computed"
        );
    }
    let half_term1 = q.half_log_det()?.sub(&p.half_log_det()?)?;
    let (ps, qs) = (p.scale_tril.shape(), q.scale_tril.shape());
    let batch = broadcast_shape(
        "kl_divergence",
        &[qs[..qs.len() - 2].to_vec(), ps[..ps.len() - 2].to_vec()],
    )?;
    let square = [batch.as_slice(), &[n, n]].concat();
    let q_tril = q.scale_tril.expand(&square)?;
    let p_tril = p.scale_tril.expand(&square)?;
    let solved = q_tril.linalg_solve_triangular(&p_tril, false, true, false)?;
    // The trace of X X^T: the squares of X summed.
    let term2 = solved
        .reshape(&[-1, n * n])?
        .pow_scalar(2)?
        .sum_dim(-1, false)?
        .reshape(&batch)?;
    let term3 = batch_mahalanobis(&q.scale_tril, &q.loc.sub(&p.loc)?)?;
    half_term1.add(&term2.add(&term3)?.sub_scalar(n)?.mul_scalar(0.5)?)
}

/// `N(loc, W Wᵀ + diag(D))` over the last dim of `loc`, for a covariance
/// of low rank plus a diagonal, as
/// `torch.distributions.LowRankMultivariateNormal`: its determinant and
/// Mahalanobis distance come from the small "capacitance" matrix `I + Wᵀ
/// D⁻¹ W` (the Woodbury identity), with PyTorch's steps in its order.
#[derive(Clone, Debug)]
pub struct LowRankMultivariateNormal {
    /// `loc`, `cov_factor` (`[.., n, m]`) and `cov_diag` broadcast together.
    loc: Variable,
    cov_factor: Variable,
    cov_diag: Variable,
    /// As given (PyTorch computes from these).
    factor: Variable,
    diag: Variable,
    /// The Cholesky factor of `I + Wᵀ D⁻¹ W`, `[.., m, m]`.
    capacitance_tril: Variable,
    batch_shape: Vec<i64>,
    validate: bool,
}

/// `bmat @ bvec` for batches of matrices and vectors (PyTorch's `_batch_mv`).
fn batch_mv(bmat: &Variable, bvec: &Variable) -> Result<Variable> {
    bmat.matmul(&bvec.unsqueeze(-1)?)?.squeeze_dims(&[-1])
}

/// `I + m` for the square matrices of `m`.
fn plus_identity(m: &Variable) -> Result<Variable> {
    let n = m.shape().last().copied().unwrap_or(0);
    m.add(&constant(Tensor::eye(n, options_of(m))?)?)
}

impl LowRankMultivariateNormal {
    /// From `loc` (`[*, n]`), `cov_factor` (`[*, n, m]`) and `cov_diag`
    /// (`[*, n]`), their batch dims broadcast together. With `validate`,
    /// `loc` and `cov_factor` must not be NaN and `cov_diag` must be
    /// positive.
    pub fn new(
        loc: &Variable,
        cov_factor: &Variable,
        cov_diag: &Variable,
        validate: bool,
    ) -> Result<LowRankMultivariateNormal> {
        const NAME: &str = "LowRankMultivariateNormal";
        let (loc_shape, factor_shape, diag_shape) =
            (loc.shape(), cov_factor.shape(), cov_diag.shape());
        let Some(&n) = loc_shape.last() else {
            bail!(Argument, "{NAME}: loc must be at least one-dimensional.");
        };
        if factor_shape.len() < 2 {
            bail!(
                Argument,
                "{NAME}: cov_factor must be at least two-dimensional, with optional leading batch dimensions"
            );
        }
        if factor_shape[factor_shape.len() - 2] != n {
            bail!(
                Argument,
                "{NAME}: cov_factor must be a batch of matrices with shape {n} x m"
            );
        }
        if diag_shape.last() != Some(&n) {
            bail!(
                Argument,
                "{NAME}: cov_diag must be a batch of vectors with shape [{n}]"
            );
        }
        let m = factor_shape[factor_shape.len() - 1];
        let shape = broadcast_shape(
            NAME,
            &[
                [loc_shape.as_slice(), &[1]].concat(),
                factor_shape.clone(),
                [diag_shape.as_slice(), &[1]].concat(),
            ],
        )
        .map_err(|_| {
            crate::Error::new(
                ErrorKind::Argument,
                format!(
                    "{NAME}: Incompatible batch shapes: loc {loc_shape:?}, cov_factor {factor_shape:?}, cov_diag {diag_shape:?}"
                ),
            )
        })?;
        let vector_shape = &shape[..shape.len() - 1];
        let batch_shape = vector_shape[..vector_shape.len() - 1].to_vec();
        if validate {
            require(NAME, "loc", &loc.data(), &Constraint::Real.independent(1))?;
            let real_matrix = Constraint::Real.independent(2);
            require(NAME, "cov_factor", &cov_factor.data(), &real_matrix)?;
            let positive = Constraint::GreaterThan(0.0.into()).independent(1);
            require(NAME, "cov_diag", &cov_diag.data(), &positive)?;
        }
        let wt_dinv = cov_factor
            .transpose(-2, -1)?
            .div(&cov_diag.unsqueeze(-2)?)?;
        let capacitance = plus_identity(&wt_dinv.matmul(cov_factor)?.contiguous()?)?;
        let capacitance_tril = capacitance.cholesky(false)?;
        Ok(LowRankMultivariateNormal {
            loc: loc.expand(vector_shape)?,
            cov_factor: cov_factor.expand(&[vector_shape, &[m]].concat())?,
            cov_diag: cov_diag.expand(vector_shape)?,
            factor: cov_factor.clone(),
            diag: cov_diag.clone(),
            capacitance_tril,
            batch_shape,
            validate,
        })
    }

    fn n(&self) -> i64 {
        self.loc.shape().last().copied().unwrap_or(0)
    }

    fn matrix_shape(&self) -> Vec<i64> {
        [self.batch_shape.as_slice(), &[self.n(), self.n()]].concat()
    }

    /// `log det(W Wᵀ + D)`: twice the log-diagonal of the capacitance
    /// factor, plus the log of `D`'s product.
    fn log_det(&self) -> Result<Variable> {
        let capacitance = self
            .capacitance_tril
            .diagonal(0, -2, -1)?
            .log()?
            .sum_dim(-1, false)?
            .mul_scalar(2.0)?;
        capacitance.add(&self.diag.log()?.sum_dim(-1, false)?)
    }

    /// The covariance `W Wᵀ + diag(D)`, `batch ++ [n, n]`.
    pub fn covariance_matrix(&self) -> Result<Variable> {
        let w = &self.factor;
        w.matmul(&w.transpose(-2, -1)?)?
            .add(&self.diag.diag_embed(0, -2, -1)?)?
            .expand(&self.matrix_shape())
    }

    /// The precision matrix, by the Woodbury identity, `batch ++ [n, n]`.
    pub fn precision_matrix(&self) -> Result<Variable> {
        let wt_dinv = self
            .factor
            .transpose(-2, -1)?
            .div(&self.diag.unsqueeze(-2)?)?;
        let a = self
            .capacitance_tril
            .linalg_solve_triangular(&wt_dinv, false, true, false)?;
        let inverse_diag = self.diag.reciprocal()?.diag_embed(0, -2, -1)?;
        inverse_diag
            .sub(&a.transpose(-2, -1)?.matmul(&a)?)?
            .expand(&self.matrix_shape())
    }

    /// The lower Cholesky factor of the covariance, `batch ++ [n, n]`.
    pub fn scale_tril(&self) -> Result<Variable> {
        let root = self.diag.sqrt()?.unsqueeze(-1)?;
        let scaled = self.factor.div(&root)?;
        let k = plus_identity(&scaled.matmul(&scaled.transpose(-2, -1)?)?.contiguous()?)?;
        root.mul(&k.cholesky(false)?)?.expand(&self.matrix_shape())
    }
}

impl Distribution for LowRankMultivariateNormal {
    bookkeeping!("LowRankMultivariateNormal");
    fn batch_shape(&self) -> Vec<i64> {
        self.batch_shape.clone()
    }
    fn event_shape(&self) -> Vec<i64> {
        vec![self.n()]
    }
    reparameterized!();
    fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
        let shape = self.extended_shape(sample_shape);
        let rank = self.cov_factor.shape().last().copied().unwrap_or(0);
        let w_shape = [&shape[..shape.len() - 1], &[rank]].concat();
        let options = options_of(&self.loc);
        let eps_w = constant(Tensor::normal_sized(0.0, 1.0, &w_shape, options)?)?;
        let eps_d = constant(Tensor::normal_sized(0.0, 1.0, &shape, options)?)?;
        self.loc
            .add(&batch_mv(&self.factor, &eps_w)?)?
            .add(&self.diag.sqrt()?.mul(&eps_d)?)
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, real)?;
        let diff = value.sub(&self.loc)?;
        let wt_dinv = self
            .factor
            .transpose(-2, -1)?
            .div(&self.diag.unsqueeze(-2)?)?;
        let wt_dinv_x = batch_mv(&wt_dinv, &diff)?;
        let term1 = diff.pow_scalar(2)?.div(&self.diag)?.sum_dim(-1, false)?;
        let term2 = batch_mahalanobis(&self.capacitance_tril, &wt_dinv_x)?;
        let mahalanobis = term1.sub(&term2)?;
        let log_2pi = (2.0 * std::f64::consts::PI).ln();
        self.log_det()?
            .add_scalar(self.n() as f64 * log_2pi)?
            .add(&mahalanobis)?
            .mul_scalar(-0.5)
    }
    fn entropy(&self) -> Result<Variable> {
        let constant_part = self.n() as f64 * (1.0 + (2.0 * std::f64::consts::PI).ln());
        let h = self.log_det()?.add_scalar(constant_part)?.mul_scalar(0.5)?;
        match self.batch_shape.is_empty() {
            true => Ok(h),
            false => h.expand(&self.batch_shape),
        }
    }
    fn mean(&self) -> Result<Variable> {
        Ok(self.loc.clone())
    }
    fn mode(&self) -> Result<Variable> {
        Ok(self.loc.clone())
    }
    fn variance(&self) -> Result<Variable> {
        let shape = [self.batch_shape.as_slice(), &[self.n()]].concat();
        self.factor
            .pow_scalar(2)?
            .sum_dim(-1, false)?
            .add(&self.diag)?
            .expand(&shape)
    }
    fn params(&self) -> Vec<(&'static str, Variable)> {
        let mut params = vec![
            ("loc", self.loc.clone()),
            ("cov_factor", self.cov_factor.clone()),
            ("cov_diag", self.cov_diag.clone()),
        ];
        params.extend(matrices(
            self.scale_tril(),
            self.covariance_matrix(),
            self.precision_matrix(),
        ));
        params
    }
    fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
        let vector = [batch_shape, &[self.n()]].concat();
        let rank = self.cov_factor.shape().last().copied().unwrap_or(0);
        Ok(Box::new(LowRankMultivariateNormal {
            loc: self.loc.expand(&vector)?,
            cov_factor: self
                .cov_factor
                .expand(&[vector.as_slice(), &[rank]].concat())?,
            cov_diag: self.cov_diag.expand(&vector)?,
            batch_shape: batch_shape.to_vec(),
            ..self.clone()
        }))
    }
}
