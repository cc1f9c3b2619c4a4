//! Tensor creation, inspection and errors, from Rust alone.
use flodl::{
    DType, Device, ErrorKind, GridSampleMode, PaddingMode, Tensor, TensorOptions, Variable, Window,
};

fn f64_opts() -> TensorOptions {
    TensorOptions {
        dtype: DType::Float64,
        device: Device::CPU,
    }
}

#[test]
fn creation_and_inspection() {
    let t = Tensor::from_f32(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3], Device::CPU).unwrap();
    assert_eq!(t.shape(), vec![2, 3]);
    assert_eq!((t.ndim(), t.numel()), (2, 6));
    assert_eq!((t.dtype(), t.device()), (DType::Float32, Device::CPU));
    assert_eq!(t.to_f64_vec().unwrap(), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(
        Tensor::from_i64(&[3, 4], &[2], Device::CPU)
            .unwrap()
            .to_i64_vec()
            .unwrap(),
        vec![3, 4]
    );
    assert_eq!(
        Tensor::full(&[2], 1.5, f64_opts())
            .unwrap()
            .to_f64_vec()
            .unwrap(),
        vec![1.5, 1.5]
    );
    assert_eq!(
        Tensor::eye(2, f64_opts()).unwrap().to_f64_vec().unwrap(),
        vec![1.0, 0.0, 0.0, 1.0]
    );
    assert_eq!(
        Tensor::arange(0.0, 1.0, 0.25, f64_opts())
            .unwrap()
            .to_f64_vec()
            .unwrap(),
        vec![0.0, 0.25, 0.5, 0.75]
    );
    assert_eq!(
        Tensor::linspace(0.0, 1.0, 3, f64_opts())
            .unwrap()
            .to_f64_vec()
            .unwrap(),
        vec![0.0, 0.5, 1.0]
    );
    let z = Tensor::zeros(&[3], TensorOptions::default()).unwrap();
    assert_eq!(
        Tensor::ones_like(&z).unwrap().to_f32_vec().unwrap(),
        vec![1.0; 3]
    );
    assert_eq!(Tensor::zeros_like(&z).unwrap().shape(), vec![3]);
    assert_eq!(
        Tensor::ones(&[2, 2], TensorOptions::default())
            .unwrap()
            .sum()
            .unwrap()
            .item()
            .unwrap(),
        4.0
    );
    assert_eq!(
        Tensor::empty(&[0, 4], TensorOptions::default())
            .unwrap()
            .numel(),
        0
    );
}

/// The tests that draw from libtorch's one generator run one at a time:
/// another test's draw between a seed and its draws would change them.
static GENERATOR: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn generator_alone() -> std::sync::MutexGuard<'static, ()> {
    // A test that failed holding it poisons it; the lock itself is fine.
    GENERATOR
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[test]
fn random_tensors_follow_the_seed() {
    let _alone = generator_alone();
    flodl::manual_seed(3);
    let a = Tensor::randn(&[4], TensorOptions::default())
        .unwrap()
        .to_f32_vec()
        .unwrap();
    flodl::manual_seed(3);
    let b = Tensor::randn(&[4], TensorOptions::default())
        .unwrap()
        .to_f32_vec()
        .unwrap();
    assert_eq!(a, b);
    let r = Tensor::rand(&[100], TensorOptions::default())
        .unwrap()
        .to_f32_vec()
        .unwrap();
    assert!(r.iter().all(|&v| (0.0..1.0).contains(&v)));
    let like = Tensor::rand_like(&Tensor::zeros(&[2], f64_opts()).unwrap()).unwrap();
    assert_eq!(like.dtype(), DType::Float64);
    assert_eq!(Tensor::randn_like(&like).unwrap().shape(), vec![2]);
}

