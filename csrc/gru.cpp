// libtorch's CPU GRU is composed per time step from small recorded ops (a
// linear, chunks, adds, sigmoids, a tanh, ...), each with a backward node
// that runs several more: on small batches that bookkeeping costs as much
// as the arithmetic. Here one layer and direction is one autograd node. Its
// forward runs the cell with ATen's kernels (vectorized sigmoid and tanh)
// into buffers kept for backward, recording nothing; its backward is the
// cell's derivative written out as one pass over the elements per step
// (no transcendental functions: the gates are kept), with the weight
// gradients as one matrix product over all time steps. Float32 and float64
// on the CPU; other cases take at::gru.

#include "gru.h"

#include <ATen/Dispatch.h>
#include <ATen/Functions.h>
#include <ATen/TensorOperators.h>
#include <c10/core/GradMode.h>
#include <c10/util/Exception.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>

namespace flodl {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The cell's derivative for one step: from the gradient of the new state
// (dh, plus ds, the output's, when there is one) and the kept gates (rz:
// [batch, 2 hidden] reset and update; n: [batch, hidden]; hg: [batch,
// 3 hidden] hidden gates), the gradients of the input and hidden gates
// ([batch, 3 hidden]) and the direct part of the previous state's, dh z.
template <class T>
void cell_backward(int64_t batch, int64_t hidden, const T *dh, const T *ds, const T *h_prev,
                   const T *rz, const T *n, const T *hg, T *dgi, T *dgh, T *dh_direct) {
  for (int64_t b = 0; b < batch; ++b) {
    const T *rzb = rz + b * 2 * hidden, *hgb = hg + b * 3 * hidden;
    T *dgib = dgi + b * 3 * hidden, *dghb = dgh + b * 3 * hidden;
    for (int64_t j = 0; j < hidden; ++j) {
      const int64_t k = b * hidden + j;
      const T r = rzb[j], z = rzb[hidden + j], hn = hgb[2 * hidden + j];
      const T d = ds == nullptr ? dh[k] : dh[k] + ds[k];
      const T d_candidate = d * (1 - z) * (1 - n[k] * n[k]);
      const T d_update = d * (h_prev[k] - n[k]) * z * (1 - z);
      const T d_reset = d_candidate * hn * r * (1 - r);
      dgib[j] = d_reset;
      dgib[hidden + j] = d_update;
      dgib[2 * hidden + j] = d_candidate;
      dghb[j] = d_reset;
      dghb[hidden + j] = d_update;
      dghb[2 * hidden + j] = d_candidate * r;
      dh_direct[k] = d * z;
    }
  }
}

struct GruLayer : public torch::autograd::Function<GruLayer> {
  // x [T, B, I], h0 [B, H], biases [3 H]. Returns the hidden
  // states [T, B, H] (in time order also when `reverse`) and the last one.
  static variable_list forward(AutogradContext *ctx, const at::Tensor &x, const at::Tensor &h0,
                               const at::Tensor &w_ih, const at::Tensor &w_hh,
                               const at::Tensor &b_ih, const at::Tensor &b_hh, bool reverse) {
    const int64_t steps = x.size(0), batch = h0.size(0), hidden = h0.size(1);
    at::Tensor input_gates = at::linear(x, w_ih, b_ih);  // all steps at once, as ATen
    at::Tensor states = at::empty({steps, batch, hidden}, h0.options());
    // Kept for backward, per step: the hidden gates W_hh h + b_hh, the reset
    // and update gates (sigmoids), the new gate (a tanh).
    at::Tensor hidden_gates = at::empty({steps, batch, 3 * hidden}, h0.options());
    at::Tensor reset_update = at::empty({steps, batch, 2 * hidden}, h0.options());
    at::Tensor candidates = at::empty({steps, batch, hidden}, h0.options());
    const at::Tensor w_hh_t = w_hh.t();
    at::Tensor h = h0;
    for (int64_t s = 0; s < steps; ++s) {
      const int64_t t = reverse ? steps - 1 - s : s;
      at::Tensor ig = input_gates[t], hg = hidden_gates[t], rz = reset_update[t];
      at::Tensor n = candidates[t], out = states[t];
      at::addmm_out(hg, b_hh, h, w_hh_t);
      // r, z = sigmoid(W_h{r,z} h + b_h{r,z} + W_i{r,z} x + b_i{r,z})
      at::add_out(rz, hg.narrow(1, 0, 2 * hidden), ig.narrow(1, 0, 2 * hidden)).sigmoid_();
      // n = tanh(W_in x + b_in + r (W_hn h + b_hn)); h' = (h - n) z + n
      at::mul_out(n, hg.narrow(1, 2 * hidden, hidden), rz.narrow(1, 0, hidden));
      n.add_(ig.narrow(1, 2 * hidden, hidden)).tanh_();
      at::sub_out(out, h, n).mul_(rz.narrow(1, hidden, hidden)).add_(n);
      h = out;
    }
    ctx->save_for_backward({x, h0, w_ih, w_hh, states, hidden_gates, reset_update, candidates});
    ctx->saved_data["reverse"] = reverse;
    return {states, h.clone()};
  }

