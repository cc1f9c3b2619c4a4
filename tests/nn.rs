//! flodl::nn from Rust: parameter names, state dicts and their errors,
//! train/eval, dtype moves, initialisation, shape errors naming the layer.
//! tests/python/test_nn.py checks the Python layers against torch.nn.
use flodl::nn::{self, Module};
use flodl::{DType, Device, ErrorKind, Result, Tensor, TensorOptions, Variable};

fn model() -> Result<nn::Sequential> {
    Ok(nn::Sequential::new()
        .add(nn::Linear::new(4, 3, true)?)
        .add(nn::ReLU)
        .add(nn::LayerNorm::new(3)?)
        .add(nn::Linear::new(3, 2, false)?))
}

fn input() -> Result<Variable> {
    Variable::new(Tensor::randn(&[5, 4], TensorOptions::default())?, false)
}

#[test]
fn parameters_are_named_as_pytorch_names_them() -> Result<()> {
    let names: Vec<String> = model()?
        .named_parameters()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        ["0.weight", "0.bias", "2.weight", "2.bias", "3.weight"]
    );
    Ok(())
}

/// The layouts PyTorch's `Module.__repr__` prints (test_rust_layers.py
/// compares every layer's repr with torch's; these are the containers it
/// cannot build there).
#[test]
fn containers_print_as_pytorch_prints_them() -> Result<()> {
    let param =
        |shape: &[i64]| Variable::new(Tensor::zeros(shape, TensorOptions::default())?, true);
    let mut list = nn::ParameterList::new();
    list.push(param(&[3, 4])?);
    list.push(param(&[2])?);
    assert_eq!(
        list.repr(),
        "ParameterList(\n    (0): Parameter containing: [flodl.float32 of size 3x4]\n    (1): Parameter containing: [flodl.float32 of size 2]\n)"
    );
    let mut dict = nn::ParameterDict::new();
    dict.insert("a", param(&[3, 4])?)?;
    assert_eq!(
        dict.repr(),
        "ParameterDict(  (a): Parameter containing: [torch.FloatTensor of size 3x4])"
    );
    let mut layers = nn::ModuleList::new();
    assert_eq!(layers.repr(), "ModuleList()");
    for _ in 0..3 {
        layers.push(nn::ReLU);
    }
    layers.push(nn::Linear::new(2, 3, false)?);
    assert_eq!(
        layers.repr(),
        "ModuleList(\n  (0-2): 3 x ReLU()\n  (3): Linear(in_features=2, out_features=3, bias=False)\n)"
    );
    let mut named = nn::ModuleDict::new();
    named.insert("act", nn::Tanh)?;
    named.insert("seq", nn::Sequential::new().add(nn::Identity))?;
    assert_eq!(
        named.repr(),
        "ModuleDict(\n  (act): Tanh()\n  (seq): Sequential(\n    (0): Identity()\n  )\n)"
    );
    Ok(())
}

#[test]
fn a_state_dict_round_trips_through_a_file() -> Result<()> {
    let (a, b) = (model()?, model()?);
    let x = input()?;
    let path = std::env::temp_dir().join(format!("flodl-nn-{}.safetensors", std::process::id()));
    flodl::io::save(&a.state_dict(), &path)?;
    let loaded = flodl::io::load(&path)?;
    std::fs::remove_file(&path).ok();
    let report = b.load_state_dict(&loaded, true)?;
    assert!(report.missing_keys.is_empty() && report.unexpected_keys.is_empty());
    assert_eq!(
        a.forward(&x)?.data().to_f64_vec()?,
        b.forward(&x)?.data().to_f64_vec()?
    );
    Ok(())
}

#[test]
fn a_bad_state_dict_lists_every_problem_and_loads_nothing() -> Result<()> {
    let m = model()?;
    let before = m.state_dict()[0].1.copy()?.to_f64_vec()?;
    let mut state = model()?.state_dict();
    state.retain(|(n, _)| n != "0.bias");
    state.push((
        "extra".into(),
        Tensor::zeros(&[1], TensorOptions::default())?,
    ));
    state[1].1 = Tensor::zeros(&[7], TensorOptions::default())?; // "2.weight"
    let err = m.load_state_dict(&state, true).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Argument);
    let message = err.to_string();
    for part in [
        "Error(s) in loading state_dict for Sequential: ",
        "Missing key(s) in state_dict: \"0.bias\".",
        "Unexpected key(s) in state_dict: \"extra\".",
        "size mismatch for 2.weight: copying a param with shape [7] from checkpoint, \
         the shape in current model is [3].",
    ] {
        assert!(message.contains(part), "{message}");
    }
    assert_eq!(m.state_dict()[0].1.to_f64_vec()?, before, "nothing loaded");
    // Not strict: names that do not match are reported, shapes still checked.
    state[1].1 = Tensor::ones(&[3], TensorOptions::default())?;
    let report = m.load_state_dict(&state, false)?;
    assert_eq!(report.missing_keys, ["0.bias"]);
    assert_eq!(report.unexpected_keys, ["extra"]);
    assert_eq!(m.state_dict()[2].1.to_f64_vec()?, vec![1.0; 3]);
    Ok(())
}

