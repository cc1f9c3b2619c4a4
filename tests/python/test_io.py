"""flodl.save / flodl.load: safetensors files that safetensors.torch reads,
and the other way round; bad files are clear errors."""

import dataclasses
import io
import pickle

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

import flodl
from flodl import Tensor, Variable

DTYPES = [
    "bool",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "float16",
    "bfloat16",
    "float32",
    "float64",
]


def sample(dtype: str, shape=(2, 3)) -> torch.Tensor:
    t = torch.randn(*shape) * 10
    return (t > 0) if dtype == "bool" else t.to(getattr(torch, dtype))


def test_flodl_files_load_in_safetensors_torch(tmp_path):
    originals = {f"t_{d}": sample(d) for d in DTYPES}
    state = {
        name: flodl.tensor(t.float().numpy()).to(d)
        for (name, t), d in zip(originals.items(), DTYPES)
    }
    state["a_variable"] = Variable(flodl.tensor([1.5, 2.5]), requires_grad=True)
    state["scalar"] = flodl.tensor(3.0)
    flodl.save(state, tmp_path / "model.safetensors")
    loaded = load_file(tmp_path / "model.safetensors")
    assert set(loaded) == set(state)
    for name, value in state.items():
        values = value.data if isinstance(value, Variable) else value
        assert str(loaded[name].dtype) == f"torch.{values.dtype.name}"
        assert list(loaded[name].shape) == list(values.shape)
        assert loaded[name].float().tolist() == values.to("float32").tolist()


def test_safetensors_torch_files_load_in_flodl(tmp_path):
    originals = {f"t_{d}": sample(d, (3, 1, 2)) for d in DTYPES}
    save_file(originals, tmp_path / "torch.safetensors")
    loaded = flodl.load(tmp_path / "torch.safetensors")
    assert set(loaded) == set(originals)
    for name, t in originals.items():
        got = loaded[name]
        assert isinstance(got, Tensor)
        assert got.dtype.name == str(t.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(got.to("float64").numpy(), t.double().numpy())


def test_bad_files_are_argument_errors(tmp_path):
    good = tmp_path / "good.safetensors"
    flodl.save({"w": Tensor.ones([4, 4])}, good)
    data = good.read_bytes()
    for name, content in (
        ("truncated", data[:-8]),
        ("header", data[:20]),
        ("garbage", b"\x00" * 64),
    ):
        path = tmp_path / f"{name}.safetensors"
        path.write_bytes(content)
        with pytest.raises(flodl.ArgumentError, match="load: .* not a valid safetensors file"):
            flodl.load(path)
    # Python's own error, as torch.load's: `except FileNotFoundError` works.
    with pytest.raises(FileNotFoundError, match="load: no such file"):
        flodl.load(tmp_path / "missing.safetensors")


def test_save_refuses_what_a_file_cannot_hold(tmp_path):
    with pytest.raises(TypeError, match=r"save: the object\['w'\]\[1\] is a object"):
        flodl.save({"w": [1.0, object()]}, tmp_path / "x.safetensors", pickle=False)
    with pytest.raises(TypeError, match="keys of the object must be str or int"):
        flodl.save({(1, 2): Tensor.ones([1])}, tmp_path / "x.safetensors", pickle=False)
    with pytest.raises(flodl.ArgumentError, match="outside int64"):
        flodl.save({"n": 2**70}, tmp_path / "x.safetensors")
    assert not (tmp_path / "x.safetensors").exists()
    with pytest.raises(flodl.ArgumentError, match="cannot write"):
        flodl.save({"w": Tensor.ones([1])}, tmp_path / "no_such_dir" / "x.safetensors")


def test_nested_containers_round_trip_as_a_valid_safetensors_file(tmp_path):
    from safetensors.numpy import load_file

    model = flodl.nn.Linear(3, 2)
    opt = flodl.optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.9))
    model(flodl.Variable(Tensor.ones([4, 3]))).sum().backward()
    opt.step()
    checkpoint = {
        "model": model.state_dict(),
        "optim": opt.state_dict(),
        "epoch": 3,
        "loss": float("nan"),
        "note": ("tuple", None, True, -1.5, [1, 2]),
    }
    path = tmp_path / "checkpoint.safetensors"
    flodl.save(checkpoint, path)
    back = flodl.load(path)
    assert back["epoch"] == 3 and np.isnan(back["loss"])
    assert back["note"] == ("tuple", None, True, -1.5, [1, 2])
    assert list(back["model"]) == list(model.state_dict())
    for name, t in model.state_dict().items():
        np.testing.assert_array_equal(back["model"][name].numpy(), t.numpy())
    saved_optim = opt.state_dict()
    assert back["optim"]["param_groups"] == saved_optim["param_groups"]
    assert list(back["optim"]["state"]) == [0, 1]
    for i, state in saved_optim["state"].items():
        for key, t in state.items():
            np.testing.assert_array_equal(back["optim"]["state"][i][key].numpy(), t.numpy())
    # Any safetensors reader sees the tensors under their paths.
    names = set(load_file(str(path)))
    assert {"model.weight", "optim.state.0.exp_avg", "optim.state.1.step"} <= names
    # And the optimizer resumes from it.
    resumed = flodl.optim.Adam(model.parameters())
    resumed.load_state_dict(back["optim"])
    assert resumed.param_groups[0]["betas"] == (0.8, 0.9) and resumed.param_groups[0]["lr"] == 0.01


