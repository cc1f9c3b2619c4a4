"""Recurrent layers, as torch.nn's: ``LSTM`` and ``GRU`` (multi-layer,
bidirectional, ``batch_first``) on libtorch's fused kernels, and the cells
``LSTMCell``, ``GRUCell``, ``RNNCell``."""

from __future__ import annotations

import math
import warnings
from typing import Any, Union

from .. import _flodl
from .._flodl import ArgumentError, ShapeError, Tensor, Variable
from . import init
from .layers import _empty, _shape_error
from .module import Module

TensorLike = Union[Tensor, Variable]

__all__ = ["GRU", "LSTM", "GRUCell", "LSTMCell", "RNNCell"]


def _zeros(shape: list[int], like: TensorLike) -> Tensor:
    return Tensor.zeros(shape, dtype=like.dtype, device=like.device)


class _RNNBase(Module):
    _gates = 0

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ArgumentError(
                "dropout should be a number in range [0, 1] representing the probability of an "
                "element being zeroed"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={num_layers}",
                stacklevel=3,
            )
        if not isinstance(hidden_size, int) or hidden_size <= 0:
            raise ArgumentError("hidden_size must be an integer greater than zero")
        if not isinstance(num_layers, int) or num_layers <= 0:
            raise ArgumentError("num_layers must be an integer greater than zero")
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = 0
        directions = 2 if bidirectional else 1
        gate_size = self._gates * hidden_size
        names: list[str] = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes = [
                    ("weight_ih" + suffix, (gate_size, layer_input)),
                    ("weight_hh" + suffix, (gate_size, hidden_size)),
                ]
                if bias:
                    shapes += [
                        ("bias_ih" + suffix, (gate_size,)),
                        ("bias_hh" + suffix, (gate_size,)),
                    ]
                for name, shape in shapes:
                    setattr(self, name, _empty(shape, device, dtype))
                    names.append(name)
        self._flat_weights_names = names
        self.reset_parameters()

    @property
    def _flat_weights(self) -> list[Any]:
        params = self._parameters
        return [params[name] for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Any]]:
        step = 4 if self.bias else 2
        flat = self._flat_weights
        return [flat[i : i + step] for i in range(0, len(flat), step)]

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _prepare(
        self, input: TensorLike, hx: Any, n_states: int
    ) -> tuple[TensorLike, list[Any], bool]:
        """The batched input and initial states, and whether the input was batched."""
        ndim = input.ndim
        if ndim not in (2, 3) or input.shape[-1] != self.input_size:
            raise _shape_error(self, self._expected_input(), input)
        batched = ndim == 3
        batch_dim = 0 if self.batch_first else 1
        if not batched:
            input = input.unsqueeze(batch_dim)
        batch = input.shape[batch_dim]
        rows = self.num_layers * (2 if self.bidirectional else 1)
        expected = [rows, batch, self.hidden_size]
        if hx is None:
            zeros = _zeros(expected, input)
            return input, [zeros] * n_states, batched
        states = list(hx) if n_states > 1 else [hx]
        if len(states) != n_states:
            raise ArgumentError(f"{self._get_name()}: expected {n_states} initial states")
        for i, state in enumerate(states):
            if state.ndim != (3 if batched else 2):
                raise ShapeError(
                    f"{self._layer_name()}: for {'batched 3-D' if batched else 'unbatched 2-D'} "
                    f"input, hx{'' if n_states == 1 else f'[{i}]'} should also be "
                    f"{'3-D' if batched else '2-D'} but got {list(state.shape)}"
                )
            if not batched:
                state = state.unsqueeze(1)
                states[i] = state
            if list(state.shape) != expected:
                shown = expected if batched else [rows, self.hidden_size]
                raise ShapeError(
                    f"{self._layer_name()}: expected hidden state {shown}, "
                    f"got {list(states[i].shape if batched else state.squeeze(1).shape)}"
                )
        return input, states, batched

    def _expected_input(self) -> str:
        order = "[N, L, " if self.batch_first else "[L, N, "
        return f"{order}{self.input_size}] or [L, {self.input_size}]"

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class LSTM(_RNNBase):
    """A multi-layer LSTM: ``forward(input, (h_0, c_0)=None)`` gives
    ``output, (h_n, c_n)`` with PyTorch's shapes (input ``[L, N, H_in]``,
    ``[N, L, H_in]`` with ``batch_first``, or unbatched ``[L, H_in]``)."""

    _gates = 4

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if proj_size != 0:
            raise ArgumentError("LSTM: proj_size is not supported")
        super().__init__(
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device,
            dtype,
        )

    def forward(
        self, input: TensorLike, hx: tuple[TensorLike, TensorLike] | None = None
    ) -> tuple[TensorLike, tuple[TensorLike, TensorLike]]:
        input, (h0, c0), batched = self._prepare(input, hx, 2)
        output, h_n, c_n = _flodl.lstm(  # type: ignore[attr-defined]
            input,
            h0,
            c0,
            self._flat_weights,
            self.bias,
            self.num_layers,
            self.dropout,
            self.training,
            self.bidirectional,
            self.batch_first,
        )
        if not batched:
            output = output.squeeze(0 if self.batch_first else 1)
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return output, (h_n, c_n)