#[test]
fn normal_draws_broadcast_means_and_stds_and_refuses_bad_ones() {
    let _alone = generator_alone();
    let mean = Tensor::from_f64(&[0.0, 10.0, 100.0], &[3, 1], Device::CPU).unwrap();
    let std = Tensor::zeros(&[4], f64_opts()).unwrap();
    // A zero std draws the mean itself, broadcast to [3, 4].
    let drawn = Tensor::normal(&mean, &std).unwrap();
    assert_eq!(drawn.shape(), vec![3, 4]);
    assert_eq!(drawn.to_f64_vec().unwrap()[4..8], [10.0; 4]);
    flodl::manual_seed(5);
    let a = Tensor::normal(&mean, 2.0).unwrap().to_f64_vec().unwrap();
    flodl::manual_seed(5);
    let b = Tensor::normal(1.0, &Tensor::ones(&[3, 1], f64_opts()).unwrap()).unwrap();
    assert_ne!(a, b.to_f64_vec().unwrap());
    let sized = Tensor::normal_sized(3.0, 0.0, &[2, 2], f64_opts()).unwrap();
    assert_eq!(sized.to_f64_vec().unwrap(), vec![3.0; 4]);
    let err = Tensor::normal(&mean, -1.0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Argument);
    assert_eq!(
        Tensor::normal(0.0, 1.0).unwrap_err().kind(),
        ErrorKind::Argument
    );
}

#[test]
fn promotion_is_pytorch_s() {
    assert_eq!(
        DType::Float16.promote_types(DType::BFloat16).unwrap(),
        DType::Float32
    );
    assert_eq!(
        DType::Int64.promote_types(DType::Float16).unwrap(),
        DType::Float16
    );
    assert_eq!(
        DType::UInt8.promote_types(DType::Int8).unwrap(),
        DType::Int16
    );
    assert!(!DType::Float32.can_cast(DType::Int64).unwrap());
    assert!(DType::Int64.can_cast(DType::Float32).unwrap());
    let ints = Tensor::zeros(
        &[2],
        TensorOptions {
            dtype: DType::Int8,
            device: Device::CPU,
        },
    )
    .unwrap();
    let half = Tensor::zeros(
        &[],
        TensorOptions {
            dtype: DType::Float64,
            device: Device::CPU,
        },
    )
    .unwrap();
    // A number of the same kind does not widen the tensor; another kind does.
    assert_eq!(flodl::result_type(&ints, 300).unwrap(), DType::Int8);
    assert_eq!(flodl::result_type(&ints, 2.5).unwrap(), DType::Float32);
    // A 0-d tensor of a higher kind than the tensor with dims gives its dtype.
    assert_eq!(flodl::result_type(&ints, &half).unwrap(), DType::Float64);
    assert_eq!(flodl::result_type(true, 2).unwrap(), DType::Int64);
}

#[test]
fn every_dtype_converts() {
    for dtype in DType::ALL {
        let t = Tensor::ones(
            &[2],
            TensorOptions {
                dtype,
                device: Device::CPU,
            },
        )
        .unwrap();
        assert_eq!(t.dtype(), dtype);
        assert_eq!(
            t.to_dtype(DType::Float64).unwrap().to_f64_vec().unwrap(),
            vec![1.0, 1.0]
        );
        assert_eq!(t.to_bytes().unwrap().len(), 2 * dtype.element_size());
    }
}

#[test]
fn ops_compute_the_expected_values() {
    let a = Tensor::from_f64(&[1.0, 2.0, 3.0, 4.0], &[2, 2], Device::CPU).unwrap();
    let b = Tensor::from_f64(&[10.0, 20.0], &[2], Device::CPU).unwrap();
    assert_eq!(
        a.add(&b).unwrap().to_f64_vec().unwrap(),
        vec![11.0, 22.0, 13.0, 24.0]
    );
    assert_eq!(
        a.matmul(&b).unwrap().to_f64_vec().unwrap(),
        vec![50.0, 110.0]
    );
    assert_eq!(a.mean().unwrap().item().unwrap(), 2.5);
    assert_eq!(
        a.neg()
            .unwrap()
            .relu()
            .unwrap()
            .sum()
            .unwrap()
            .item()
            .unwrap(),
        0.0
    );
    assert_eq!(
        a.pow_scalar(2.0).unwrap().to_f64_vec().unwrap(),
        vec![1.0, 4.0, 9.0, 16.0]
    );
}