#[test]
fn dropout_obeys_train_and_eval() -> Result<()> {
    let m = nn::Sequential::new().add(nn::Dropout::new(0.5)?);
    let x = Variable::new(Tensor::ones(&[1000], TensorOptions::default())?, false)?;
    let zeros = |v: Variable| -> Result<usize> {
        Ok(v.data().to_f64_vec()?.iter().filter(|&&z| z == 0.0).count())
    };
    assert!((300..700).contains(&zeros(m.forward(&x)?)?));
    m.eval();
    assert_eq!(zeros(m.forward(&x)?)?, 0);
    m.train();
    assert!(zeros(m.forward(&x)?)? > 0);
    Ok(())
}

#[test]
fn to_changes_dtype_and_keeps_the_parameters() -> Result<()> {
    let m = model()?;
    let first = m.parameters()[0].clone();
    m.to(Some(Device::CPU), Some(DType::Float64))?;
    assert_eq!(first.dtype(), DType::Float64);
    let x = Variable::new(
        Tensor::randn(
            &[2, 4],
            TensorOptions {
                dtype: DType::Float64,
                ..Default::default()
            },
        )?,
        false,
    )?;
    m.forward(&x)?.sum()?.backward()?;
    assert!(first.grad().is_some(), "the same leaf gets the gradient");
    Ok(())
}

#[test]
fn initialisation_is_pytorch_s_and_follows_the_seed() -> Result<()> {
    flodl::manual_seed(7);
    let a = nn::Linear::new(16, 8, true)?;
    flodl::manual_seed(7);
    let b = nn::Linear::new(16, 8, true)?;
    assert_eq!(a.weight.data().to_f64_vec()?, b.weight.data().to_f64_vec()?);
    let bound = 1.0 / 4.0; // 1 / sqrt(fan_in)
    for w in a
        .weight
        .data()
        .to_f64_vec()?
        .into_iter()
        .chain(a.bias.unwrap().data().to_f64_vec()?)
    {
        assert!(w.abs() <= bound, "{w}");
    }
    Ok(())
}

#[test]
fn a_wrong_input_shape_names_the_layer() -> Result<()> {
    let err = model()?
        .forward(&Variable::new(
            Tensor::zeros(&[2, 5], TensorOptions::default())?,
            false,
        )?)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Shape);
    // Python's Linear words it the same.
    assert_eq!(
        err.to_string(),
        "Linear(in_features=4, out_features=3, bias=True): expected input [..., 4], got [2, 5]"
    );
    let conv = nn::Conv2d::new(3, 4, 3, 1, 1)?;
    let err = conv
        .forward(&Variable::new(
            Tensor::zeros(&[1, 2, 5, 5], TensorOptions::default())?,
            false,
        )?)
        .unwrap_err();
    assert!(
        err.to_string().contains("expected input [N, 3, H, W]"),
        "{err}"
    );
    Ok(())
}

#[test]
fn batch_norm_keeps_running_statistics_as_buffers() -> Result<()> {
    let bn = nn::BatchNorm2d::new(3)?;
    let names: Vec<String> = bn.state_dict().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "weight",
            "bias",
            "running_mean",
            "running_var",
            "num_batches_tracked"
        ]
    );
    let x = Variable::new(
        Tensor::randn(&[4, 3, 2, 2], TensorOptions::default())?.add_scalar(5.0)?,
        false,
    )?;
    let y = bn.forward(&x)?;
    // Training: batch statistics, so each channel comes out with mean ~0.
    assert!(y.mean()?.item()?.abs() < 1e-5);
    assert_eq!(
        bn.num_batches_tracked
            .as_ref()
            .expect("tracked by default")
            .data()
            .to_f64_vec()?,
        vec![1.0]
    );
    let mean = bn
        .running_mean
        .as_ref()
        .expect("tracked by default")
        .data()
        .to_f64_vec()?;
    assert!(mean.iter().all(|m| (0.3..0.7).contains(m)), "{mean:?}"); // 0.1 * ~5
    bn.eval();
    let y = bn.forward(&x)?;
    assert!(
        y.mean()?.item()? > 1.0,
        "evaluation uses the running statistics"
    );
    assert_eq!(
        bn.num_batches_tracked
            .as_ref()
            .expect("tracked by default")
            .data()
            .to_f64_vec()?,
        vec![1.0]
    );
    Ok(())
}

#[test]
fn lstm_and_gru_have_pytorch_s_parameters_and_shapes() -> Result<()> {
    let options = nn::RecurrentOptions {
        num_layers: 2,
        batch_first: true,
        bidirectional: true,
        ..Default::default()
    };
    let lstm = nn::LSTM::new(5, 7, options)?;
    let names: Vec<String> = lstm
        .named_parameters()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        &names[..4],
        ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    );
    assert_eq!(names[4], "weight_ih_l0_reverse");
    assert_eq!(names.len(), 16);
    assert_eq!(lstm.named_parameters()[8].1.shape(), vec![28, 14]); // layer 1 takes both directions
    let x = Variable::new(Tensor::randn(&[3, 4, 5], TensorOptions::default())?, false)?;
    let (out, (h, c)) = lstm.forward_with_state(&x, None)?;
    assert_eq!(out.shape(), vec![3, 4, 14]);
    assert_eq!(h.shape(), vec![4, 3, 7]);
    assert_eq!(c.shape(), vec![4, 3, 7]);
    let (again, _) = lstm.forward_with_state(&x, Some((&h, &c)))?;
    assert_eq!(again.shape(), out.shape());
    let gru = nn::GRU::new(5, 6, Default::default())?;
    let x = Variable::new(Tensor::randn(&[4, 2, 5], TensorOptions::default())?, false)?;
    assert_eq!(gru.forward(&x)?.shape(), vec![4, 2, 6]);
    gru.forward(&x)?.sum()?.backward()?;
    assert!(gru.parameters().iter().all(|p| p.grad().is_some()));
    Ok(())
}