class GRU(_RNNBase):
    """A multi-layer GRU: ``forward(input, h_0=None)`` gives ``output, h_n``
    with PyTorch's shapes."""

    _gates = 3

    def forward(
        self, input: TensorLike, hx: TensorLike | None = None
    ) -> tuple[TensorLike, TensorLike]:
        input, (h0,), batched = self._prepare(input, hx, 1)
        output, h_n = _flodl.gru(  # type: ignore[attr-defined]
            input,
            h0,
            self._flat_weights,
            self.bias,
            self.num_layers,
            self.dropout,
            self.training,
            self.bidirectional,
            self.batch_first,
        )
        if not batched:
            output = output.squeeze(0 if self.batch_first else 1)
            h_n = h_n.squeeze(1)
        return output, h_n


class _RNNCellBase(Module):
    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        num_chunks: int,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = _empty((num_chunks * hidden_size, input_size), device, dtype)
        self.weight_hh = _empty((num_chunks * hidden_size, hidden_size), device, dtype)
        if bias:
            self.bias_ih = _empty((num_chunks * hidden_size,), device, dtype)
            self.bias_hh = _empty((num_chunks * hidden_size,), device, dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _states(self, input: TensorLike, hx: Any, n_states: int) -> tuple[Any, list[Any], bool]:
        if input.ndim not in (1, 2) or input.shape[-1] != self.input_size:
            raise _shape_error(self, f"[N, {self.input_size}] or [{self.input_size}]", input)
        batched = input.ndim == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            zeros = _zeros([input.shape[0], self.hidden_size], input)
            return input, [zeros] * n_states, batched
        states = list(hx) if n_states > 1 else [hx]
        expected = [input.shape[0], self.hidden_size]
        for i, state in enumerate(states):
            if not batched:
                state = state.unsqueeze(0)
                states[i] = state
            if list(state.shape) != expected:
                shown = expected if batched else expected[1:]
                got = list(state.shape) if batched else list(state.shape)[1:]
                raise ShapeError(f"{self._layer_name()}: expected hidden state {shown}, got {got}")
        return input, states, batched

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nonlinearity = getattr(self, "nonlinearity", "tanh")
        if nonlinearity != "tanh":
            s += f", nonlinearity={nonlinearity}"
        return s


class LSTMCell(_RNNCellBase):
    """One LSTM step: ``forward(input, (h, c)=None)`` gives ``(h', c')``."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(
        self, input: TensorLike, hx: tuple[TensorLike, TensorLike] | None = None
    ) -> tuple[TensorLike, TensorLike]:
        input, (h, c), batched = self._states(input, hx, 2)
        h, c = _flodl.lstm_cell(
            input, h, c, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh
        )
        if not batched:
            h, c = h.squeeze(0), c.squeeze(0)
        return h, c


class GRUCell(_RNNCellBase):
    """One GRU step: ``forward(input, h=None)`` gives ``h'``."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: TensorLike, hx: TensorLike | None = None) -> TensorLike:
        input, (h,), batched = self._states(input, hx, 1)
        h = _flodl.gru_cell(input, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h if batched else h.squeeze(0)


class RNNCell(_RNNCellBase):
    """One Elman RNN step: ``h' = act(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)``, ``act`` tanh or
    relu."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ArgumentError(f"Unknown nonlinearity: {nonlinearity}")
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: TensorLike, hx: TensorLike | None = None) -> TensorLike:
        input, (h,), batched = self._states(input, hx, 1)
        pre = _flodl.linear(input, self.weight_ih, self.bias_ih) + _flodl.linear(
            h, self.weight_hh, self.bias_hh
        )
        h = pre.tanh() if self.nonlinearity == "tanh" else pre.relu()
        return h if batched else h.squeeze(0)
