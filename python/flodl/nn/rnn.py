"""Recurrent layers, as torch.nn's: ``RNN``, ``LSTM`` (with ``proj_size``)
and ``GRU`` (multi-layer, bidirectional, ``batch_first``, padded or packed
batches), whose forward is
flodl::nn's on libtorch's fused kernels, and the cells ``LSTMCell``,
``GRUCell``, ``RNNCell``."""

from __future__ import annotations

import warnings
from typing import Any, Union

from .. import _flodl
from .._flodl import ArgumentError, Tensor, Variable
from . import init
from .layers import _empty
from .module import Module
from .utils.rnn import PackedSequence

TensorLike = Union[Tensor, Variable]

__all__ = ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNBase", "RNNCell"]


class RNNBase(Module):
    """What ``RNN``, ``LSTM`` and ``GRU`` share: the weights, named and shaped
    by flodl::nn's spec of the stack, and the forward, flodl::nn's
    ``recurrent_forward`` on them. ``mode`` is ``"RNN_TANH"``,
    ``"RNN_RELU"``, ``"LSTM"`` or ``"GRU"``."""

    def __init__(
        self,
        mode: str,
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
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        names: list[str] = []
        for name, shape in _flodl._recurrent_weights(self):  # checks the options
            setattr(self, name, _empty(tuple(shape), device, dtype))
            names.append(name)
        self._flat_weights_names = names
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={num_layers}",
                stacklevel=3,
            )
        self.reset_parameters()

    @property
    def _flat_weights(self) -> list[Any]:
        params = self._parameters
        return [params[name] for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Any]]:
        step = 2 + (2 if self.bias else 0) + (1 if self.proj_size > 0 else 0)
        flat = self._flat_weights
        return [flat[i : i + step] for i in range(0, len(flat), step)]

    def flatten_parameters(self) -> None:
        """A no-op: flodl's kernels take the weights as they are."""

    def reset_parameters(self) -> None:
        init._layer_recipe(
            "recurrent_default_", list(self.parameters()), hidden_size=self.hidden_size
        )

    def forward(self, input: TensorLike | PackedSequence, hx: Any = None) -> tuple[Any, Any]:
        if isinstance(input, PackedSequence):
            data, states = _flodl._recurrent_packed(self, *input, hx, self._flat_weights)
            output: Any = PackedSequence(data, *input[1:])
        else:
            output, states = _flodl._recurrent(self, input, hx, self._flat_weights)
        return output, (tuple(states) if self.mode == "LSTM" else states[0])

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
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


class RNN(RNNBase):
    """A multi-layer Elman RNN (``tanh`` or ``relu``): ``forward(input,
    h_0=None)`` gives ``output, h_n`` with PyTorch's shapes (input ``[L, N,
    H_in]``, ``[N, L, H_in]`` with ``batch_first``, or unbatched ``[L,
    H_in]``)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        modes = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}
        if nonlinearity not in modes:
            raise ArgumentError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        self.nonlinearity = nonlinearity
        super().__init__(
            modes[nonlinearity],
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
        )


class LSTM(RNNBase):
    """A multi-layer LSTM: ``forward(input, (h_0, c_0)=None)`` gives
    ``output, (h_n, c_n)`` with PyTorch's shapes; with ``proj_size`` the
    hidden state is projected to that size."""

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
        super().__init__(
            "LSTM",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            proj_size,
            device,
            dtype,
        )


class GRU(RNNBase):
    """A multi-layer GRU: ``forward(input, h_0=None)`` gives ``output, h_n``
    with PyTorch's shapes."""

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
        super().__init__(
            "GRU",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
        )


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
        init._layer_recipe(
            "recurrent_default_", list(self.parameters()), hidden_size=self.hidden_size
        )

    def _step(self, mode: str, input: TensorLike, hx: Any) -> list[Any]:
        return _flodl._recurrent_cell(  # type: ignore[no-any-return]
            mode, input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh
        )

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
        h, c = self._step("LSTM", input, hx)
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
        return self._step("GRU", input, hx)[0]


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
        mode = "RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU"
        return self._step(mode, input, hx)[0]