#[test]
fn recurrent_stacks_run_over_packed_batches() -> Result<()> {
    // Three sequences of lengths 2, 4 and 1, padded to [4, 3, 5]; unsorted,
    // so the packing sorts them and the states come back in this order.
    let padded = Tensor::randn(&[4, 3, 5], TensorOptions::default())?;
    let x = Variable::new(padded, true)?;
    let packed = flodl::pack_padded_sequence(&x, &[2, 4, 1], false, false)?;
    assert_eq!(packed.batch_sizes.to_i64_vec()?, [3, 2, 1, 1]);
    assert_eq!(packed.data.shape(), [7, 5]);
    assert_eq!(
        packed
            .sorted_indices
            .as_ref()
            .map(|t| t.to_i64_vec())
            .transpose()?,
        Some(vec![1, 0, 2])
    );
    let lstm = nn::LSTM::new(5, 6, Default::default())?;
    let (out, finals) = lstm.forward_packed(&packed, &[])?;
    assert_eq!((out.data.shape(), finals.len()), (vec![7, 6], 2));
    let (unpacked, lengths) = flodl::pad_packed_sequence(&out, true, 0.0, None)?;
    assert_eq!(unpacked.shape(), [3, 4, 6]);
    assert_eq!(lengths.to_i64_vec()?, [2, 4, 1]);
    // A sequence's final state is its output at its last step.
    let last_of_first = unpacked.select(0, 0)?.select(0, 1)?;
    let h_of_first = finals[0].select(1, 0)?.select(0, 0)?;
    assert_eq!(
        last_of_first.data().to_f64_vec()?,
        h_of_first.data().to_f64_vec()?
    );
    unpacked.sum()?.backward()?;
    assert!(x.grad().is_some() && lstm.parameters().iter().all(|p| p.grad().is_some()));
    let gru = nn::GRU::new(5, 6, Default::default())?;
    let bad = Variable::new(Tensor::zeros(&[1, 2, 6], TensorOptions::default())?, false)?;
    assert_eq!(
        gru.forward_packed(&packed, &[bad]).unwrap_err().kind(),
        ErrorKind::Shape
    );
    let sorted_wrongly = flodl::pack_padded_sequence(&x, &[2, 4, 1], false, true);
    assert_eq!(sorted_wrongly.unwrap_err().kind(), ErrorKind::Argument);
    Ok(())
}

#[test]
fn sequences_pack_and_unpack_back() -> Result<()> {
    let a = Tensor::from_f64(&[1.0, 2.0], &[2, 1], Device::CPU)?;
    let b = Tensor::from_f64(&[3.0, 4.0, 5.0], &[3, 1], Device::CPU)?;
    let packed = flodl::pack_sequence(&[&a, &b], false)?;
    assert_eq!(packed.batch_sizes.to_i64_vec()?, [2, 2, 1]);
    assert_eq!(packed.data.to_f64_vec()?, [3.0, 1.0, 4.0, 2.0, 5.0]);
    let back = flodl::unpack_sequence(&packed)?;
    assert_eq!(back[0].to_f64_vec()?, a.to_f64_vec()?);
    assert_eq!(back[1].to_f64_vec()?, b.to_f64_vec()?);
    let (padded, _) = flodl::pad_packed_sequence(&packed, false, 0.0, None)?;
    let cut = flodl::unpad_sequence(&padded, &[2, 3], false)?;
    assert_eq!(cut[0].shape(), [2, 1]);
    let err = flodl::unpad_sequence(&padded, &[2], false).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Shape);
    Ok(())
}

#[test]
fn embedding_rows_and_the_padding_row() -> Result<()> {
    let emb = nn::Embedding::new(10, 3, Some(-1))?;
    assert_eq!(emb.weight.data().select(0, 9)?.to_f64_vec()?, vec![0.0; 3]);
    let idx = Variable::new(Tensor::from_i64(&[1, 9, 1], &[3], Device::CPU)?, false)?;
    let out = emb.forward(&idx)?;
    assert_eq!(out.shape(), vec![3, 3]);
    out.sum()?.backward()?;
    let grad = emb.weight.grad().unwrap();
    assert_eq!(grad.select(0, 1)?.to_f64_vec()?, vec![2.0; 3]);
    assert_eq!(
        grad.select(0, 9)?.to_f64_vec()?,
        vec![0.0; 3],
        "no gradient for padding"
    );
    assert_eq!(
        nn::Embedding::new(4, 2, Some(4)).unwrap_err().kind(),
        ErrorKind::Argument
    );
    Ok(())
}