#[test]
fn errors_have_the_right_kind_and_name_the_op() {
    let cases: Vec<(flodl::Error, ErrorKind, &str)> = vec![
        (
            Tensor::from_f32(&[1.0; 3], &[2, 2], Device::CPU).unwrap_err(),
            ErrorKind::Shape,
            "from_f32: 3 values cannot fill shape [2, 2]",
        ),
        (
            Tensor::zeros(&[2, 3], TensorOptions::default())
                .unwrap()
                .matmul(&Tensor::zeros(&[4, 5], TensorOptions::default()).unwrap())
                .unwrap_err(),
            ErrorKind::Shape,
            "matmul: cannot multiply [2, 3] by [4, 5] (3 != 4)",
        ),
        (
            Tensor::zeros(&[2], TensorOptions::default())
                .unwrap()
                .add(&Tensor::zeros(&[3], TensorOptions::default()).unwrap())
                .unwrap_err(),
            ErrorKind::Shape,
            "add: ",
        ),
        (
            Tensor::from_i64(&[1], &[1], Device::CPU)
                .unwrap()
                .mean()
                .unwrap_err(),
            ErrorKind::DType,
            "mean: ",
        ),
        (
            Tensor::zeros(
                &[1],
                TensorOptions {
                    dtype: DType::Float32,
                    device: Device::CUDA(200),
                },
            )
            .unwrap_err(),
            ErrorKind::Device,
            "zeros: cuda:200",
        ),
        (
            Tensor::zeros(&[-1], TensorOptions::default()).unwrap_err(),
            ErrorKind::Argument,
            "zeros: shape [-1]",
        ),
        (
            Tensor::arange(0.0, 1.0, -1.0, TensorOptions::default()).unwrap_err(),
            ErrorKind::Argument,
            "arange: ",
        ),
        (
            Tensor::empty(&[1 << 40, 1 << 20], TensorOptions::default()).unwrap_err(),
            ErrorKind::OutOfMemory,
            "empty: ",
        ),
        (
            Tensor::zeros(&[2], TensorOptions::default())
                .unwrap()
                .item()
                .unwrap_err(),
            ErrorKind::Shape,
            "item: ",
        ),
    ];
    for (err, kind, prefix) in cases {
        assert_eq!(err.kind(), kind, "{err}");
        assert!(
            err.to_string().starts_with(prefix),
            "{err:?} should start with {prefix:?}"
        );
    }
}

#[test]
fn detach_in_place_works_on_views_too() {
    // from_f32 reshapes a flat buffer, so its result is a view.
    let t = Tensor::from_f32(&[1.0, 2.0], &[2, 1], Device::CPU).unwrap();
    t.detach_().unwrap();
    assert_eq!(t.to_f32_vec().unwrap(), vec![1.0, 2.0]);
}

#[test]
fn comparisons_give_bool_masks_and_where_cond_picks_by_them() {
    let a = Tensor::from_f64(&[1.0, -2.0, 3.0], &[3], Device::CPU).unwrap();
    let b = Tensor::from_f64(&[1.0, 0.0, 4.0], &[3], Device::CPU).unwrap();
    let gt = a.gt(&b).unwrap();
    assert_eq!(gt.dtype(), DType::Bool);
    assert_eq!(gt.to_i64_vec().unwrap(), vec![0, 0, 0]);
    assert_eq!(a.ge(&b).unwrap().to_i64_vec().unwrap(), vec![1, 0, 0]);
    assert_eq!(
        a.ne_scalar(1.0).unwrap().to_i64_vec().unwrap(),
        vec![0, 1, 1]
    );
    let picked = Tensor::where_cond(&a.lt_scalar(0.0).unwrap(), &b, &a).unwrap();
    assert_eq!(picked.to_f64_vec().unwrap(), vec![1.0, 0.0, 3.0]);
    let err = Tensor::where_cond(&a, &a, &b).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DType);
}

#[test]
fn argmax_and_argmin_index_along_a_dim() {
    let t = Tensor::from_f64(&[1.0, 5.0, 2.0, 7.0, 0.0, 3.0], &[2, 3], Device::CPU).unwrap();
    assert_eq!(t.argmax(1).unwrap().to_i64_vec().unwrap(), vec![1, 0]);
    assert_eq!(t.argmin(-2).unwrap().to_i64_vec().unwrap(), vec![0, 1, 0]);
    assert_eq!(t.argmax(2).unwrap_err().kind(), ErrorKind::Index);
}

