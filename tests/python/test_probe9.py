"""Findings of the ninth drop-in probe: PyTorch programs that ran
differently on flodl, each kept here as the reproduction it was."""

import numpy as np
import pytest
import torch

import flodl


def test_fft_gradients_match_torch_natively_and_through_torch() -> None:
    """flodl.fft's own rfft, and torch's between to_torch and
    Variable.from_torch, both give the parameter torch's gradient."""
    tp = torch.tensor([1.0, 2.0, -1.0, 0.5], requires_grad=True)
    torch.fft.rfft(tp).abs().sum().backward()
    p = flodl.nn.Parameter(flodl.tensor([1.0, 2.0, -1.0, 0.5]))
    flodl.fft.rfft(p).abs().sum().backward()
    np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-6)
    p = flodl.nn.Parameter(flodl.tensor([1.0, 2.0, -1.0, 0.5]))
    y = flodl.Variable.from_torch(torch.fft.rfft(p.to_torch()).abs()).sum()
    y.backward()
    np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-6)


def _versioned(m):
    class V(m.nn.Module):
        _version = 2

        def __init__(self):
            super().__init__()
            self.w = m.nn.Parameter(m.ones(2))
            self.seen = []

        def _load_from_state_dict(self, sd, prefix, meta, *rest):
            self.seen.append(meta.get("version"))
            old = prefix + "old_w"
            if old in sd:  # an older layout named the weight old_w
                sd[prefix + "w"] = sd.pop(old)
            super()._load_from_state_dict(sd, prefix, meta, *rest)

    return V


def test_load_state_dict_goes_through_load_from_state_dict_as_torch() -> None:
    def run(m):
        V = _versioned(m)
        outer = m.nn.Sequential(V())
        sd = outer.state_dict()
        meta = dict(sd._metadata)
        outer[0].load_state_dict(V().state_dict())
        renamed = V()
        result = renamed.load_state_dict({"old_w": m.full((2,), 3.0)})
        return meta, outer[0].seen, renamed.w.tolist(), str(result)

    assert run(flodl) == run(torch)
    assert run(flodl)[0] == {"": {"version": 1}, "0": {"version": 2}}


def test_a_bad_state_dict_still_changes_nothing() -> None:
    V = _versioned(flodl)
    model = flodl.nn.Sequential(V(), flodl.nn.Linear(2, 2))
    before = [p.tolist() for p in model.parameters()]
    sd = {"0.w": flodl.full((2,), 5.0), "1.weight": flodl.zeros(3, 2), "1.bias": flodl.zeros(2)}
    with pytest.raises(flodl.ArgumentError, match=r"size mismatch for 1\.weight"):
        model.load_state_dict(sd)
    assert [p.tolist() for p in model.parameters()] == before


def test_extra_state_is_saved_and_loaded_as_torch() -> None:
    def run(m):
        class E(m.nn.Module):
            def __init__(self, v):
                super().__init__()
                self.l = m.nn.Linear(1, 1)
                self.cfg = {"v": v}

            def get_extra_state(self):
                return self.cfg

            def set_extra_state(self, state):
                self.cfg = state

        sd = E(1).state_dict()
        other = E(2)
        other.load_state_dict(sd)
        plain = m.nn.Linear(1, 1)
        with pytest.raises(RuntimeError, match="Unexpected key"):
            plain.load_state_dict({**plain.state_dict(), "_extra_state": 1})
        missing = str(E(3).load_state_dict(m.nn.Linear(1, 1).state_dict(), strict=False))
        return list(sd), other.cfg, hasattr(plain, "get_extra_state"), missing

    assert run(flodl) == run(torch)


def test_batch_norm_loads_a_state_dict_without_num_batches_tracked() -> None:
    def run(m):
        bn = m.nn.BatchNorm1d(3)
        bn.num_batches_tracked.fill_(4)
        sd = {k: v for k, v in m.nn.BatchNorm1d(3).state_dict().items()}
        del sd["num_batches_tracked"]
        result = str(bn.load_state_dict(sd))
        versioned = m.nn.BatchNorm1d(3).state_dict()
        del versioned["num_batches_tracked"]  # its _metadata says version 2
        with pytest.raises(RuntimeError, match="num_batches_tracked"):
            m.nn.BatchNorm1d(3).load_state_dict(versioned)
        return result, int(bn.num_batches_tracked)

    assert run(flodl) == run(torch)