#[test]
fn fused_rnn_ops_check_every_shape_first() -> Result<()> {
    let t = |shape: &[i64]| {
        Variable::new(
            Tensor::zeros(shape, TensorOptions::default()).unwrap(),
            false,
        )
        .unwrap()
    };
    let options = flodl::RnnOptions {
        has_biases: true,
        num_layers: 1,
        dropout: 0.0,
        train: false,
        bidirectional: false,
        batch_first: false,
    };
    let (x, h, c) = (t(&[5, 2, 3]), t(&[1, 2, 4]), t(&[1, 2, 4]));
    let good = [t(&[16, 3]), t(&[16, 4]), t(&[16]), t(&[16])];
    assert_eq!(
        flodl::lstm(&x, &h, &c, &good, options)?.0.shape(),
        vec![5, 2, 4]
    );
    let bad_weight = [t(&[16, 3]), t(&[12, 4]), t(&[16]), t(&[16])];
    let err = flodl::lstm(&x, &h, &c, &bad_weight, options).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Shape, "{err}");
    assert!(err.to_string().contains("weight 1"), "{err}");
    let err = flodl::lstm(&x, &t(&[3, 2, 4]), &c, &good, options).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Shape, "{err}");
    let err = flodl::gru(&x, &h, &[t(&[12, 3]), t(&[12, 4])], options).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Argument, "{err}"); // two weights where biases are declared
    Ok(())
}

#[test]
fn module_list_names_its_modules_and_has_no_forward() -> Result<()> {
    let mut list = nn::ModuleList::new();
    list.push(nn::Linear::new(2, 3, true)?);
    list.push(nn::BatchNorm1d::new(3)?);
    let names: Vec<String> = list.state_dict().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "0.weight",
            "0.bias",
            "1.weight",
            "1.bias",
            "1.running_mean",
            "1.running_var",
            "1.num_batches_tracked"
        ]
    );
    assert_eq!(list.parameters().len(), 4);
    let x = Variable::new(Tensor::zeros(&[1, 2], TensorOptions::default())?, false)?;
    assert_eq!(list.forward(&x).unwrap_err().kind(), ErrorKind::Argument);
    let h = list.get(0).unwrap().forward(&x)?;
    assert_eq!(h.shape(), vec![1, 3]);
    let bilinear = nn::Bilinear::new(2, 2, 4, true)?;
    assert_eq!(
        bilinear.forward(&x).unwrap_err().kind(),
        ErrorKind::Argument
    );
    assert_eq!(bilinear.forward_pair(&x, &x)?.shape(), vec![1, 4]);
    Ok(())
}

#[test]
fn batch_norm_checks_the_rank_its_name_says() -> Result<()> {
    let input =
        |shape: &[i64]| Variable::new(Tensor::randn(shape, Default::default()).unwrap(), false);
    let two = nn::BatchNorm2d::new(3)?;
    assert!(two.forward(&input(&[2, 3, 4, 4])?).is_ok());
    let err = two.forward(&input(&[2, 3, 4])?).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Shape);
    assert_eq!(
        err.to_string(),
        "BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True): expected input [N, 3, H, W], got [2, 3, 4]"
    );
    let options = nn::BatchNormOptions {
        eps: 1e-3,
        momentum: None,
        affine: false,
        ..Default::default()
    };
    assert_eq!(
        nn::BatchNorm3d::with_options(2, options)?.describe(),
        "BatchNorm3d(2, eps=0.001, momentum=None, affine=False, bias=False, track_running_stats=True)"
    );
    let one = nn::BatchNorm1d::new(3)?;
    assert!(one.forward(&input(&[2, 3])?).is_ok() && one.forward(&input(&[2, 3, 5])?).is_ok());
    assert_eq!(
        one.forward(&input(&[2, 3, 4, 4])?).unwrap_err().kind(),
        ErrorKind::Shape
    );
    Ok(())
}

#[test]
fn modules_name_themselves_as_pytorch_s_classes() -> flodl::Result<()> {
    use flodl::nn::{self, Module};
    let names = [
        nn::Linear::new(2, 3, true)?.name(),
        nn::BatchNorm2d::new(3)?.name(),
        nn::InstanceNorm1d::new(3, false)?.name(),
        nn::LSTMCell::new(nn::CellKind::Lstm, 2, 3, true)?.name(),
        nn::MaxPool2d::new([2, 2]).name(),
        nn::Identity.name(),
    ];
    assert_eq!(
        names,
        [
            "Linear",
            "BatchNorm2d",
            "InstanceNorm1d",
            "LSTMCell",
            "MaxPool2d",
            "Identity"
        ]
    );
    Ok(())
}

#[test]
fn module_and_parameter_containers_name_as_pytorch() -> Result<()> {
    let mut dict = nn::ModuleDict::new();
    dict.insert("encoder", nn::Linear::new(3, 2, true)?)?;
    dict.insert("decoder", nn::Linear::new(2, 3, false)?)?;
    let names: Vec<String> = dict
        .named_parameters()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["encoder.weight", "encoder.bias", "decoder.weight"]);
    // Replacing a module keeps its place; a dotted name is refused.
    dict.insert("encoder", nn::Linear::new(3, 2, false)?)?;
    assert_eq!(dict.keys().collect::<Vec<_>>(), ["encoder", "decoder"]);
    assert_eq!(dict.state_dict().len(), 2);
    let err = dict.insert("a.b", nn::Identity).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Argument);
    assert!(dict.remove("decoder").is_some() && dict.len() == 1);

    let mut list = nn::ParameterList::new();
    let ones = Tensor::ones(&[2], TensorOptions::default())?;
    list.push(Variable::new(ones.clone(), true)?);
    list.push(Variable::new(ones.clone(), true)?);
    let names: Vec<String> = list
        .named_parameters()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["0", "1"]);
    let mut params = nn::ParameterDict::new();
    params.insert("scale", Variable::new(ones, true)?)?;
    assert_eq!(params.state_dict()[0].0, "scale");
    assert_eq!(
        list.forward(&list.get(0).unwrap().clone())
            .unwrap_err()
            .kind(),
        ErrorKind::Argument
    );
    Ok(())
}

