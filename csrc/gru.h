// A multi-layer GRU over a whole sequence on the CPU, as at::gru computes
// it, with one autograd node per layer and direction (see gru.cpp).
#pragma once

#include <ATen/core/Tensor.h>

#include <tuple>
#include <vector>

namespace flodl {

// (output, h_n) of at::gru(input, hx, params, has_biases, num_layers,
// dropout, train, bidirectional, batch_first); params in PyTorch's order.
std::tuple<at::Tensor, at::Tensor> gru(const at::Tensor &input, const at::Tensor &hx,
                                       const std::vector<at::Tensor> &params, bool has_biases,
                                       int64_t num_layers, double dropout, bool train,
                                       bool bidirectional, bool batch_first);

}  // namespace flodl
