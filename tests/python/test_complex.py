"""Complex tensors and flodl.fft as a PyTorch program uses them: dtypes and
promotion, printing, conversion, views, gradients, and the transforms,
each against torch on the same libtorch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import flodl
from flodl import Tensor, Variable


def both(make):
    """The same expression on flodl and on torch."""
    return make(flodl), make(torch)


def assert_same(f, t, rtol=1e-6, atol=1e-6) -> None:
    assert f.dtype.name == str(t.dtype).removeprefix("torch.")
    assert tuple(f.shape) == tuple(t.shape)
    np.testing.assert_allclose(f.resolve_conj().numpy(), t.resolve_conj().numpy(), rtol, atol)


def test_dtype_names_and_limits_are_torch_s() -> None:
    assert flodl.complex64 is flodl.cfloat is flodl.DType.Complex64
    assert flodl.complex128 is flodl.cdouble
    for f, t in [(flodl.complex64, torch.complex64), (flodl.complex128, torch.complex128)]:
        assert (f.is_complex, f.is_floating_point, f.itemsize) == (
            t.is_complex,
            t.is_floating_point,
            t.itemsize,
        )
        assert str(f.to_real()).removeprefix("flodl.") == str(t.to_real()).removeprefix("torch.")
        assert flodl.finfo(f).eps == torch.finfo(t).eps
    assert flodl.float64.to_complex() is flodl.complex128
    with pytest.raises(flodl.DTypeError, match="to_complex"):
        flodl.int64.to_complex()


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.tensor([1 + 2j, 3 - 1j]),
        lambda m: m.tensor([[1, 2.5j], [0, -1]]),
        lambda m: m.tensor(2j),
        lambda m: m.full((2, 2), 1 - 1j),
        lambda m: m.zeros(3, dtype=m.cfloat),
        lambda m: m.ones(2, dtype=m.complex128),
        lambda m: m.complex(m.ones(3), m.arange(3.0)),
        lambda m: m.polar(m.ones(2, dtype=m.float64), m.tensor([0.0, 1.0], dtype=m.float64)),
    ],
)
def test_creation_gives_torch_s_dtype_and_values(make) -> None:
    assert_same(*both(make))


def test_python_complex_numbers_promote_as_torch() -> None:
    dtypes = ["bool", "uint8", "int64", "float16", "float32", "float64", "complex64", "complex128"]
    numbers = [True, 2, 1.5, 2j, 1 - 0.5j]
    for name in dtypes:
        for number in numbers:
            for shape in [(3,), ()]:

                def make(m, name=name, number=number, shape=shape):
                    x = m.ones(shape, dtype=getattr(m, name))
                    if name == "bool" or number is True:  # an error in both
                        return x * number, x + number
                    return x * number, x + number, number - x

                if name == "float16" and isinstance(number, complex):
                    # torch's complex32, which flodl lacks: a typed error.
                    assert make(torch)[0].dtype == torch.complex32
                    with pytest.raises(flodl.DTypeError, match="complex32"):
                        make(flodl)
                    continue
                for f, t in zip(*both(make)):
                    assert_same(f, t)
    # Tensors: complex64 with float64 is complex128.
    assert_same(*both(lambda m: m.ones(2, dtype=m.cfloat) + m.ones(2, dtype=m.float64)))


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.tensor([1 + 2j, 3 - 1j]),
        lambda m: m.tensor([[1.5 + 2j, -3 - 0.25j], [0j, 1e-5j]]),
        lambda m: m.tensor(2j),
        lambda m: m.tensor([1 + 1j], dtype=m.complex128),
        lambda m: m.zeros(0, dtype=m.cfloat),
        lambda m: m.arange(1200.0).reshape(40, 30) * (1 + 1j),
        lambda m: m.tensor([float("nan") + 1j, complex(0, float("inf"))]),
    ],
)
def test_complex_tensors_print_as_torch(make) -> None:
    f, t = both(make)
    assert repr(f) == repr(t).replace("torch.", "flodl.")


def test_values_leave_as_python_and_numpy_numbers() -> None:
    f, t = both(lambda m: m.tensor([[1 + 2j, -1j]]))
    assert f.tolist() == t.tolist()
    assert f[0, 1].item() == t[0, 1].item() == -1j
    assert np.asarray(f).dtype == np.complex64
    shared = f.numpy()
    shared[0, 0] = 5
    assert f[0, 0].item() == 5  # numpy() shares memory
    back = Tensor.from_numpy(np.array([1 + 1j, 2j]))
    assert back.dtype == flodl.complex128
    assert flodl.tensor(np.complex64(1j)).dtype == flodl.complex64
    assert complex(f[0, 1]) == complex(t[0, 1]) == -1j
    assert f.type() == t.type() == "torch.ComplexFloatTensor"
    via_torch = Tensor.from_torch(torch.tensor([1 + 2j]))
    assert via_torch.to_torch().tolist() == [1 + 2j]


def test_real_and_imag_are_views_that_write_back() -> None:
    z = flodl.tensor([1 + 2j, 3 - 4j])
    assert z.real.tolist() == [1.0, 3.0] and z.imag.tolist() == [2.0, -4.0]
    assert flodl.real(z).tolist() == [1.0, 3.0] and flodl.imag(z).tolist() == [2.0, -4.0]
    z.real[0] = 10
    z.imag = flodl.tensor([0.0, 1.0])
    assert z.tolist() == [10 + 0j, 3 + 1j]
    x = flodl.ones(2)
    assert x.real.tolist() == [1.0, 1.0]
    with pytest.raises(flodl.DTypeError, match="imag"):
        _ = x.imag


def test_conj_is_lazy_and_reads_conjugated() -> None:
    z = flodl.tensor([1 + 2j])
    c = z.conj()
    assert c.is_conj() and not z.is_conj() and flodl.is_conj(c)
    assert c.tolist() == [1 - 2j] and repr(c) == "tensor([1.-2.j])"
    assert c.numpy().tolist() == [1 - 2j]  # a copy: the memory holds 1+2j
    assert c.imag.is_neg() and c.imag.tolist() == [-2.0]
    assert not c.resolve_conj().is_conj() and c.resolve_conj().tolist() == [1 - 2j]
    assert z.conj_physical().tolist() == [1 - 2j]
    filled = flodl.zeros(2, dtype=flodl.cfloat).fill_(flodl.tensor(1 + 2j).conj())
    assert filled.tolist() == [1 - 2j, 1 - 2j]  # a 0-d conj view as a number
    with pytest.raises(flodl.ArgumentError, match="resolve_conj"):
        np.from_dlpack(c)  # DLPack shares memory: the lazy view cannot go


def test_view_as_real_and_complex_share_memory() -> None:
    z = flodl.tensor([1 + 2j, 3 - 4j])
    parts = flodl.view_as_real(z)
    assert parts.tolist() == [[1.0, 2.0], [3.0, -4.0]]
    parts[1, 1] = 0
    assert z.tolist() == [1 + 2j, 3 + 0j]
    assert flodl.view_as_complex(parts).tolist() == z.tolist()
    with pytest.raises(flodl.DTypeError, match="view_as_real"):
        flodl.view_as_real(flodl.ones(2))
    with pytest.raises(flodl.ShapeError, match="view_as_complex"):
        flodl.view_as_complex(flodl.ones(3))


def test_complex_parameters_train_as_torch() -> None:
    """A complex weight (a spectral layer's) trained with SGD: the same
    gradients and values as torch's, step by step."""
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((4, 4)) + 1j * rng.standard_normal((4, 4))
    x0 = rng.standard_normal((3, 4))

    def run(m, nn, optim, wrap):
        w = nn.Parameter(wrap(w0.copy()))
        opt = optim.SGD([w], lr=0.1)
        x = wrap(x0.copy())
        losses = []
        for _ in range(3):
            opt.zero_grad()
            spectrum = m.fft.rfft(x, n=6)  # [3, 4] complex
            loss = (spectrum @ w).abs().pow(2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses, w.grad, w

    f = run(flodl, flodl.nn, flodl.optim, flodl.from_numpy)
    t = run(torch, torch.nn, torch.optim, torch.from_numpy)
    np.testing.assert_allclose(f[0], t[0], rtol=1e-12)
    np.testing.assert_allclose(f[1].numpy(), t[1].numpy(), rtol=1e-10)
    np.testing.assert_allclose(f[2].detach().numpy(), t[2].detach().numpy(), rtol=1e-10)


def test_rotary_embeddings_as_llama_writes_them() -> None:
    """The complex form of rotary position embeddings: polar frequencies,
    view_as_complex pairs, a product, view_as_real back."""

    def rotary(m, x):
        dim, seq = x.shape[-1], x.shape[1]
        freqs = 1.0 / (10000 ** (m.arange(0, dim, 2)[: dim // 2].float() / dim))
        angles = m.outer(m.arange(seq).float(), freqs)
        cis = m.polar(m.ones_like(angles), angles)
        pairs = m.view_as_complex(x.float().reshape(*x.shape[:-1], -1, 2))
        return m.view_as_real(pairs * cis.view(1, seq, 1, dim // 2)).flatten(3)

    x0 = np.random.default_rng(1).standard_normal((2, 5, 3, 8)).astype(np.float32)
    fx = Variable(flodl.from_numpy(x0.copy()), requires_grad=True)
    tx = torch.from_numpy(x0.copy()).requires_grad_()
    f, t = rotary(flodl, fx), rotary(torch, tx)
    assert_same(f.detach(), t.detach())
    f.square().sum().backward()
    t.square().sum().backward()
    np.testing.assert_allclose(fx.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_fft_round_trips_and_frequencies() -> None:
    x = flodl.randn(4, 16, dtype=flodl.float64)
    np.testing.assert_allclose(flodl.fft.irfft(flodl.fft.rfft(x), n=16).numpy(), x.numpy())
    np.testing.assert_allclose(flodl.fft.ifft(flodl.fft.fft(x)).real.numpy(), x.numpy())
    np.testing.assert_allclose(
        flodl.fft.irfftn(flodl.fft.rfftn(x), s=x.shape).numpy(), x.numpy(), atol=1e-12
    )
    for f, t in [
        both(lambda m: m.fft.fftfreq(7, 0.1)),
        both(lambda m: m.fft.rfftfreq(8, dtype=m.float64)),
        both(lambda m: m.fft.fftshift(m.fft.fftfreq(6))),
        both(lambda m: m.fft.ifftshift(m.arange(10.0).reshape(2, 5), dim=1)),
        both(lambda m: m.fft.fft2(m.ones(3, 4) * 1j, norm="ortho")),
    ]:
        assert_same(f, t)
    with pytest.raises(flodl.ArgumentError, match="norm"):
        flodl.fft.fft(x, norm="sideways")
    with pytest.raises(flodl.ArgumentError, match="fftfreq"):
        flodl.fft.fftfreq(-1)


def test_stft_and_istft_as_torch() -> None:
    signal = np.random.default_rng(2).standard_normal((2, 200))
    window = np.hanning(64)

    def spectrogram(m):
        x, w = m.from_numpy(signal.copy()), m.from_numpy(window.copy())
        s = m.stft(x, 64, hop_length=16, window=w, return_complex=True)
        return s, m.istft(s, 64, hop_length=16, window=w, length=200)

    (fs, fback), (ts, tback) = both(spectrogram)
    assert_same(fs, ts, atol=1e-10)
    assert_same(fback, tback, atol=1e-10)
    np.testing.assert_allclose(fback.numpy()[:, 32:-32], signal[:, 32:-32], atol=1e-10)
    with pytest.raises(flodl.ArgumentError, match="return_complex"):
        flodl.stft(flodl.ones(100), 16)
    with pytest.raises(flodl.DTypeError, match="istft"):
        flodl.istft(flodl.ones(9, 4), 16)


def test_safetensors_refuse_complex_but_checkpoints_keep_it(tmp_path) -> None:
    """safetensors has no complex dtype: pickle=False refuses, naming the
    way out; a checkpoint holding one is pickled, as torch.save's."""
    z = flodl.tensor([1 + 2j])
    with pytest.raises(flodl.DTypeError, match="view_as_real"):
        flodl.save({"z": z}, str(tmp_path / "z.safetensors"), pickle=False)
    path = str(tmp_path / "checkpoint.pt")
    flodl.save({"z": z, "scale": 0.5 - 1j}, path)
    loaded = flodl.load(path)
    assert loaded["z"].tolist() == [1 + 2j] and loaded["scale"] == 0.5 - 1j


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("SGD", {"momentum": 0.9, "nesterov": True}),
        ("Adam", {}),
        ("Adam", {"amsgrad": True, "maximize": True}),
        ("Adam", {"fused": True}),
        ("AdamW", {"weight_decay": 0.1}),
        ("RMSprop", {"centered": True, "momentum": 0.5}),
        ("Adagrad", {"initial_accumulator_value": 0.5}),
        ("Adamax", {}),
        ("NAdam", {}),
        ("RAdam", {}),
        ("Adadelta", {}),
        ("ASGD", {}),
        ("Rprop", {}),
    ],
)
def test_optimizers_step_complex_parameters_as_torch(name, options) -> None:
    """torch steps a complex parameter's real view (a squared gradient is
    the parts', not a complex square) and fills its state in both parts."""
    rng = np.random.default_rng(3)
    w0 = rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))

    def run(m):
        w = m.nn.Parameter(m.from_numpy(w0.copy()))
        # torch's fused Adam refuses complex parameters; flodl's fused step
        # runs on the real view, with the single-tensor step's numbers.
        own = {k: v for k, v in options.items() if m is flodl or k != "fused"}
        opt = getattr(m.optim, name)([w], lr=0.1, **own)
        for _ in range(4):
            opt.zero_grad()
            loss = (w * (1 + 2j)).abs().pow(2).sum() + w.real.sum() - w.imag.mean()
            loss.backward()
            opt.step()
        return w.detach().numpy()

    np.testing.assert_allclose(run(flodl), run(torch), rtol=1e-10, atol=1e-12)


def test_eig_values_and_phase_free_gradients_match_torch() -> None:
    """linalg.eig of a real matrix: complex values and vectors as torch's,
    and the gradient of a loss blind to each vector's phase (|v|, the
    values); a phase-dependent loss is an error in both."""
    a0 = np.random.default_rng(5).standard_normal((4, 4))

    def run(m):
        a = m.from_numpy(a0.copy()).requires_grad_()
        values, vectors = m.linalg.eig(a)
        (values.real.sum() + values.imag.square().sum() + vectors.abs().pow(3).sum()).backward()
        return values, vectors, a.grad

    got, want = run(flodl), run(torch)
    for g, w in zip(got, want):
        assert_same(g.detach(), w.detach(), rtol=1e-8, atol=1e-10)
    assert_same(
        flodl.linalg.eigvals(flodl.from_numpy(a0)), torch.linalg.eigvals(torch.from_numpy(a0))
    )
    a = Variable(flodl.from_numpy(a0), requires_grad=True)
    with pytest.raises(flodl.AutogradError):
        flodl.linalg.eig(a).eigenvectors.real.sum().backward()


def test_nothing_drops_an_imaginary_part_silently() -> None:
    """Where a real result would lose the imaginary parts, flodl refuses
    (as torch does, or where torch would compute nonsense)."""
    with pytest.raises(TypeError, match="complex"):
        flodl.tensor([1 + 2j], dtype=flodl.float32)
    with pytest.raises(TypeError):
        Tensor.from_f64([1 + 2j], [1])
    with pytest.raises(flodl.DTypeError, match="arange"):
        flodl.arange(1j)
    with pytest.raises(flodl.DTypeError, match="normal"):
        flodl.normal(1j, 1.0, size=(3,))
    with pytest.raises(TypeError):
        flodl.ones(2).clamp(min=1j)
    assert flodl.tensor(1j).is_nonzero() and not flodl.tensor(0j).is_nonzero()
    z = flodl.tensor([1 + 2j])
    flodl.testing.assert_close(z, z + 1e-7)
    flodl.testing.assert_close(1 + 2j, 1 + 2j)
    with pytest.raises(AssertionError):
        flodl.testing.assert_close(z, z + 1j)
    # Python's ** with a numpy exponent follows the complex rule, not the integer one.
    assert (z ** np.array([-1.0])).tolist() == pytest.approx([1 / (1 + 2j)])


def test_stft_defaults_for_complex_signals_and_real_results() -> None:
    """The rules flodl's stft adds to ATen's: a complex signal (or window)
    gives a two-sided complex result without return_complex; False gives
    the view_as_real; istft of all n_fft bins is two-sided by default."""
    rng = np.random.default_rng(4)
    signal = rng.standard_normal(64) + 1j * rng.standard_normal(64)
    real = rng.standard_normal(64)

    def run(m):
        z, x = m.from_numpy(signal.copy()), m.from_numpy(real.copy())
        two_sided = m.stft(z, 16)
        as_real = m.stft(x, 16, return_complex=False, center=False)
        back = m.istft(two_sided, 16, return_complex=True)
        return two_sided, as_real, back

    with pytest.warns(UserWarning):  # torch's deprecation of return_complex=False
        want = run(torch)
    for g, w in zip(run(flodl), want):
        assert_same(g, w, atol=1e-10)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_steps_complex_parameters_on_their_real_view(line_search_fn) -> None:
    """torch's L-BFGS gathers a complex parameter's real view into its flat
    vectors; the iterates agree with torch's step by step."""
    target = np.array([1 + 1j, 2 - 1j, -0.5 + 3j])

    def run(m):
        w = m.zeros(3, dtype=m.complex128, requires_grad=True)
        opt = m.optim.LBFGS([w], lr=0.5, line_search_fn=line_search_fn)
        goal = m.from_numpy(target.copy())

        def closure():
            opt.zero_grad()
            loss = ((w - goal).abs() ** 2).sum() + (w.real * w.imag).pow(2).sum()
            loss.backward()
            return loss

        losses = [opt.step(closure).item() for _ in range(3)]
        return losses, w.detach().numpy()

    (ours, w_ours), (theirs, w_theirs) = run(flodl), run(torch)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)
    np.testing.assert_allclose(w_ours, w_theirs, rtol=1e-10, atol=1e-12)


def test_assigning_a_number_to_real_or_imag_fills_that_part() -> None:
    f, t = both(lambda m: m.tensor([1 + 2j, 3 - 4j]))
    for z in (f, t):
        z.real = 5.0
        z.imag = 0
    assert f.tolist() == t.tolist() == [5 + 0j, 5 + 0j]


def test_a_complex_alpha_needs_a_complex_operand() -> None:
    x = flodl.tensor([1.0, 2.0])
    with pytest.raises(flodl.DTypeError, match=r"add: alpha .* is complex"):
        x.add(x, alpha=1j)
    with pytest.raises(flodl.DTypeError, match=r"sub: alpha .* is complex"):
        x.sub(2.0, alpha=1j)
    # A complex operand, a number or a tensor, takes any alpha, as torch's.
    for m in (flodl, torch):
        assert m.tensor([1.0]).add(1j, alpha=1j).tolist() == [0j]
        assert m.tensor([1j]).add(m.tensor([1]), alpha=2.0).tolist() == [2 + 1j]


def test_modules_move_to_complex_dtypes_and_train_as_torch() -> None:
    def run(m):
        m.manual_seed(0)
        model = m.nn.Sequential(m.nn.Linear(3, 4), m.nn.Linear(4, 2))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's "complex modules are new"
            model.to(m.complex64)
        assert all(p.dtype == m.complex64 for p in model.parameters())
        opt = m.optim.Adam(model.parameters(), lr=0.01)
        x = m.ones(5, 3, dtype=m.complex64) * (1 - 0.5j)
        for _ in range(3):
            opt.zero_grad()
            model(x).abs().sum().backward()
            opt.step()
        model.double()  # complex values are not floating point: unchanged
        return [p.detach().numpy() for p in model.parameters()]

    for ours, theirs in zip(run(flodl), run(torch)):
        assert ours.dtype == np.complex64
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    with pytest.raises(flodl.ArgumentError, match="floating point or complex"):
        flodl.nn.Linear(2, 2).to(flodl.int64)