#[test]
fn nn_functions_take_tensors_too() {
    let x = Tensor::ones(&[1, 1, 4, 4], TensorOptions::default()).unwrap();
    let w = Tensor::ones(&[1, 1, 2, 2], TensorOptions::default()).unwrap();
    let y = flodl::conv2d(&x, &w, None, [2, 2], [0, 0], [1, 1], 1).unwrap();
    assert_eq!(y.shape(), vec![1, 1, 2, 2]);
    assert_eq!(y.to_f32_vec().unwrap(), vec![4.0; 4]);
    // Modes are enums: a bad one cannot be passed, only parsed.
    let err = "cubic".parse::<GridSampleMode>().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Argument);
    assert!(err.to_string().contains("must be one of"), "{err}");
    let grid = Tensor::zeros(&[1, 2, 2, 2], TensorOptions::default()).unwrap();
    let y = flodl::grid_sample(
        &x,
        &grid,
        GridSampleMode::Nearest,
        PaddingMode::Border,
        false,
    );
    assert_eq!(y.unwrap().shape(), vec![1, 1, 2, 2]);
}

#[test]
fn failing_scalar_ops_return_errors() {
    // tch's own wrappers of these panic on a libtorch error.
    let t = Tensor::zeros(&[2, 3], TensorOptions::default()).unwrap();
    assert_eq!(t.normalize(2.0, 5).unwrap_err().kind(), ErrorKind::Index);
    let mask = Tensor::zeros(&[4], TensorOptions::default())
        .unwrap()
        .gt_scalar(0.0)
        .unwrap();
    assert_eq!(
        t.masked_fill(&mask, 1.0).unwrap_err().kind(),
        ErrorKind::Shape
    );
}

#[test]
fn shim_failures_take_their_kind_from_the_exception_type() {
    let t = Tensor::zeros(&[2, 3], TensorOptions::default()).unwrap();
    // at::linalg_vector_norm throws c10::IndexError for a bad dim.
    let err = t.norm_dim(2.0, 5, false).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Index);
    assert!(err.to_string().starts_with("norm_dim: "), "{err}");
    assert!(!err.to_string().contains("Exception raised from"), "{err}");
}

