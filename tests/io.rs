//! flodl::io from Rust: a round trip of every dtype, and bad files.
use flodl::{io, DType, Device, ErrorKind, Result, Tensor};

#[test]
fn save_then_load_gives_the_same_tensors() -> Result<()> {
    let dir = std::env::temp_dir().join(format!("flodl-io-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.safetensors");
    let base = Tensor::from_f64(&[1.0, -2.5, 3.0, 0.0, 7.0, 1.0], &[2, 3], Device::CPU)?;
    let dtypes = [
        DType::Float32,
        DType::Float64,
        DType::Int64,
        DType::Bool,
        DType::BFloat16,
    ];
    let tensors: Vec<(String, Tensor)> = dtypes
        .iter()
        .map(|d| Ok((format!("{d}"), base.to_dtype(*d)?)))
        .collect::<Result<_>>()?;
    let named: Vec<(&str, &Tensor)> = tensors.iter().map(|(n, t)| (n.as_str(), t)).collect();
    io::save(&named, &path)?;
    let loaded = io::load(&path)?;
    assert_eq!(loaded.len(), tensors.len());
    for (name, tensor) in &tensors {
        let (_, got) = loaded.iter().find(|(n, _)| n == name).unwrap();
        assert_eq!(got.dtype(), tensor.dtype());
        assert_eq!(got.shape(), tensor.shape());
        assert_eq!(got.to_f64_vec()?, tensor.to_f64_vec()?);
    }
    std::fs::write(&path, b"not a safetensors file at all").unwrap();
    assert_eq!(io::load(&path).unwrap_err().kind(), ErrorKind::Argument);
    let twice = [("w", &tensors[0].1), ("w", &tensors[1].1)];
    assert_eq!(
        io::save(&twice, &path).unwrap_err().kind(),
        ErrorKind::Argument
    );
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}

#[test]
fn load_gives_the_tensors_in_the_order_they_were_saved() -> Result<()> {
    let dir = std::env::temp_dir().join(format!("flodl-io-order-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ordered.safetensors");
    // The format stores them by dtype and name: this order is neither.
    let small = Tensor::from_f64(&[1.0], &[1], Device::CPU)?;
    let wide = small.to_dtype(DType::Float64)?;
    let named = [("z.weight", &small), ("a.bias", &wide), ("m.scale", &small)];
    io::save(&named, &path)?;
    let names: Vec<String> = io::load(&path)?.into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["z.weight", "a.bias", "m.scale"]);
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}

#[test]
fn a_python_kind_in_a_checkpoint_comes_back_and_rust_reads_its_content() -> Result<()> {
    use flodl::Value;
    let path = std::env::temp_dir().join(format!("flodl-io-typed-{}", std::process::id()));
    let weight = Tensor::from_f64(&[1.0, 2.0], &[2], Device::CPU)?;
    // A module's state dict as Python saves it: an OrderedDict.
    let model = Value::Typed(
        "OrderedDict".into(),
        Box::new(Value::dict([("weight", Value::Tensor(weight.clone()))])),
    );
    let tags = Value::Typed("set".into(), Box::new(Value::List(vec!["a".into()])));
    io::save_value(&Value::dict([("model", model), ("tags", tags)]), &path)?;
    let back = io::load_value(&path)?;
    std::fs::remove_file(&path).ok();
    let Value::Dict(entries) = &back else {
        panic!("a checkpoint dict loads as a dict");
    };
    assert!(matches!(&entries[0].1, Value::Typed(name, _) if name == "OrderedDict"));
    assert!(matches!(back.get("model"), Some(Value::Dict(_))));
    let state = back.get("model").and_then(Value::to_state_dict);
    assert_eq!(
        state.map(|s| s[0].1.to_f64_vec()),
        Some(weight.to_f64_vec())
    );
    let tags = back
        .get("tags")
        .and_then(Value::items)
        .map(<[Value]>::to_vec);
    assert_eq!(tags.map(|t| t.len()), Some(1));
    Ok(())
}
