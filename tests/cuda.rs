//! flodl::cuda without a GPU: every entry point is a clear Device error (a
//! CPU batch for the graphed step, a CPU device for graphs and statistics)
//! and nothing crashes. On a GPU, tests/python/test_devices.py runs graphs
//! and the graphed step against eager steps.
use flodl::cuda::{self, CudaGraph, Event, GraphedStep, Stream};
use flodl::{Device, ErrorKind, Result, Tensor};

#[test]
fn graphed_step_checks_its_batch_before_anything_runs() {
    let mut calls = 0;
    let x = Tensor::ones(&[2, 3], Default::default()).unwrap();
    let err = GraphedStep::new(
        |b: &[Tensor]| -> Result<Tensor> {
            calls += 1;
            b[0].sum()
        },
        &[x],
        3,
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Device);
    assert!(
        err.to_string().contains("batch tensor 0 is on cpu"),
        "{err}"
    );
    let err = GraphedStep::new(|b: &[Tensor]| b[0].sum(), &[], 3).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Argument);
    assert_eq!(calls, 0);
}

#[test]
fn make_graphed_callable_checks_its_samples_first() {
    let x = flodl::Variable::new(Tensor::ones(&[2, 3], Default::default()).unwrap(), true).unwrap();
    let mut calls = 0;
    let err = cuda::make_graphed_callable(
        |a: &[flodl::Variable]| {
            calls += 1;
            Ok(vec![a[0].sum()?])
        },
        &[x],
        &[],
        3,
        false,
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Device, "{err}");
    let err =
        cuda::make_graphed_callable(|a: &[flodl::Variable]| Ok(a.to_vec()), &[], &[], 3, false)
            .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Argument);
    assert_eq!(calls, 0);
}

#[test]
fn make_graphed_callables_checks_every_callable_first() {
    let x = flodl::Variable::new(Tensor::ones(&[2, 3], Default::default()).unwrap(), true).unwrap();
    let calls = std::cell::Cell::new(0);
    let spec = |args: Vec<flodl::Variable>| cuda::GraphedSpec {
        f: Box::new(|a: &[flodl::Variable]| {
            calls.set(calls.get() + 1);
            Ok(vec![a[0].sum()?])
        }),
        sample_args: args,
        params: Vec::new(),
    };
    let err =
        cuda::make_graphed_callables(vec![spec(vec![x.clone()]), spec(vec![])], 3, false, None)
            .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Argument, "{err}");
    assert!(
        err.to_string()
            .contains("callable 1's needs at least one sample argument"),
        "{err}"
    );
    let err =
        cuda::make_graphed_callables(vec![spec(vec![x.clone()]), spec(vec![x])], 3, false, None)
            .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Device, "{err}");
    assert!(
        err.to_string().contains("callable 0's tensor 0 is on cpu"),
        "{err}"
    );
    let err = cuda::make_graphed_callables(Vec::new(), 3, false, None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Argument, "{err}");
    assert_eq!(calls.get(), 0);
}

#[test]
fn cpu_devices_are_device_errors() {
    assert_eq!(
        CudaGraph::new(Device::CPU).unwrap_err().kind(),
        ErrorKind::Device
    );
    for err in [
        cuda::memory_allocated(Device::CPU).unwrap_err(),
        cuda::max_memory_reserved(Device::CPU).unwrap_err(),
        cuda::reset_peak_memory_stats(Device::CPU).unwrap_err(),
        cuda::get_device_properties(Device::CPU).unwrap_err(),
        cuda::on_side_stream(Device::CPU, || ()).unwrap_err(),
        Stream::new(Device::CPU, 0).unwrap_err(),
        Stream::current(Device::CPU).unwrap_err(),
    ] {
        assert_eq!(err.kind(), ErrorKind::Device, "{err}");
    }
    assert!(cuda::empty_cache().is_ok());
}

#[test]
fn without_cuda_the_device_calls_say_so() {
    if flodl::cuda_available() {
        return; // tests/python/test_devices.py covers the GPU
    }
    let err = CudaGraph::new(Device::CUDA(0)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Device, "{err}");
    let err = cuda::memory_allocated(Device::CUDA(0)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Device, "{err}");
    assert!(err.to_string().contains("no CUDA device"), "{err}");
    assert_eq!(
        cuda::graph_pool_handle().unwrap_err().kind(),
        ErrorKind::Device
    );
    assert_eq!(
        Stream::new(Device::CUDA(0), 0).unwrap_err().kind(),
        ErrorKind::Device
    );
    assert_eq!(Event::new(true).unwrap_err().kind(), ErrorKind::Device);
}