#[test]
fn embedding_padding_idx_counts_from_the_end() {
    let w = Variable::new(
        Tensor::ones(&[4, 2], TensorOptions::default()).unwrap(),
        true,
    )
    .unwrap();
    let indices = Tensor::from_i64(&[3, 0, 3], &[3], Device::CPU).unwrap();
    let y = flodl::embedding(&indices, &w, Some(-1), None, 2.0, false, false).unwrap();
    y.sum().unwrap().backward().unwrap();
    // Row 3 (= -1) is the padding row: no gradient; row 0 gets one.
    let grad = w.grad().unwrap().to_f32_vec().unwrap();
    assert_eq!(grad, vec![1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    for bad in [4, -5] {
        let err = flodl::embedding(&indices, &w, Some(bad), None, 2.0, false, false).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Index, "{bad}");
    }
}

/// PyTorch's integer creations default to Int64; so do flodl's, and the
/// `_with` forms take another dtype.
#[test]
fn random_integers_are_int64_as_pytorch_s() -> flodl::Result<()> {
    let _alone = generator_alone();
    let order = Tensor::randperm(6, Device::CPU)?;
    assert_eq!(order.dtype(), DType::Int64);
    let mut values = order.to_i64_vec()?;
    values.sort_unstable();
    assert_eq!(values, (0..6).collect::<Vec<i64>>());
    let draws = Tensor::randint(-2, 3, &[4, 5], Device::CPU)?;
    assert_eq!((draws.dtype(), draws.shape()), (DType::Int64, vec![4, 5]));
    assert!(draws.to_i64_vec()?.iter().all(|v| (-2..3).contains(v)));
    let opts = TensorOptions {
        dtype: DType::Float64,
        device: Device::CPU,
    };
    assert_eq!(Tensor::randperm_with(3, opts)?.dtype(), DType::Float64);
    assert_eq!(
        Tensor::randint_with(0, 2, &[2], opts)?.dtype(),
        DType::Float64
    );
    Ok(())
}

#[test]
fn joins_and_grids_of_a_sequence() -> flodl::Result<()> {
    let a = Tensor::from_f64(&[1.0, 2.0], &[2], Device::CPU)?;
    let b = Tensor::from_f64(&[3.0, 4.0, 5.0], &[3], Device::CPU)?;
    assert_eq!(
        Tensor::hstack(&[&a, &a])?.to_f64_vec()?,
        [1.0, 2.0, 1.0, 2.0]
    );
    assert_eq!(Tensor::vstack(&[&a, &a])?.shape(), [2, 2]);
    assert_eq!(Tensor::cartesian_prod(&[&a, &b])?.shape(), [6, 2]);
    let grids = Tensor::meshgrid(&[&a, &b], "xy")?;
    assert_eq!(grids.len(), 2);
    assert_eq!(grids[0].shape(), [3, 2]);
    let bad = Tensor::meshgrid(&[&a], "yx").unwrap_err();
    assert_eq!(bad.kind(), flodl::ErrorKind::Argument);
    let none: [&Tensor; 0] = [];
    assert_eq!(
        Tensor::hstack(&none).unwrap_err().kind(),
        flodl::ErrorKind::Argument
    );
    Ok(())
}

#[test]
fn linear_algebra_from_rust() -> flodl::Result<()> {
    use flodl::{MatrixNormOrd, QrMode, Uplo};
    let a = Tensor::from_f64(&[4.0, 1.0, 1.0, 3.0], &[2, 2], Device::CPU)?;
    let close = |t: &Tensor, want: f64| (t.item().unwrap() - want).abs() < 1e-12;
    assert!(close(&a.det()?, 11.0));
    let (sign, logabsdet) = a.slogdet()?;
    assert!(close(&sign, 1.0) && close(&logabsdet, 11f64.ln()));
    let identity = a.matmul(&a.inverse()?)?;
    assert_eq!(
        identity
            .to_f64_vec()?
            .iter()
            .map(|v| v.round())
            .collect::<Vec<_>>(),
        [1.0, 0.0, 0.0, 1.0]
    );
    let (u, s, vh) = a.linalg_svd(false)?;
    let back = u.mul(&s.unsqueeze(0)?)?.matmul(&vh)?;
    for (x, y) in back.to_f64_vec()?.iter().zip(a.to_f64_vec()?) {
        assert!((x - y).abs() < 1e-12);
    }
    let (values, _vectors) = a.linalg_eigh(Uplo::L)?;
    assert_eq!(values.shape(), [2]);
    let (q, r) = a.linalg_qr(QrMode::Complete)?;
    assert_eq!((q.shape(), r.shape()), (vec![2, 2], vec![2, 2]));
    assert!(close(
        &a.linalg_matrix_norm_str(MatrixNormOrd::Fro, &[-2, -1], false)?,
        27f64.sqrt()
    ));
    assert!(close(
        &a.linalg_matrix_norm(f64::INFINITY, &[-2, -1], false)?,
        5.0
    ));
    let x = a.linalg_solve(&Tensor::from_f64(&[5.0, 4.0], &[2], Device::CPU)?, true)?;
    assert_eq!(
        x.to_f64_vec()?
            .iter()
            .map(|v| (v * 1e9).round() / 1e9)
            .collect::<Vec<_>>(),
        [1.0, 1.0]
    );
    // A singular matrix is a LinAlg error (PyTorch's LinAlgError); a
    // matrix that is not square is a Shape error.
    let singular = Tensor::zeros(&[2, 2], f64_opts())?;
    assert_eq!(singular.inverse().unwrap_err().kind(), ErrorKind::LinAlg);
    let wide = Tensor::zeros(&[2, 3], f64_opts())?;
    assert_eq!(wide.det().unwrap_err().kind(), ErrorKind::Shape);
    let product = Tensor::multi_dot(&[&a, &a, &a])?;
    assert!(close(
        &product.sum()?,
        a.matmul(&a)?.matmul(&a)?.sum()?.item()?
    ));
    Ok(())
}

#[test]
fn triangle_indices_of_a_matrix() -> flodl::Result<()> {
    let int64 = TensorOptions {
        dtype: DType::Int64,
        device: Device::CPU,
    };
    let lower = Tensor::tril_indices(3, 3, 0, int64)?;
    assert_eq!(lower.shape(), [2, 6]);
    assert_eq!(lower.to_i64_vec()?, [0, 1, 1, 2, 2, 2, 0, 0, 1, 0, 1, 2]);
    let upper = Tensor::triu_indices(2, 3, 1, int64)?;
    assert_eq!(upper.to_i64_vec()?, [0, 0, 1, 1, 2, 2]);
    let negative = Tensor::tril_indices(-1, 3, 0, int64).unwrap_err();
    assert_eq!(negative.kind(), ErrorKind::Argument);
    Ok(())
}

/// Channels-last layouts and storage offsets, with the strides PyTorch
/// gives an NCHW tensor of shape [2, 3, 4, 5] (NHWC: C varies fastest).
#[test]
fn memory_formats_and_storage_offsets() -> flodl::Result<()> {
    use flodl::MemoryFormat;
    let x = Tensor::arange(0, 120, 1, f64_opts())?.reshape(&[2, 3, 4, 5])?;
    let nhwc = x.contiguous_in(MemoryFormat::ChannelsLast)?;
    assert_eq!(nhwc.stride(), vec![60, 1, 15, 3]);
    assert!(!nhwc.is_contiguous() && nhwc.is_contiguous_in(MemoryFormat::ChannelsLast)?);
    assert_eq!(nhwc.to_f64_vec()?, x.to_f64_vec()?);
    assert_eq!(
        nhwc.copy_in(MemoryFormat::Preserve)?.stride(),
        vec![60, 1, 15, 3]
    );
    assert_eq!(
        nhwc.copy_in(MemoryFormat::Contiguous)?.stride(),
        vec![60, 20, 5, 1]
    );
    assert_eq!(nhwc.suggest_memory_format()?, MemoryFormat::ChannelsLast);
    // One channel is row-major and channels last at once: row-major wins.
    let one = Tensor::zeros(&[2, 1, 4, 4], f64_opts())?;
    assert!(one.is_contiguous_in(MemoryFormat::ChannelsLast)?);
    assert_eq!(one.suggest_memory_format()?, MemoryFormat::Contiguous);
    assert_eq!(x.narrow(0, 1, 1)?.storage_offset()?, 60);
    let err = x
        .select(0, 0)?
        .contiguous_in(MemoryFormat::ChannelsLast)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Shape);
    // Through a Variable, the relayout is differentiable.
    let v = Variable::new(x.clone(), true)?;
    v.contiguous_in(MemoryFormat::ChannelsLast)?
        .sum()?
        .backward()?;
    assert_eq!(
        v.grad().map(|g| g.to_f64_vec()).transpose()?,
        Some(vec![1.0; 120])
    );
    Ok(())
}