def test_a_truncated_checkpoint_leaves_the_model_as_it_was(tmp_path) -> None:
    path = tmp_path / "model.safetensors"
    flodl.save(flodl.nn.Linear(3, 2).state_dict(), str(path))
    path.write_bytes(path.read_bytes()[:-8])
    model = flodl.nn.Linear(3, 2)
    before = {name: t.numpy().copy() for name, t in model.state_dict().items()}
    with pytest.raises(flodl.ArgumentError, match="load"):
        model.load_state_dict(flodl.load(str(path)))
    for name, t in model.state_dict().items():
        np.testing.assert_array_equal(t.numpy(), before[name])


def test_a_whole_module_is_pickled_and_read_back_under_weights_only_as_torch_s(tmp_path):
    model = flodl.nn.Sequential(flodl.nn.Linear(3, 2), flodl.nn.ReLU())
    path = tmp_path / "model.pt"
    with pytest.raises(TypeError, match="save model.state_dict.*leave pickle out"):
        flodl.save(model, path, pickle=False)
    flodl.save(model, path)  # pickled, as torch.save pickles
    # As PyTorch's rule: unpickling a class runs its code, so it must be asked for.
    with pytest.raises(pickle.UnpicklingError, match="flodl.nn.container.Sequential"):
        flodl.load(path)
    with pytest.raises(pickle.UnpicklingError):
        torch_buffer = io.BytesIO()
        torch.save(torch.nn.Sequential(torch.nn.Linear(3, 2)), torch_buffer)
        torch_buffer.seek(0)
        torch.load(torch_buffer)
    back = flodl.load(path, weights_only=False)
    assert type(back) is type(model) and repr(back) == repr(model)
    x = Tensor.ones([2, 3])
    assert back(x).tolist() == model(x).tolist()
    assert [n for n, _ in back.named_parameters()] == ["0.weight", "0.bias"]


@dataclasses.dataclass
class _Config:
    lr: float = 0.1
    layers: tuple = (4, 2)


def test_a_checkpoint_holding_a_class_of_one_s_own_loads_once_allowed(tmp_path):
    checkpoint = {"config": _Config(), "w": Tensor.ones([2]), "step": 3}
    buffer = io.BytesIO()
    flodl.save(checkpoint, buffer)  # not a safetensors file: pickled
    with pytest.raises(pickle.UnpicklingError, match="_Config.*add_safe_globals"):
        flodl.load(io.BytesIO(buffer.getvalue()))
    with flodl.serialization.safe_globals([_Config]):
        back = flodl.load(io.BytesIO(buffer.getvalue()))
    assert back["config"] == _Config() and back["step"] == 3
    assert back["w"].tolist() == [1.0, 1.0]
    assert flodl.serialization.get_safe_globals() == []
    flodl.serialization.add_safe_globals([_Config])
    try:
        assert flodl.load(io.BytesIO(buffer.getvalue()))["config"] == _Config()
    finally:
        flodl.serialization.clear_safe_globals()
    # PyTorch reads the same rule for its own file.
    theirs = io.BytesIO()
    torch.save({"config": _Config(), "w": torch.ones(2)}, theirs)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(io.BytesIO(theirs.getvalue()))
    with torch.serialization.safe_globals([_Config]):
        assert torch.load(io.BytesIO(theirs.getvalue()))["config"] == _Config()