#[test]
fn a_state_dict_goes_into_a_value_and_back() -> Result<()> {
    let model = nn::Linear::new(3, 2, true)?;
    let value = flodl::Value::from(model.state_dict());
    assert_eq!(
        value
            .get("weight")
            .and_then(flodl::Value::as_tensor)
            .map(Tensor::shape),
        Some(vec![2, 3])
    );
    let back = value.to_state_dict().expect("a dict of tensors");
    let report = model.load_state_dict(&back, true)?;
    assert!(report.missing_keys.is_empty());
    assert_eq!(flodl::Value::Int(3).as_i64(), Some(3));
    assert!(flodl::Value::Float(3.0).as_i64().is_none());
    assert_eq!(flodl::Value::Float(3.0).as_count(), Some(3));
    assert!(flodl::Value::Float(3.5).as_count().is_none());
    assert!(flodl::Value::Float(f64::INFINITY).as_count().is_none());
    Ok(())
}

/// `forward_with_indices` gives `forward`'s values and, for each, the Int64
/// position of the maximum in its input plane.
#[test]
fn max_pools_give_the_positions_of_their_maxima() -> Result<()> {
    let x = Variable::new(
        Tensor::randn(&[1, 2, 4, 6], TensorOptions::default())?,
        false,
    )?;
    let pool = nn::MaxPool2d::new([2, 3]);
    let (values, indices) = pool.forward_with_indices(&x)?;
    assert_eq!(
        values.data().to_f32_vec()?,
        pool.forward(&x)?.data().to_f32_vec()?
    );
    assert_eq!(indices.dtype(), DType::Int64);
    // Each position, looked up in its flattened plane, holds the maximum.
    let planes = x.data().flatten(2, 3)?;
    let picked = planes.gather(2, &indices.flatten(2, 3)?)?;
    assert_eq!(picked.to_f32_vec()?, values.data().to_f32_vec()?);
    let adaptive = nn::AdaptiveMaxPool1d { output_size: 2 };
    let flat = Variable::new(planes, false)?;
    let (values, indices) = adaptive.forward_with_indices(&flat)?;
    assert_eq!(values.shape(), indices.shape());
    let bad = Variable::new(Tensor::zeros(&[2], TensorOptions::default())?, false)?;
    let error = pool.forward_with_indices(&bad).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Shape);
    assert!(error
        .message()
        .starts_with("MaxPool2d: expected input [N, C, H, W]"));
    Ok(())
}

/// The padding index is kept counted from the start, as PyTorch's; out of
/// range it is an Argument error, worded as Python's layers word it.
#[test]
fn embedding_padding_index_is_checked_and_kept_from_the_start() -> Result<()> {
    assert_eq!(nn::Embedding::new(5, 2, Some(-2))?.padding_idx, Some(3));
    let err = nn::Embedding::new(5, 2, Some(-7)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Argument);
    assert_eq!(
        err.message(),
        "Embedding: padding_idx must be within num_embeddings, got -7 for 5 rows"
    );
    let options = nn::EmbeddingBagOptions {
        padding_idx: Some(5),
        ..Default::default()
    };
    let err = nn::EmbeddingBag::with_options(5, 2, options).unwrap_err();
    assert_eq!(
        err.message(),
        "EmbeddingBag: padding_idx must be within num_embeddings, got 5 for 5 rows"
    );
    Ok(())
}

/// `EmbeddingBag::forward_with`: 1-d indices split at offsets (the last
/// offset ending the last bag with `include_last_offset`), scaled by
/// per-sample weights in mode sum, and the padding row left out.
#[test]
fn embedding_bag_takes_offsets_and_per_sample_weights() -> Result<()> {
    let options = nn::EmbeddingBagOptions {
        mode: flodl::EmbeddingBagMode::Sum,
        include_last_offset: true,
        padding_idx: Some(0),
        ..Default::default()
    };
    let bag = nn::EmbeddingBag::with_options(4, 3, options)?;
    let long = |v: &[i64]| Tensor::from_i64(v, &[v.len() as i64], Device::CPU);
    let (indices, offsets) = (long(&[1, 2, 0, 3])?, long(&[0, 2, 4])?);
    let weights = Variable::new(
        Tensor::from_f32(&[1.0, 2.0, 5.0, 0.5], &[4], Device::CPU)?,
        true,
    )?;
    let out = bag.forward_with(&indices, Some(&offsets), Some(&weights))?;
    assert_eq!(out.shape(), vec![2, 3]);
    let rows = bag.weight.data();
    let row = |i: i64| rows.select(0, i)?.to_f32_vec();
    let expected: Vec<f32> = (row(1)?.iter().zip(row(2)?))
        .map(|(a, b)| a + 2.0 * b)
        .chain(row(3)?.iter().map(|c| 0.5 * c)) // row 0 is padding: left out
        .collect();
    for (got, want) in out.data().to_f32_vec()?.iter().zip(&expected) {
        assert!((got - want).abs() < 1e-6, "{got} != {want}");
    }
    out.sum()?.backward()?;
    assert!(weights.grad().is_some());
    Ok(())
}