  static variable_list backward(AutogradContext *ctx, variable_list grads) {
    TORCH_CHECK(!c10::GradMode::is_enabled(),
                "gru: the fused CPU GRU has no second derivative (create_graph through a GRU "
                "is not supported)");
    auto saved = ctx->get_saved_variables();
    const at::Tensor &x = saved[0], &h0 = saved[1], &w_ih = saved[2], &w_hh = saved[3];
    const at::Tensor &states = saved[4], &hidden_gates = saved[5];
    const at::Tensor &reset_update = saved[6], &candidates = saved[7];
    const bool reverse = ctx->saved_data["reverse"].toBool();
    const int64_t steps = x.size(0), batch = h0.size(0), hidden = h0.size(1);
    const int64_t cell = batch * hidden;
    at::Tensor d_states = grads[0].defined() ? grads[0].contiguous() : at::Tensor();
    at::Tensor dh = grads[1].defined() ? grads[1].contiguous() : at::zeros_like(h0);
    const at::Tensor start = h0.contiguous();
    // d(loss)/d(input gates) and d(loss)/d(hidden gates), all steps.
    at::Tensor d_input_gates = at::empty({steps, batch, 3 * hidden}, h0.options());
    at::Tensor d_hidden_gates = at::empty({steps, batch, 3 * hidden}, h0.options());
    at::Tensor dh_direct = at::empty_like(start);
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "gru_backward", [&] {
      const scalar_t *hs = states.const_data_ptr<scalar_t>();
      const scalar_t *hg = hidden_gates.const_data_ptr<scalar_t>();
      const scalar_t *rz = reset_update.const_data_ptr<scalar_t>();
      const scalar_t *ns = candidates.const_data_ptr<scalar_t>();
      scalar_t *dgi = d_input_gates.data_ptr<scalar_t>(), *dgh = d_hidden_gates.data_ptr<scalar_t>();
      for (int64_t s = steps - 1; s >= 0; --s) {
        const int64_t t = reverse ? steps - 1 - s : s;
        const scalar_t *ds =
            d_states.defined() ? d_states.const_data_ptr<scalar_t>() + t * cell : nullptr;
        const scalar_t *h_prev =
            s == 0 ? start.const_data_ptr<scalar_t>() : hs + (reverse ? t + 1 : t - 1) * cell;
        cell_backward(batch, hidden, dh.const_data_ptr<scalar_t>(), ds, h_prev,
                      rz + t * 2 * cell, ns + t * cell, hg + t * 3 * cell, dgi + t * 3 * cell,
                      dgh + t * 3 * cell, dh_direct.data_ptr<scalar_t>());
        dh = at::addmm(dh_direct, d_hidden_gates[t], w_hh);
      }
    });
    // The hidden state each step started from, in time order.
    at::Tensor starts = reverse ? at::cat({states.narrow(0, 1, steps - 1), start.unsqueeze(0)})
                                : at::cat({start.unsqueeze(0), states.narrow(0, 0, steps - 1)});
    at::Tensor dgi = d_input_gates.view({steps * batch, 3 * hidden});
    at::Tensor dgh = d_hidden_gates.view({steps * batch, 3 * hidden});
    at::Tensor dx = at::mm(dgi, w_ih).view({steps, batch, x.size(2)});
    at::Tensor dw_ih = at::mm(dgi.t(), x.reshape({steps * batch, x.size(2)}));
    at::Tensor dw_hh = at::mm(dgh.t(), starts.reshape({steps * batch, hidden}));
    return {dx, dh, dw_ih, dw_hh, dgi.sum(0), dgh.sum(0), at::Tensor()};
  }
};

}  // namespace

std::tuple<at::Tensor, at::Tensor> gru(const at::Tensor &input, const at::Tensor &hx,
                                       const std::vector<at::Tensor> &params, bool has_biases,
                                       int64_t num_layers, double dropout, bool train,
                                       bool bidirectional, bool batch_first) {
  const int64_t directions = bidirectional ? 2 : 1, per_cell = has_biases ? 4 : 2;
  at::Tensor x = batch_first ? input.transpose(0, 1) : input;
  if (x.size(0) == 0) {  // nothing to step through: ATen's answer
    return at::gru(input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
                   batch_first);
  }
  std::vector<at::Tensor> last;
  for (int64_t layer = 0; layer < num_layers; ++layer) {
    std::vector<at::Tensor> outputs;
    for (int64_t direction = 0; direction < directions; ++direction) {
      const int64_t cell = layer * directions + direction;
      const at::Tensor *w = &params[cell * per_cell];
      // Without biases, zero ones (the same sums: adding zero is exact; an
      // undefined tensor cannot be an input of the node).
      at::Tensor no_bias = has_biases ? at::Tensor() : at::zeros({w[1].size(0)}, w[1].options());
      at::Tensor b_ih = has_biases ? w[2] : no_bias, b_hh = has_biases ? w[3] : no_bias;
      auto out = GruLayer::apply(x, hx[cell], w[0], w[1], b_ih, b_hh, direction == 1);
      outputs.push_back(out[0]);
      last.push_back(out[1]);
    }
    x = directions == 1 ? outputs[0] : at::cat(outputs, 2);
    // As ATen: dropout between layers, not after the last.
    if (dropout > 0 && train && layer + 1 < num_layers) x = at::dropout(x, dropout, train);
  }
  return {batch_first ? x.transpose(0, 1) : x, at::stack(last)};
}

}  // namespace flodl