def test_map_location_may_be_a_function_or_a_dict_as_torch_s(tmp_path):
    state = flodl.nn.Linear(3, 2).state_dict()
    buffer = io.BytesIO()
    flodl.save(state, buffer)
    for where in (lambda storage, loc: storage, {"cuda:0": "cpu"}, {"cpu": "cpu"}, "cpu", None):
        back = flodl.load(io.BytesIO(buffer.getvalue()), map_location=where)
        assert type(back) is type(state) and list(back) == list(state)
        for name, t in back.items():
            assert t.device == flodl.device("cpu")
            np.testing.assert_array_equal(t.numpy(), state[name].numpy())
    seen = []
    flodl.load(io.BytesIO(buffer.getvalue()), map_location=lambda t, loc: seen.append(loc))
    assert seen == ["cpu", "cpu"]
    with pytest.raises(TypeError, match="load: map_location returned a int"):
        flodl.load(io.BytesIO(buffer.getvalue()), map_location=lambda t, loc: 3)


def test_load_moves_tensors_to_map_location(tmp_path):
    path = tmp_path / "state.safetensors"
    # A header of 128 bytes starts the file with 0x80, a pickle's first byte:
    # the file is still read as safetensors.
    for length in range(1, 100):
        save_file({"w" * length: torch.zeros(2, 3)}, str(path))
        if path.read_bytes()[:1] == b"\x80":
            break
    state = flodl.load(path, map_location="cpu")
    assert list(state) == ["w" * length] and state["w" * length].device == flodl.device("cpu")
    assert path.read_bytes()[:1] == b"\x80"
    with pytest.raises(flodl.ArgumentError):
        flodl.load(path, map_location="nowhere")


def test_a_checkpoint_without_tensors_is_a_valid_safetensors_file(tmp_path):
    from safetensors.numpy import load_file

    path = tmp_path / "numbers.safetensors"
    numbers = {"epoch": 3, "lrs": [0.015049999999999997, 1.3436424411240121e-09]}
    flodl.save(numbers, path)
    assert load_file(str(path)) == {}  # safetensors reads it: no tensors
    assert flodl.load(path) == numbers  # floats come back exactly


def test_save_and_load_through_a_file_object() -> None:
    state = {"w": flodl.arange(6.0).reshape([2, 3]), "step": 3}
    buffer = io.BytesIO()
    flodl.save(state, buffer)
    buffer.seek(0)
    loaded = flodl.load(buffer)
    assert loaded["step"] == 3 and loaded["w"].tolist() == state["w"].tolist()


def test_a_file_torch_saved_is_refused_with_the_way_to_convert_it(tmp_path) -> None:
    path = tmp_path / "torch.pt"
    torch.save({"w": torch.ones(2)}, path)
    with pytest.raises(flodl.ArgumentError, match="written by torch.save.*from_torch"):
        flodl.load(path)
    # torch's legacy format (a row of pickles) too, whatever weights_only says.
    torch.save({"w": torch.ones(2)}, path, _use_new_zipfile_serialization=False)
    for weights_only in (True, False):
        with pytest.raises(flodl.ArgumentError, match="legacy format.*from_torch"):
            flodl.load(path, weights_only=weights_only)


def test_bytes_that_are_no_checkpoint_say_so(tmp_path) -> None:
    with pytest.raises(flodl.ArgumentError, match="not a valid safetensors file, nor a pickle"):
        flodl.load(io.BytesIO(b"not a checkpoint"))
    (tmp_path / "text.pt").write_text("hello, world")
    with pytest.raises(flodl.ArgumentError, match="not a valid safetensors file, nor a pickle"):
        flodl.load(tmp_path / "text.pt")