#[test]
fn max_unpool_puts_the_maxima_back() {
    let x = Variable::new(
        Tensor::from_f64(
            &[1.0, 5.0, 2.0, 0.0, 3.0, 4.0, 7.0, 6.0],
            &[1, 1, 2, 4],
            Device::CPU,
        )
        .unwrap(),
        true,
    )
    .unwrap();
    let (pooled, indices) = nn::MaxPool2d::new([2, 2]).forward_with_indices(&x).unwrap();
    let unpool = nn::MaxUnpool2d::new([2, 2]);
    let back = unpool.unpool(&pooled, &indices, None).unwrap();
    assert_eq!(back.shape(), vec![1, 1, 2, 4]);
    assert_eq!(
        back.data().to_f64_vec().unwrap(),
        vec![0.0, 5.0, 0.0, 0.0, 0.0, 0.0, 7.0, 0.0]
    );
    assert_eq!(
        unpool.extra_repr(),
        "kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)"
    );
    let wrong = unpool.unpool(&pooled, &indices, Some([9, 9])).unwrap_err();
    assert_eq!(wrong.kind(), ErrorKind::Argument);
    assert_eq!(
        unpool.forward(&pooled).unwrap_err().kind(),
        ErrorKind::Argument
    );
}

/// Spectral normalization from Rust: enough power-iteration rounds find the
/// largest singular value (so the normalized weight's is 1), the result
/// keeps the weight's graph, and a dim out of range is an Index error.
#[test]
fn spectral_normalization_divides_by_the_largest_singular_value() -> Result<()> {
    use flodl::nn::utils::{
        spectral_normalized, spectral_power_iteration, spectral_vectors, PowerIterationOrder,
    };
    flodl::manual_seed(0);
    let weight = Variable::new(Tensor::randn(&[4, 2, 3], TensorOptions::default())?, true)?;
    let (u, v) = spectral_vectors(&weight, 1, 1e-12)?;
    assert_eq!((u.shape(), v.shape()), (vec![2], vec![12]));
    for order in [PowerIterationOrder::UFirst, PowerIterationOrder::VFirst] {
        spectral_power_iteration(&weight, &u, &v, 1, 50, 1e-12, order)?;
        let normalized = spectral_normalized(&weight, &u, &v, 1)?;
        let matrix = normalized.data().permute(&[1, 0, 2])?.reshape(&[2, -1])?;
        let largest = matrix.linalg_svdvals()?.to_f64_vec()?[0];
        assert!((largest - 1.0).abs() < 1e-5, "{largest}");
        normalized.sum()?.backward()?;
        assert!(weight.grad().is_some());
    }
    let error = spectral_vectors(&weight, 3, 1e-12).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Index);
    Ok(())
}

#[test]
fn prune_masks_keep_what_they_should() -> Result<()> {
    use flodl::nn::prune::{l1_unstructured_mask, ln_structured_mask, PruneAmount};
    let w = Tensor::from_f64(&[0.5, -3.0, 0.1, 2.0, -0.2, 1.0], &[2, 3], Device::CPU)?;
    let ones = Tensor::ones_like(&w)?;
    // The two entries of smallest magnitude go: 0.1 and -0.2.
    let mask = l1_unstructured_mask(&w, PruneAmount::Count(2), &ones)?;
    assert_eq!(mask.to_f64_vec()?, vec![1.0, 1.0, 0.0, 1.0, 0.0, 1.0]);
    // Half of 3 columns is 1.5, rounded half to even (Python's round): the
    // two columns of smallest L2 norm go, the middle one stays.
    let mask = ln_structured_mask(&w, PruneAmount::Fraction(0.5), 2.0, 1, &ones)?;
    assert_eq!(mask.to_f64_vec()?, vec![0.0, 1.0, 0.0, 0.0, 1.0, 0.0]);
    let too_many = l1_unstructured_mask(&w, PruneAmount::Count(7), &ones).unwrap_err();
    assert_eq!(too_many.kind(), ErrorKind::Argument);
    Ok(())
}

