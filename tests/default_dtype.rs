//! `set_default_dtype`: one test in its own binary, because the default is
//! process-wide (libtorch's) and Rust runs a binary's tests on parallel
//! threads.
use flodl::{
    get_default_dtype, nn, set_default_dtype, DType, ErrorKind, Scalar, Tensor, TensorOptions,
};

#[test]
fn the_default_dtype_makes_new_floats_and_parameters() -> flodl::Result<()> {
    assert_eq!(get_default_dtype(), DType::Float32);
    set_default_dtype(DType::Float64)?;
    assert_eq!(get_default_dtype(), DType::Float64);
    assert_eq!(TensorOptions::default().dtype, DType::Float64);
    assert_eq!(
        Tensor::zeros(&[2], TensorOptions::default())?.dtype(),
        DType::Float64
    );
    let linear = nn::Linear::new(3, 2, true)?;
    assert!(nn::Module::parameters(&linear)
        .iter()
        .all(|p| p.dtype() == DType::Float64));
    // A float scalar with an integer tensor promotes to the default, as in
    // PyTorch.
    let ints = Tensor::from_i64(&[1, 2], &[2], flodl::Device::CPU)?;
    assert_eq!(ints.mul_scalar(Scalar::Float(1.5))?.dtype(), DType::Float64);

    let refused = set_default_dtype(DType::Int64).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Argument);
    assert!(refused.to_string().contains("set_default_dtype"));
    assert_eq!(get_default_dtype(), DType::Float64);

    set_default_dtype(DType::Float32)?;
    assert_eq!(
        Tensor::zeros(&[2], TensorOptions::default())?.dtype(),
        DType::Float32
    );
    Ok(())
}