def test_state_dict_and_load_hooks_run_as_torch() -> None:
    def run(m):
        calls = []
        lin = m.nn.Linear(2, 1)
        lin.register_state_dict_pre_hook(lambda mod, prefix, keep: calls.append(("pre", prefix)))
        lin.register_state_dict_post_hook(
            lambda mod, sd, prefix, meta: calls.append(("post", sorted(sd)))
        )

        def drop_bias(mod, sd, prefix, *rest):
            calls.append(("load-pre", prefix))
            sd.pop(prefix + "bias", None)

        def forgive(mod, keys):
            calls.append(("load-post", list(keys.missing_keys)))
            keys.missing_keys.clear()

        lin.register_load_state_dict_pre_hook(drop_bias)
        handle = lin.register_load_state_dict_post_hook(forgive)
        net = m.nn.Sequential(lin)
        sd = net.state_dict()
        result = str(net.load_state_dict(sd))
        handle.remove()
        with pytest.raises(RuntimeError, match="Missing key"):
            net.load_state_dict(sd)
        return calls, result

    assert run(flodl) == run(torch)


def test_scatter_takes_torch_s_older_reduce_keyword() -> None:
    index = [[0], [2], [4]]

    def run(m):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = m.zeros(3, 5).scatter_(1, m.tensor(index), 2.5, reduce="add")
            b = m.ones(3, 5).scatter(1, m.tensor(index), m.full((3, 1), 3.0), reduce="multiply")
            w = m.ones(3, 5, requires_grad=True)
            c = (w * 2).scatter(1, m.tensor(index), 4.0, reduce="multiply")
        # torch has no gradient for this form
        kind = flodl.AutogradError if m is flodl else RuntimeError
        with pytest.raises(kind, match="derivative for aten::scatter is not implemented"):
            c.sum().backward()
        with pytest.raises(RuntimeError, match="add.*multiply"):
            m.zeros(2).scatter(0, m.tensor([0]), 1.0, reduce="max")
        return a.tolist(), b.tolist(), c.tolist()

    assert run(flodl) == run(torch)


def test_a_saved_parameter_loads_back_as_a_parameter(tmp_path) -> None:
    import io

    def run(m, target):
        lin = m.nn.Linear(2, 1)
        lin.bias.requires_grad_(False)
        x = m.ones(2, requires_grad=True)
        y = x * 2  # not a leaf: it loads as a leaf that requires grad
        m.save({"w": lin.weight, "b": lin.bias, "x": x, "y": y, "sd": lin.state_dict()}, target)
        if isinstance(target, io.BytesIO):
            target.seek(0)
        d = m.load(target)
        kinds = {k: (type(d[k]).__name__, d[k].requires_grad) for k in "wbxy"}
        kinds["y"] = (kinds["y"][0], kinds["y"][1], d["y"].is_leaf)
        return kinds, [type(v).__name__ for v in d["sd"].values()]

    want = run(torch, io.BytesIO())
    for target in (io.BytesIO(), str(tmp_path / "ckpt.safetensors")):
        got = run(flodl, target)
        assert got[1] == want[1]
        assert {k: (v[0].replace("Variable", "Tensor"), *v[1:]) for k, v in got[0].items()} == want[
            0
        ]


def test_histogram_with_bin_edges_and_searchsorted_with_a_sorter() -> None:
    def run(m):
        x = m.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
        edges = m.tensor([0.0, 2.0, 6.0])
        plain = m.histogram(x, bins=edges)
        weighted = x.histogram(edges, weight=m.full((5,), 2.0), density=True)
        unsorted = m.tensor([3.0, 1.0, 2.0])
        where = m.searchsorted(unsorted, m.tensor([1.5, 2.5]), sorter=m.argsort(unsorted))
        return [t.tolist() for t in (*plain, *weighted, where)]

    assert run(flodl) == run(torch)
    with pytest.raises(flodl.ArgumentError, match="histogram: range"):
        flodl.ones(3).histogram(flodl.tensor([0.0, 1.0]), range=(0.0, 1.0))


def test_absent_distributions_and_layers_say_so() -> None:
    for module, name in [
        (flodl.distributions, "Wishart"),
        (flodl.distributions, "CatTransform"),
        (flodl.nn, "AdaptiveLogSoftmaxWithLoss"),
    ]:
        with pytest.raises(AttributeError, match=f"{name} is not in flodl.*Variable.from_torch"):
            getattr(module, name)
    with pytest.raises(AttributeError, match="has no attribute 'Nonsense'$"):
        flodl.distributions.Nonsense  # noqa: B018
    x = flodl.tensor([0.5, -1.0])
    t = flodl.distributions.identity_transform
    assert t(x).tolist() == x.tolist()
    assert t.log_abs_det_jacobian(x, x).tolist() == [0.0, 0.0]