/// Pruning a pruned tensor again counts what the first mask kept, as
/// PyTorch's `PruningContainer`; the method alone counts every entry.
#[test]
fn pruning_again_counts_what_is_left() -> Result<()> {
    use flodl::nn::prune::{global_masks, PruneAmount, PruningMethod};
    let w = Tensor::from_f64(&[0.5, -3.0, 0.1, 2.0, -0.2, 1.0], &[2, 3], Device::CPU)?;
    let two = PruningMethod::L1Unstructured {
        amount: PruneAmount::Count(2),
    };
    let first = two.mask(&w, &Tensor::ones_like(&w)?)?;
    // Alone, the same two smallest go again; combined, the next two (0.5, 1.0).
    assert_eq!(two.mask(&w, &first)?.to_f64_vec()?, first.to_f64_vec()?);
    let again = two.combined_mask(&w, &first)?;
    assert_eq!(again.to_f64_vec()?, vec![0.0, 1.0, 0.0, 1.0, 0.0, 0.0]);
    // Rows by L1 norm: the second (3.2) is pruned; pruning one more row of
    // those left prunes the first (3.6), not the pruned one again.
    let row = PruningMethod::LnStructured {
        amount: PruneAmount::Count(1),
        n: 1.0,
        dim: 0,
    };
    let rows = row.mask(&w, &Tensor::ones_like(&w)?)?;
    assert_eq!(rows.to_f64_vec()?, vec![1.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
    assert_eq!(row.combined_mask(&w, &rows)?.to_f64_vec()?, vec![0.0; 6]);
    // Two tensors as one: the three smallest of all kept entries go.
    let v = Tensor::from_f64(&[0.3, -0.05], &[2], Device::CPU)?;
    let three = PruningMethod::L1Unstructured {
        amount: PruneAmount::Count(3),
    };
    let masks = global_masks(&[&w, &v], &[&first, &Tensor::ones_like(&v)?], |t, m| {
        three.mask(t, m)
    })?;
    assert_eq!(masks[0].to_f64_vec()?, vec![0.0, 1.0, 0.0, 1.0, 0.0, 1.0]);
    assert_eq!(masks[0].shape(), vec![2, 3]);
    assert_eq!(masks[1].to_f64_vec()?, vec![0.0, 0.0]);
    Ok(())
}

/// PyTorch's encoder, in evaluation with nothing to record and a padding
/// mask at the ends of the rows, runs on nested tensors and returns zeros
/// at the padded positions; the tokens' values are the dense path's.
#[test]
fn encoder_zeroes_padding_where_pytorch_uses_nested_tensors() -> Result<()> {
    let options = nn::TransformerOptions {
        dim_feedforward: 16,
        dropout: 0.0,
        batch_first: true,
        ..Default::default()
    };
    let layer = nn::TransformerEncoderLayer::new(8, 2, options)?;
    let encoder = nn::TransformerEncoder::new(layer, 2, None)?;
    assert!(encoder.use_nested_tensor);
    encoder.eval();
    let src = Variable::new(Tensor::randn(&[2, 4, 8], TensorOptions::default())?, false)?;
    let pad = [false, false, true, true, false, false, false, true];
    let pad: Vec<i64> = pad.iter().map(|&p| p as i64).collect();
    let padding = Tensor::from_i64(&pad, &[2, 4], Device::CPU)?.to_dtype(DType::Bool)?;
    let masks = nn::Masks {
        key_padding_mask: Some(&padding),
        ..Default::default()
    };
    // Parameters require gradients: with grad mode on, the dense path.
    let dense = encoder.encode(&src, &masks)?.data();
    let nested = flodl::autograd::no_grad(|| encoder.encode(&src, &masks))?.data();
    let keep = padding.logical_not()?.unsqueeze(-1)?;
    assert!(nested.allclose(&dense.mul(&keep)?, 1e-6, 1e-6, false)?);
    assert!(dense.abs()?.sum()?.item()? > nested.abs()?.sum()?.item()?);

    // Padding before a token (a right-aligned row) keeps the dense path.
    let left = Tensor::from_i64(&[1, 0, 0, 0, 0, 0, 0, 0], &[2, 4], Device::CPU)?;
    let masks = nn::Masks {
        key_padding_mask: Some(&left.to_dtype(DType::Bool)?),
        ..Default::default()
    };
    let dense = encoder.encode(&src, &masks)?.data();
    let nested = flodl::autograd::no_grad(|| encoder.encode(&src, &masks))?.data();
    assert!(nested.allclose(&dense, 1e-6, 1e-6, false)?);
    Ok(())
}

#[test]
fn encoder_says_why_it_would_not_use_nested_tensors() -> Result<()> {
    let layer = nn::TransformerEncoderLayer::new(8, 2, Default::default())?;
    let why = layer.nested_tensor_conditions().obstacle();
    assert_eq!(
        why.as_deref(),
        Some(
            "encoder_layer.self_attn.batch_first was not True\
             (use batch_first for better inference performance)"
        )
    );
    let encoder = nn::TransformerEncoder::with_options(layer, 1, None, true, true)?;
    assert!(!encoder.use_nested_tensor);
    let odd = nn::TransformerOptions {
        batch_first: true,
        ..Default::default()
    };
    let layer = nn::TransformerEncoderLayer::new(9, 3, odd)?;
    let why = layer.nested_tensor_conditions().obstacle();
    assert_eq!(
        why.as_deref(),
        Some("encoder_layer.self_attn.num_heads is odd")
    );
    Ok(())
}

#[test]
fn parameters_to_vector_and_back() -> Result<()> {
    let model = model()?;
    let params: Vec<Variable> = model.parameters();
    let vector = nn::utils::parameters_to_vector(&params)?;
    let total: usize = params.iter().map(|p| p.numel()).sum();
    assert_eq!(vector.shape(), vec![total as i64]);
    // Differentiable: the gradient of the sum reaches every parameter.
    vector.sum()?.backward()?;
    assert!(params.iter().all(|p| p.grad().is_some()));
    let doubled = vector.data().mul_scalar(2.0)?;
    nn::utils::vector_to_parameters(&doubled, &params)?;
    let again = nn::utils::parameters_to_vector(&params)?.data();
    assert!(again.allclose(&doubled, 0.0, 0.0, false)?);
    let short = Tensor::zeros(&[3], TensorOptions::default())?;
    let err = nn::utils::vector_to_parameters(&short, &params).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Argument);
    Ok(())
}

/// The layer recipes Rust's and Python's layers both start from.
#[test]
fn layer_recipes_start_as_pytorch_s_layers() -> Result<()> {
    use flodl::nn::init;
    let table = Tensor::empty(&[4, 3], TensorOptions::default())?;
    init::embedding_default_(&table, Some(2))?;
    assert_eq!(table.select(0, 2)?.to_f64_vec()?, vec![0.0; 3]);
    let error = init::embedding_default_(&table, Some(4)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Index);
    // Without hidden units the bound is 0: zeros, as PyTorch's.
    let w = Tensor::ones(&[0, 2], TensorOptions::default())?;
    let b = Tensor::ones(&[3], TensorOptions::default())?;
    init::recurrent_default_(&[&w, &b], 0)?;
    assert_eq!(b.to_f64_vec()?, vec![0.0; 3]);
    let weight = Tensor::empty(&[2, 16, 3], TensorOptions::default())?;
    let bias = Tensor::empty(&[2], TensorOptions::default())?;
    init::bilinear_default_(&weight, Some(&bias))?;
    let largest = weight.abs()?.max()?.item()?.max(bias.abs()?.max()?.item()?);
    assert!(largest <= 0.25, "{largest}"); // 1/sqrt(in1)
    let not_bilinear = init::bilinear_default_(&bias, None).unwrap_err();
    assert_eq!(not_bilinear.kind(), ErrorKind::Shape);
    Ok(())
}

/// The orthogonal parametrization's maps give orthonormal columns, and
/// its right inverse gives back an orthogonal matrix assigned to it.
#[test]
fn orthogonal_maps_give_orthonormal_columns() -> Result<()> {
    use flodl::nn::utils::{orthogonal_from, orthogonal_right_inverse, OrthogonalMap};
    let options = TensorOptions {
        dtype: DType::Float64,
        device: Device::CPU,
    };
    for map in [
        OrthogonalMap::MatrixExp,
        OrthogonalMap::Cayley,
        OrthogonalMap::Householder,
    ] {
        let values = Tensor::randn(&[5, 3], options)?;
        // Householder's diagonal holds the columns' signs (1 or -1).
        values.diagonal(0, -2, -1)?.fill_(-1.0)?;
        let x = Variable::new(values, true)?;
        let q = orthogonal_from(&x, map, None)?;
        let gram = q.transpose(-2, -1)?.matmul(&q)?.data();
        assert!(
            gram.allclose(&Tensor::eye(3, options)?, 1e-10, 1e-10, false)?,
            "{}",
            map.name()
        );
        q.sum()?.backward()?;
        assert!(x.grad().is_some());
    }
    let q = Tensor::randn(&[4, 4], options)?
        .linalg_qr(flodl::QrMode::Reduced)?
        .0;
    let (original, base) = orthogonal_right_inverse(&q, OrthogonalMap::MatrixExp, true)?;
    let base = base.expect("the trivialization keeps a base");
    let again = orthogonal_from(
        &Variable::new(original, true)?,
        OrthogonalMap::MatrixExp,
        Some(&base),
    )?;
    assert!(again.data().allclose(&q, 1e-10, 1e-10, false)?);
    let refused = orthogonal_right_inverse(&q, OrthogonalMap::Cayley, false).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Argument);
    Ok(())
}