/// The `*_like_with` constructors keep the source's layout (a transposed
/// matrix stays transposed, channels last stays so), draw in its memory
/// order (so the draw laid out row-major is the row-major draw relaid), and
/// check their arguments.
#[test]
fn like_constructors_keep_the_layout_and_draw_in_memory_order() -> flodl::Result<()> {
    use flodl::MemoryFormat::{self, ChannelsLast, Contiguous, Preserve};
    let _alone = generator_alone();
    let x = Tensor::zeros(&[2, 3, 4, 5], f64_opts())?.contiguous_in(ChannelsLast)?;
    let opts = TensorOptions {
        dtype: DType::Float32,
        device: Device::CPU,
    };
    let zeros = Tensor::zeros_like_with(&x, opts, Preserve)?;
    assert_eq!(
        (zeros.stride(), zeros.dtype()),
        (x.stride(), DType::Float32)
    );
    let t = Tensor::zeros(&[3, 4], f64_opts())?.t()?;
    assert_eq!(Tensor::ones_like(&t)?.stride(), vec![1, 4]);
    assert_eq!(
        Tensor::full_like_with(&t, 2.5, t.options(), Contiguous)?.stride(),
        vec![3, 1]
    );
    let draw = |format: MemoryFormat| -> flodl::Result<Vec<f64>> {
        flodl::manual_seed(5);
        let drawn = Tensor::rand_like_with(&x, x.options(), format)?;
        // NHWC order: channels-last memory read row-major.
        drawn.permute(&[0, 2, 3, 1])?.to_f64_vec()
    };
    let (nhwc, nchw) = (draw(Preserve)?, draw(Contiguous)?);
    flodl::manual_seed(5);
    let stream = Tensor::rand(&[120], f64_opts())?.to_f64_vec()?;
    assert_eq!(nhwc, stream);
    assert_ne!(nchw, stream);
    let ints = Tensor::randint_like_with(&x, 3, 7, x.options(), Preserve)?.to_f64_vec()?;
    assert!(ints.iter().all(|v| (3.0..7.0).contains(v)));
    let err = Tensor::randint_like_with(&x, 7, 7, x.options(), Preserve).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Argument);
    let err = Tensor::rand_like_with(&t, t.options(), ChannelsLast).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Shape);
    assert!(err.to_string().starts_with("rand_like: "), "{err}");
    Ok(())
}