def test_a_state_dict_loads_back_in_its_module_order(tmp_path) -> None:
    # The format stores tensors by dtype and name; the names' order is kept
    # in the metadata, so load gives the dict as torch.load does.
    model = flodl.nn.Sequential(
        flodl.nn.Linear(3, 4), flodl.nn.BatchNorm1d(4), flodl.nn.Linear(4, 2)
    )
    state = model.state_dict()
    path = tmp_path / "model.safetensors"
    flodl.save(state, path)
    assert list(flodl.load(path)) == list(state)
    assert sorted(load_file(str(path))) == sorted(state)  # still a plain file for others
    # A file another library wrote has no such entry: the file's order stands.
    save_file({"b": torch.zeros(2), "a": torch.ones(1)}, str(path))
    assert list(flodl.load(path)) == list(load_file(str(path)))


def test_a_checkpoint_keeps_the_python_kinds_torch_save_keeps(tmp_path) -> None:
    # What training scripts put in a checkpoint besides tensors: the module's
    # OrderedDict state dict, numpy arrays and numpy's random state (uint32),
    # sets of tags, Size, dtype, device, the argparse Namespace of the run.
    import argparse
    import collections

    def checkpoint(lib, model):
        np.random.seed(0)
        return {
            "model": model.state_dict(),
            "val_scores": np.array([0.5, 0.6]),
            "counts": np.arange(6, dtype=np.uint16).reshape(2, 3),
            "np_rng": np.random.get_state(),
            "shape": lib.zeros(2, 3).shape,
            "dtype": lib.float64,
            "device": lib.device("cpu"),
            "tags": {"baseline", "mlp"},
            "frozen": frozenset([1]),
            "args": argparse.Namespace(lr=0.1, name="run", layers=[2, 3]),
        }

    flodl.manual_seed(0)
    ours = checkpoint(flodl, flodl.nn.Linear(3, 2))
    flodl.save(ours, tmp_path / "ours")
    back = flodl.load(tmp_path / "ours")  # nothing here runs code: weights_only holds
    buffer = io.BytesIO()
    torch.save(checkpoint(torch, torch.nn.Linear(3, 2)), buffer)
    buffer.seek(0)
    theirs = torch.load(buffer, weights_only=False)
    ours_named = {"DType": "dtype", "Device": "device"}  # flodl's class names
    for key in theirs:
        name = type(back[key]).__name__
        assert ours_named.get(name, name) == type(theirs[key]).__name__, key
    assert isinstance(back["model"], collections.OrderedDict)
    assert list(back["model"]) == list(theirs["model"])
    for key in ("val_scores", "counts"):
        assert back[key].dtype == theirs[key].dtype
        np.testing.assert_array_equal(back[key], theirs[key])
    assert back["np_rng"][1].dtype == np.uint32
    np.random.set_state(back["np_rng"])
    first = np.random.rand()
    np.random.set_state(theirs["np_rng"])
    assert first == np.random.rand()
    assert back["shape"] == flodl.Size([2, 3]) and back["dtype"] is flodl.float64
    assert back["device"] == flodl.device("cpu")
    assert back["tags"] == {"baseline", "mlp"} and back["frozen"] == frozenset([1])
    assert vars(back["args"]) == vars(theirs["args"])
    # Still a safetensors file, its tensors under their paths.
    assert {"model.weight", "val_scores.1"} <= set(load_file(str(tmp_path / "ours")))
    with pytest.raises(TypeError, match=r"save: the object\['s'\] is a numpy array of str32"):
        flodl.save({"s": np.array(["a"])}, tmp_path / "x", pickle=False)
    with pytest.raises(flodl.ArgumentError, match=r"the object\['u'\] holds numbers outside int64"):
        flodl.save({"u": np.array([2**64 - 1], dtype=np.uint64)}, tmp_path / "x")


def test_torch_s_save_and_load_keywords_are_taken(tmp_path) -> None:
    path = tmp_path / "ckpt.pt"
    state = {"w": flodl.ones(2), "step": 3}
    flodl.save(state, path, pickle_protocol=4)
    loaded = flodl.load(path, mmap=True, weights_only=True)
    assert loaded["w"].tolist() == [1.0, 1.0] and loaded["step"] == 3
    with pytest.raises(TypeError, match="mmap must be a bool"):
        flodl.load(path, mmap="yes")
    with pytest.raises(TypeError, match="pickle_protocol must be an int"):
        flodl.save(state, path, pickle_protocol="4")
