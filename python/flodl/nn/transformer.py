"""Attention and transformer layers, as torch.nn's: ``MultiheadAttention``,
``TransformerEncoderLayer``, ``TransformerEncoder``."""

from __future__ import annotations

import copy
import math
from typing import Any, Callable, Union

from .. import _flodl
from .._flodl import ArgumentError, ShapeError, Tensor, Variable
from . import functional as F
from . import init
from .container import ModuleList
from .layers import Dropout, LayerNorm, Linear, NonDynamicallyQuantizableLinear, _empty
from .module import Module

TensorLike = Union[Tensor, Variable]

__all__ = ["MultiheadAttention", "TransformerEncoder", "TransformerEncoderLayer"]


def _additive_mask(mask: TensorLike, dtype: Any) -> Tensor:
    """A boolean mask (True: not allowed) as 0 / -inf; a float mask as it is."""
    if isinstance(mask, Variable):
        mask = mask.data
    if mask.dtype.name == "bool":
        return Tensor.zeros(list(mask.shape), dtype=dtype, device=mask.device).masked_fill(
            mask, float("-inf")
        )
    return mask.to_dtype(dtype) if mask.dtype != dtype else mask


class MultiheadAttention(Module):
    """Multi-head attention: ``forward(query, key, value, key_padding_mask=None,
    need_weights=True, attn_mask=None, average_attn_weights=True,
    is_causal=False)`` gives ``(output, weights)`` (weights None unless
    ``need_weights``). Inputs are ``[L, N, E]`` (``[N, L, E]`` with
    ``batch_first``) or unbatched ``[L, E]``; boolean masks are True where
    attention is not allowed, float masks are added to the scores."""

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ArgumentError(
                f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} "
                f"and num_heads={num_heads} instead"
            )
        if add_bias_kv or add_zero_attn:
            raise ArgumentError(
                "MultiheadAttention: add_bias_kv and add_zero_attn are not supported"
            )
        if (kdim is not None and kdim != embed_dim) or (vdim is not None and vdim != embed_dim):
            raise ArgumentError(
                "MultiheadAttention: kdim and vdim other than embed_dim are not supported"
            )
        self.embed_dim = embed_dim
        self.kdim = embed_dim
        self.vdim = embed_dim
        self._qkv_same_embed_dim = True
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise ArgumentError("embed_dim must be divisible by num_heads")
        self.in_proj_weight = _empty((3 * embed_dim, embed_dim), device, dtype)
        self.register_parameter("q_proj_weight", None)
        self.register_parameter("k_proj_weight", None)
        self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = _empty((3 * embed_dim,), device, dtype)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(
            embed_dim, embed_dim, bias=bias, device=device, dtype=dtype
        )
        self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        init.xavier_uniform_(self.in_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)

    def _error(self, message: str) -> ShapeError:
        return ShapeError(f"{self._layer_name()}: {message}")

    def _layer_name(self) -> str:
        return f"MultiheadAttention(embed_dim={self.embed_dim}, num_heads={self.num_heads})"

    def forward(
        self,
        query: TensorLike,
        key: TensorLike,
        value: TensorLike,
        key_padding_mask: TensorLike | None = None,
        need_weights: bool = True,
        attn_mask: TensorLike | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[TensorLike, TensorLike | None]:
        same_qkv = query is key and key is value
        same_kv = key is value
        batched = query.ndim == 3
        E, H = self.embed_dim, self.num_heads
        layout = "[N, L, E]" if self.batch_first else "[L, N, E]"
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise self._error(
                f"expected query, key and value {layout} or [L, E] with E={E}, got "
                f"{list(query.shape)}, {list(key.shape)} and {list(value.shape)}"
            )
        for name, x in (("query", query), ("key", key), ("value", value)):
            if x.shape[-1] != E:
                raise self._error(
                    f"expected {name} {layout} or [L, E] with E={E}, got {list(x.shape)}"
                )
        if is_causal and attn_mask is None:
            raise ArgumentError(
                "MultiheadAttention: is_causal is a hint and needs attn_mask (the causal mask)"
            )
        if batched and self.batch_first:
            query, key, value = (x.transpose(0, 1) for x in (query, key, value))
        if not batched:
            query, key, value = (x.unsqueeze(1) for x in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        L, N, _ = query.shape
        S = key.shape[0]
        if value.shape[0] != S or key.shape[1] != N or value.shape[1] != N:
            raise self._error(
                f"key and value must have the same length and batch, and the batch of query: got "
                f"query {list(query.shape)}, key {list(key.shape)}, value {list(value.shape)}"
            )
        # Input projections.
        w, b = self.in_proj_weight, self.in_proj_bias
        if same_qkv:
            q, k, v = _flodl.linear(query, w, b).chunk(3, -1)
        else:
            ws = w.chunk(3, 0)
            bs = b.chunk(3, 0) if b is not None else (None, None, None)
            q = _flodl.linear(query, ws[0], bs[0])
            if same_kv:
                k = _flodl.linear(key, ws[1], bs[1])
                v = _flodl.linear(key, ws[2], bs[2])
            else:
                k = _flodl.linear(key, ws[1], bs[1])
                v = _flodl.linear(value, ws[2], bs[2])
        hd = self.head_dim
        # Heads as [N, H, L, hd] views of the projections (no copies): on 4-d
        # inputs scaled_dot_product_attention can take libtorch's fused CPU
        # kernel, as torch's MultiheadAttention does, instead of the composed
        # matmul-softmax-matmul that 3-d [N * H, L, hd] inputs get.
        q = q.reshape(L, N, H, hd).permute(1, 2, 0, 3)
        k = k.reshape(S, N, H, hd).permute(1, 2, 0, 3)
        v = v.reshape(S, N, H, hd).permute(1, 2, 0, 3)
        mask = self._merged_mask(attn_mask, key_padding_mask, L, S, N, q.dtype)
        if mask is not None:  # [1 or N * H, L or 1, S] -> [1 or N, 1 or H, L or 1, S]
            mask = mask.unsqueeze(0) if mask.shape[0] == 1 else mask.reshape(N, H, -1, S)
        dropout_p = self.dropout if self.training else 0.0
        if need_weights:
            scores = q.mul_scalar(math.sqrt(1.0 / float(hd))).matmul(k.transpose(-2, -1))
            if mask is not None:
                scores = scores + mask
            weights = scores.softmax(-1)
            attended = weights if dropout_p == 0.0 else F.dropout(weights, dropout_p)
            out = attended.matmul(v)
        else:
            weights = None
            out = _flodl.scaled_dot_product_attention(q, k, v, mask, dropout_p)
        out = out.permute(2, 0, 1, 3).reshape(L * N, E)  # [N, H, L, hd] -> [L * N, E]
        out = self.out_proj(out).reshape(L, N, E)
        if weights is not None:
            if average_attn_weights:
                weights = weights.mean(1)
            if not batched:
                weights = weights.squeeze(0)
        if not batched:
            out = out.squeeze(1)
        elif self.batch_first:
            out = out.transpose(0, 1)
        return out, weights

    def _merged_mask(
        self,
        attn_mask: TensorLike | None,
        key_padding_mask: TensorLike | None,
        L: int,
        S: int,
        N: int,
        dtype: Any,
    ) -> Tensor | None:
        """attn_mask and key_padding_mask as one additive ``[1 or N*H, L or 1, S]`` mask."""
        H = self.num_heads
        mask = None
        if attn_mask is not None:
            mask = _additive_mask(attn_mask, dtype)
            if mask.ndim == 2:
                if list(mask.shape) != [L, S]:
                    raise self._error(f"expected attn_mask [{L}, {S}], got {list(mask.shape)}")
                mask = mask.unsqueeze(0)
            elif mask.ndim != 3 or list(mask.shape) != [N * H, L, S]:
                raise self._error(
                    f"expected attn_mask [{L}, {S}] or [{N * H}, {L}, {S}], got {list(mask.shape)}"
                )
        if key_padding_mask is not None:
            pad = _additive_mask(key_padding_mask, dtype)
            if list(pad.shape) != [N, S]:
                raise self._error(
                    f"expected key_padding_mask [{N}, {S}], got {list(key_padding_mask.shape)}"
                )
            pad = pad.reshape(N, 1, 1, S).expand(N, H, 1, S).reshape(N * H, 1, S)
            mask = pad if mask is None else mask + pad
        return mask


def _activation(name: str | Callable[[Any], Any]) -> Callable[[Any], Any]:
    if name == "relu":
        return F.relu
    if name == "gelu":
        return F.gelu
    if isinstance(name, str):
        raise ArgumentError(f"activation should be relu/gelu, not {name}")
    return name


class TransformerEncoderLayer(Module):
    """Self-attention and a feed-forward block, each with a residual
    connection and LayerNorm (after, or before with ``norm_first``)."""

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Any], Any] = F.relu,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        kw = {"device": device, "dtype": dtype}
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, **kw
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **kw)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **kw)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = _activation(activation)

    def forward(
        self,
        src: TensorLike,
        src_mask: TensorLike | None = None,
        src_key_padding_mask: TensorLike | None = None,
        is_causal: bool = False,
    ) -> TensorLike:
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(
        self, x: TensorLike, mask: Any, key_padding_mask: Any, is_causal: bool
    ) -> TensorLike:
        out = self.self_attn(
            x,
            x,
            x,
            attn_mask=mask,
            key_padding_mask=key_padding_mask,
            need_weights=False,
            is_causal=is_causal,
        )[0]
        return self.dropout1(out)

    def _ff_block(self, x: TensorLike) -> TensorLike:
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout2(x)


class TransformerEncoder(Module):
    """``num_layers`` deep copies of ``encoder_layer`` applied in turn, then ``norm`` if given."""

    def __init__(
        self,
        encoder_layer: TransformerEncoderLayer,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ) -> None:
        super().__init__()
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = False
        self.mask_check = mask_check

    def forward(
        self,
        src: TensorLike,
        mask: TensorLike | None = None,
        src_key_padding_mask: TensorLike | None = None,
        is_causal: bool | None = None,
    ) -> TensorLike:
        output = src
        for layer in self.layers:
            output = layer(
                output,
                src_mask=mask,
                src_key_padding_mask=src_key_padding_mask,
                is_causal=bool(is_causal),
            )
        if self.norm is not None:
            output = self.norm(output)
        return output