/// The switches of scaled_dot_product_attention's kernels: libtorch's own,
/// read back as set; `sdpa_kernel` allows only the kernels named for its
/// block, then gives back those allowed before.
#[test]
fn sdp_backend_switches_read_back_as_set() -> flodl::Result<()> {
    use flodl::{sdp_backend_enabled, set_sdp_backend_enabled, SdpBackend};
    assert!(sdp_backend_enabled(SdpBackend::Math));
    set_sdp_backend_enabled(SdpBackend::EfficientAttention, false)?;
    assert!(!sdp_backend_enabled(SdpBackend::EfficientAttention));
    assert!(sdp_backend_enabled(SdpBackend::Math));
    set_sdp_backend_enabled(SdpBackend::EfficientAttention, true)?;
    assert!(sdp_backend_enabled(SdpBackend::EfficientAttention));
    // In one test: the switches are global, and tests run side by side.
    let inside = flodl::sdpa_kernel(&[SdpBackend::Math], || {
        SdpBackend::ALL.map(sdp_backend_enabled)
    })?;
    assert_eq!(inside, [true, false, false, false]);
    assert!(sdp_backend_enabled(SdpBackend::FlashAttention));
    assert_eq!(
        SdpBackend::from_code(4).unwrap_err().kind(),
        ErrorKind::Argument
    );
    Ok(())
}

#[test]
fn unravel_index_gives_coordinates_of_flat_indices() {
    let flat = Tensor::from_i64(&[0, 5, 11, -1], &[4], Device::CPU).unwrap();
    let coordinates = Tensor::unravel_index(&flat, &[3, 4]).unwrap();
    assert_eq!(coordinates.len(), 2);
    assert_eq!(coordinates[0].to_i64_vec().unwrap(), vec![0, 1, 2, 2]);
    assert_eq!(coordinates[1].to_i64_vec().unwrap(), vec![0, 1, 3, 3]);
    let floats = Tensor::from_f64(&[1.0], &[1], Device::CPU).unwrap();
    let err = Tensor::unravel_index(&floats, &[3, 4]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DType);
    let err = Tensor::unravel_index(&flat, &[3, -4]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Argument);
    let err = Tensor::unravel_index(&flat, &[4, i64::MAX, 4]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Argument);
}

