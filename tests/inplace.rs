//! In-place ops from Rust: new values in every handle, libtorch's autograd
//! rules as Autograd errors, an optimizer-style update under no_grad.
use flodl::{Device, ErrorKind, Result, Tensor, Variable};

fn t(values: &[f64]) -> Tensor {
    Tensor::from_f64(values, &[values.len() as i64], Device::CPU).unwrap()
}

#[test]
fn in_place_ops_change_the_values_every_handle_sees() -> Result<()> {
    let a = t(&[1.0, 2.0]);
    let alias = a.clone(); // a new handle on the same values
    a.add_(&t(&[3.0, 4.0]))?;
    a.mul_scalar_(2.0)?;
    a.clamp_(0.0, 9.0)?;
    assert_eq!(alias.to_f64_vec()?, vec![8.0, 9.0]);
    a.zero_()?;
    assert_eq!(alias.to_f64_vec()?, vec![0.0, 0.0]);
    Ok(())
}

#[test]
fn a_leaf_that_requires_grad_changes_only_under_no_grad() -> Result<()> {
    let w = Variable::new(t(&[1.0, 2.0]), true)?;
    let err = w.sub_scalar_(0.5).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Autograd, "{err}");
    assert!(err.to_string().starts_with("sub_scalar_:"), "{err}");
    let y = w.mul(&w)?.sum()?;
    y.backward()?;
    let grad = w.grad().unwrap();
    let step = Variable::new(grad.mul_scalar(0.1)?, false)?;
    flodl::no_grad(|| w.sub_(&step))?;
    assert_eq!(w.data().to_f64_vec()?, vec![0.8, 1.6]);
    Ok(())
}

#[test]
fn changing_a_value_backward_needs_is_an_autograd_error() -> Result<()> {
    let x = Variable::new(t(&[1.0, 2.0]), true)?;
    let y = x.mul_scalar(2.0)?;
    let z = y.sin()?;
    y.add_scalar_(1.0)?;
    let err = z.sum()?.backward().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Autograd, "{err}");
    Ok(())
}

#[test]
fn index_put_writes_the_indexed_entries() -> Result<()> {
    use flodl::TensorIndex;
    let x = Tensor::zeros(&[2, 3], Default::default())?;
    x.index_put_(&[TensorIndex::Int(1)], &t(&[1.0, 2.0, 3.0]), false)?;
    let mask =
        Tensor::from_f64(&[1.0, 0.0, 1.0], &[3], Device::CPU)?.to_dtype(flodl::DType::Bool)?;
    x.index_put_(
        &[TensorIndex::Ellipsis, TensorIndex::Tensor(mask)],
        &t(&[9.0]),
        false,
    )?;
    assert_eq!(x.to_f64_vec()?, vec![9.0, 0.0, 9.0, 9.0, 2.0, 9.0]);
    // accumulate: an entry indexed twice takes both values
    // (the values in x's dtype: advanced indices take no other, as torch's)
    let x = x.to_dtype(flodl::DType::Float64)?;
    let rows = Tensor::from_i64(&[0, 0, 1], &[3], Device::CPU)?;
    let sums = x.index_put(&[TensorIndex::Tensor(rows)], &t(&[1.0, 1.0, 1.0]), true)?;
    assert_eq!(sums.to_f64_vec()?, vec![11.0, 2.0, 11.0, 10.0, 3.0, 10.0]);
    assert_eq!(x.to_f64_vec()?, vec![9.0, 0.0, 9.0, 9.0, 2.0, 9.0]); // a copy
    Ok(())
}