/// A batch norm folded into the linear layer before it: x W'^T + b' is
/// (x W^T + b - mean) / sqrt(var + eps) * gamma + beta.
#[test]
fn batch_norm_folds_into_the_layer_before() -> Result<()> {
    use flodl::nn::utils::fuse_linear_bn_weights;
    let cpu = |v: &[f64], s: &[i64]| Tensor::from_f64(v, s, Device::CPU);
    let (w, b) = (
        cpu(&[1.0, 2.0, 3.0, 4.0], &[2, 2])?,
        cpu(&[0.5, -0.5], &[2])?,
    );
    let (mean, var) = (cpu(&[1.0, 2.0], &[2])?, cpu(&[3.0, 0.0], &[2])?);
    let (gamma, beta) = (cpu(&[2.0, 1.0], &[2])?, cpu(&[0.0, 1.0], &[2])?);
    let (fw, fb) =
        fuse_linear_bn_weights(&w, Some(&b), &mean, &var, 1.0, Some(&gamma), Some(&beta))?;
    // Row 0 scaled by 2 / sqrt(4) = 1, row 1 by 1 / sqrt(1) = 1: bias
    // (0.5 - 1) * 1 + 0 and (-0.5 - 2) * 1 + 1.
    assert_eq!(fw.to_f64_vec()?, vec![1.0, 2.0, 3.0, 4.0]);
    assert_eq!(fb.to_f64_vec()?, vec![-0.5, -1.5]);
    Ok(())
}
