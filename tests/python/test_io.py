"""flodl.save / flodl.load: safetensors files that safetensors.torch reads,
and the other way round; bad files are clear errors."""

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
        assert str(loaded[name].dtype) == f"torch.{values.dtype}"
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
        assert str(got.dtype) == str(t.dtype).removeprefix("torch.")
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
    with pytest.raises(flodl.ArgumentError, match="cannot read"):
        flodl.load(tmp_path / "missing.safetensors")


def test_save_takes_tensors_by_name(tmp_path):
    with pytest.raises(TypeError, match="'w' is a list"):
        flodl.save({"w": [1.0]}, tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match="names are str"):
        flodl.save({1: Tensor.ones([1])}, tmp_path / "x.safetensors")
    assert not (tmp_path / "x.safetensors").exists()
    with pytest.raises(flodl.ArgumentError, match="cannot write"):
        flodl.save({"w": Tensor.ones([1])}, tmp_path / "no_such_dir" / "x.safetensors")


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