#[test]
fn window_functions_have_their_closed_forms() {
    let opts = TensorOptions {
        dtype: DType::Float64,
        device: Device::CPU,
    };
    // Symmetric Hann of 5: sin(pi n / 4)^2.
    let hann = Tensor::window(Window::Hann, 5, false, opts).unwrap();
    let want: Vec<f64> = (0..5)
        .map(|n| (std::f64::consts::PI * n as f64 / 4.0).sin().powi(2))
        .collect();
    for (g, w) in hann.to_f64_vec().unwrap().iter().zip(&want) {
        assert!((g - w).abs() < 1e-12, "{g} vs {w}");
    }
    // Periodic: the symmetric window one longer, its last point left out.
    let periodic = Tensor::window(Window::Bartlett, 4, true, opts).unwrap();
    assert_eq!(periodic.to_f64_vec().unwrap(), vec![0.0, 0.5, 1.0, 0.5]);
    let hamming = Window::Hamming {
        alpha: 0.5,
        beta: 0.5,
    };
    let flat = Tensor::window(hamming, 3, false, opts).unwrap();
    assert_eq!(flat.to_f64_vec().unwrap(), vec![0.0, 1.0, 0.0]);
    let ints = TensorOptions {
        dtype: DType::Int64,
        device: Device::CPU,
    };
    let err = Tensor::window(Window::Hann, 4, true, ints).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DType);
    let err = Tensor::window(Window::Kaiser { beta: 12.0 }, -1, true, opts).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Argument);
    assert_eq!(Window::Blackman.name(), "blackman_window");
}

#[test]
fn complex_tensors_take_complex_numbers_and_transform() {
    let opts = f64_opts();
    assert_eq!("cfloat".parse::<DType>().unwrap(), DType::Complex64);
    assert_eq!(DType::Complex128.to_real(), DType::Float64);
    assert_eq!(DType::Float32.to_complex().unwrap(), DType::Complex64);
    assert_eq!(
        DType::Int64.to_complex().unwrap_err().kind(),
        ErrorKind::DType
    );
    assert_eq!(DType::Complex64.finfo().unwrap().dtype, DType::Float32);
    // A complex number with a float64 tensor: complex128, as torch promotes.
    let x = Tensor::arange(0.0, 4.0, 1.0, opts).unwrap();
    let z = x.mul_scalar(flodl::Scalar::Complex(0.0, 2.0)).unwrap();
    assert_eq!(z.dtype(), DType::Complex128);
    assert_eq!(z.real().unwrap().to_f64_vec().unwrap(), vec![0.0; 4]);
    assert_eq!(
        z.imag().unwrap().to_f64_vec().unwrap(),
        vec![0.0, 2.0, 4.0, 6.0]
    );
    // conj() is a lazy view; reading it reads the conjugated values.
    let conj = z.conj().unwrap();
    assert!(conj.is_conj());
    assert_eq!(
        conj.imag().unwrap().to_f64_vec().unwrap(),
        vec![0.0, -2.0, -4.0, -6.0]
    );
    // irfft(rfft(x)) is x; the frequencies are numpy's.
    let spectrum = x.fft_rfft(None, -1, None).unwrap();
    assert_eq!(
        (spectrum.dtype(), spectrum.shape()),
        (DType::Complex128, vec![3])
    );
    let back = spectrum.fft_irfft(Some(4), -1, None).unwrap();
    for (g, w) in back.to_f64_vec().unwrap().iter().zip([0.0, 1.0, 2.0, 3.0]) {
        assert!((g - w).abs() < 1e-12, "{g} vs {w}");
    }
    let freq = Tensor::fftfreq(4, 0.5, false, opts).unwrap();
    assert_eq!(freq.to_f64_vec().unwrap(), vec![0.0, 0.5, -1.0, -0.5]);
    let rfreq = Tensor::fftfreq(4, 1.0, true, opts).unwrap();
    assert_eq!(rfreq.to_f64_vec().unwrap(), vec![0.0, 0.25, 0.5]);
    // view_as_real and back share the values.
    let parts = z.view_as_real().unwrap();
    assert_eq!(parts.shape(), vec![4, 2]);
    let again = parts.view_as_complex().unwrap();
    assert_eq!(again.dtype(), DType::Complex128);
    let err = x.imag().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DType);
    // A real input to stft needs return_complex.
    let signal = Tensor::randn(&[32], opts).unwrap();
    let err = signal
        .stft(
            8,
            None,
            None,
            None,
            true,
            flodl::PadMode::Reflect,
            false,
            None,
            None,
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Argument);
    assert!(err.to_string().starts_with("stft:"), "{err}");
}
