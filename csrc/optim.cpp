// Optimizer updates, one call per parameter group: SGD, Adam, AdamW and
// Adagrad on libtorch's fused kernels (on CUDA, or with fused=True) or per
// parameter as torch.optim's single-tensor path runs them (elsewhere, so
// the numbers are torch's default ones to the bit); RMSprop on foreach
// kernels; Adadelta, Adamax, RAdam, NAdam, Rprop and ASGD per parameter
// as torch's single-tensor path (they have no fused kernel). Which state goes in
// which list is flodl::optim's state layout (src/optim/methods.rs). Also
// clip_grad_norm_.
#include "common.h"

#include <ATen/Functions.h>
#include <ATen/TensorOperators.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>
#include <optional>

namespace flodl {
namespace {

// The gradient the single-tensor rules start from: negated to maximize,
// with L2 weight decay added (or, decoupled, the parameter shrunk instead).
at::Tensor decayed_grad(at::Tensor &param, const at::Tensor &grad, const FlodlOptimHyper &h,
                        bool decoupled) {
  at::Tensor g = h.maximize ? grad.neg() : grad;
  if (h.weight_decay != 0) {
    if (decoupled) {
      param.mul_(1 - h.lr * h.weight_decay);
    } else {
      g = g.add(param, h.weight_decay);
    }
  }
  return g;
}

// Counts `steps` up for `kernel`, which reads the new counts, and takes
// them back when it throws: a failed step leaves no trace.
template <typename Kernel>
void counted(std::vector<at::Tensor> &steps, Kernel &&kernel) {
  at::_foreach_add_(steps, 1);
  try {
    kernel();
  } catch (...) {
    at::_foreach_sub_(steps, 1);
    throw;
  }
}

// Counts `step` up and returns it as a number (as torch's `_get_value`).
double next_step(at::Tensor &step) {
  step.add_(1);
  return step.item<double>();
}

void sgd_step(std::vector<at::Tensor> &params, const std::vector<at::Tensor> &grads,
              std::vector<at::Tensor> &buffers, const FlodlOptimHyper &h) {
  for (size_t i = 0; i < params.size(); ++i) {
    at::Tensor grad = decayed_grad(params[i], grads[i], h, false);
    if (h.momentum != 0) {
      // The buffer starts as the first gradient itself.
      if (h.is_first_step) {
        buffers[i].copy_(grad);
      } else {
        buffers[i].mul_(h.momentum).add_(grad, 1 - h.dampening);
      }
      grad = h.nesterov ? grad.add(buffers[i], h.momentum) : buffers[i];
    }
    params[i].add_(grad, -h.lr);
  }
}

void adam_step(std::vector<at::Tensor> &params, const std::vector<at::Tensor> &grads,
               std::vector<at::Tensor> &exp_avgs, std::vector<at::Tensor> &exp_avg_sqs,
               std::vector<at::Tensor> &max_exp_avg_sqs, std::vector<at::Tensor> &steps,
               const FlodlOptimHyper &h) {
  for (size_t i = 0; i < params.size(); ++i) {
    double step = next_step(steps[i]);
    at::Tensor grad = decayed_grad(params[i], grads[i], h, h.decoupled != 0);
    exp_avgs[i].lerp_(grad, 1 - h.beta1);
    exp_avg_sqs[i].mul_(h.beta2).addcmul_(grad, grad, 1 - h.beta2);
    double bias_correction1 = 1 - std::pow(h.beta1, step);
    double bias_correction2_sqrt = std::pow(1 - std::pow(h.beta2, step), 0.5);
    at::Tensor second = exp_avg_sqs[i];
    if (h.amsgrad) {
      at::maximum_out(max_exp_avg_sqs[i], max_exp_avg_sqs[i], exp_avg_sqs[i]);
      second = max_exp_avg_sqs[i];
    }
    at::Tensor denom = (second.sqrt() / bias_correction2_sqrt).add_(h.eps);
    params[i].addcdiv_(exp_avgs[i], denom, -(h.lr / bias_correction1));
  }
}

void adagrad_step(std::vector<at::Tensor> &params, const std::vector<at::Tensor> &grads,
                  std::vector<at::Tensor> &state_sums, std::vector<at::Tensor> &steps,
                  const FlodlOptimHyper &h) {
  for (size_t i = 0; i < params.size(); ++i) {
    double step = next_step(steps[i]);
    at::Tensor grad = decayed_grad(params[i], grads[i], h, false);
    double clr = h.lr / (1 + (step - 1) * h.lr_decay);
    state_sums[i].addcmul_(grad, grad, 1);
    params[i].addcdiv_(grad, state_sums[i].sqrt().add_(h.eps), -clr);
  }
}

void adadelta_step(std::vector<at::Tensor> &params, const std::vector<at::Tensor> &grads,
                   std::vector<at::Tensor> &square_avgs, std::vector<at::Tensor> &acc_deltas,
                   std::vector<at::Tensor> &steps, const FlodlOptimHyper &h) {
  for (size_t i = 0; i < params.size(); ++i) {
    steps[i].add_(1);
    at::Tensor grad = decayed_grad(params[i], grads[i], h, false);
    square_avgs[i].mul_(h.rho).addcmul_(grad, grad, 1 - h.rho);
    at::Tensor std = square_avgs[i].add(h.eps).sqrt_();
    at::Tensor delta = acc_deltas[i].add(h.eps).sqrt_();
    delta.div_(std).mul_(grad);
    acc_deltas[i].mul_(h.rho).addcmul_(delta, delta, 1 - h.rho);
    params[i].add_(delta, -h.lr);
  }
}

void adamax_step(std::vector<at::Tensor> &params, const std::vector<at::Tensor> &grads,
                 std::vector<at::Tensor> &exp_avgs, std::vector<at::Tensor> &exp_infs,
                 std::vector<at::Tensor> &steps, const FlodlOptimHyper &h) {
  for (size_t i = 0; i < params.size(); ++i) {
    double step = next_step(steps[i]);
    at::Tensor grad = decayed_grad(params[i], grads[i], h, false);
    exp_avgs[i].lerp_(grad, 1 - h.beta1);
    at::maximum_out(exp_infs[i], exp_infs[i].mul_(h.beta2), grad.abs().add_(h.eps));
    double clr = h.lr / (1 - std::pow(h.beta1, step));
    params[i].addcdiv_(exp_avgs[i], exp_infs[i], -clr);
  }
}

void radam_step(std::vector<at::Tensor> &params, const std::vector<at::Tensor> &grads,
                std::vector<at::Tensor> &exp_avgs, std::vector<at::Tensor> &exp_avg_sqs,
                std::vector<at::Tensor> &steps, const FlodlOptimHyper &h) {
  for (size_t i = 0; i < params.size(); ++i) {
    double step = next_step(steps[i]);
    at::Tensor grad = decayed_grad(params[i], grads[i], h, h.decoupled != 0);
    exp_avgs[i].lerp_(grad, 1 - h.beta1);
    exp_avg_sqs[i].mul_(h.beta2).addcmul_(grad, grad, 1 - h.beta2);
    double bias_correction1 = 1 - std::pow(h.beta1, step);
    double bias_correction2 = 1 - std::pow(h.beta2, step);
    at::Tensor corrected = exp_avgs[i] / bias_correction1;
    // The length of the approximated simple moving average, and its limit.
    double rho_inf = 2 / (1 - h.beta2) - 1;
    double rho_t = rho_inf - 2 * step * std::pow(h.beta2, step) / bias_correction2;
    if (rho_t > 5.0) {
      double rect = std::pow(
          (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t), 0.5);
      // torch's `number / tensor` is the tensor's reciprocal times the number.
      at::Tensor adaptive =
          exp_avg_sqs[i].sqrt().add_(h.eps).reciprocal() * std::pow(bias_correction2, 0.5);
      params[i].add_(corrected * h.lr * adaptive * rect, -1.0);
    } else {
      params[i].add_(corrected * h.lr, -1.0);
    }
  }
}

void nadam_step(std::vector<at::Tensor> &params, const std::vector<at::Tensor> &grads,
                std::vector<at::Tensor> &exp_avgs, std::vector<at::Tensor> &exp_avg_sqs,
                std::vector<at::Tensor> &mu_products, std::vector<at::Tensor> &steps,
                const FlodlOptimHyper &h) {
  for (size_t i = 0; i < params.size(); ++i) {
    double step = next_step(steps[i]);
    double bias_correction2 = 1 - std::pow(h.beta2, step);
    at::Tensor grad = decayed_grad(params[i], grads[i], h, h.decoupled != 0);
    // The momentum schedule: this step's and the next one's.
    double mu = h.beta1 * (1.0 - 0.5 * std::pow(0.96, step * h.momentum_decay));
    double mu_next = h.beta1 * (1.0 - 0.5 * std::pow(0.96, (step + 1) * h.momentum_decay));
    mu_products[i].mul_(mu);
    exp_avgs[i].lerp_(grad, 1 - h.beta1);
    exp_avg_sqs[i].mul_(h.beta2).addcmul_(grad, grad, 1 - h.beta2);
    at::Tensor denom = exp_avg_sqs[i].div(bias_correction2).sqrt();
    double mu_product = mu_products[i].item<double>();
    double mu_product_next = mu_product * mu_next;
    denom.add_(h.eps);
    params[i].addcdiv_(grad, denom, -h.lr * (1.0 - mu) / (1.0 - mu_product));
    params[i].addcdiv_(exp_avgs[i], denom, (-h.lr * mu_next) / (1.0 - mu_product_next));
  }
}

void rprop_step(std::vector<at::Tensor> &params, const std::vector<at::Tensor> &grads,
                std::vector<at::Tensor> &prevs, std::vector<at::Tensor> &step_sizes,
                std::vector<at::Tensor> &steps, const FlodlOptimHyper &h) {
  for (size_t i = 0; i < params.size(); ++i) {
    steps[i].add_(1);
    at::Tensor grad = h.maximize ? grads[i].neg() : grads[i].clone();
    // The factor of each step size: etaplus where the gradient kept its
    // sign, etaminus where it flipped, 1 where either was zero.
    at::Tensor sign = grad.mul(prevs[i]).sign();
    sign.masked_fill_(sign.gt(0), h.etaplus);
    sign.masked_fill_(sign.lt(0), h.etaminus);
    sign.masked_fill_(sign.eq(0), 1);
    step_sizes[i].mul_(sign).clamp_(h.step_size_min, h.step_size_max);
    // Where the sign flipped, no step, and no memory of this gradient.
    grad.masked_fill_(sign.eq(h.etaminus), 0);
    params[i].addcmul_(grad.sign(), step_sizes[i], -1);
    prevs[i].copy_(grad);
  }
}

void asgd_step(std::vector<at::Tensor> &params, const std::vector<at::Tensor> &grads,
               std::vector<at::Tensor> &axs, std::vector<at::Tensor> &etas,
               std::vector<at::Tensor> &mus, std::vector<at::Tensor> &steps,
               const FlodlOptimHyper &h) {
  for (size_t i = 0; i < params.size(); ++i) {
    double step = next_step(steps[i]);
    at::Tensor grad = h.maximize ? grads[i].neg() : grads[i];
    if (h.weight_decay != 0) grad = grad.add(params[i], h.weight_decay);
    double eta = etas[i].item<double>();
    params[i].mul_(1 - h.lambd * eta);
    params[i].add_(grad, -eta);
    // The running average of the iterates, from step t0 on.
    if (mus[i].item<double>() != 1) {
      axs[i].add_(params[i].sub(axs[i]).mul_(mus[i]));
    } else {
      axs[i].copy_(params[i]);
    }
    etas[i].fill_(h.lr / std::pow(1 + h.lambd * h.lr * step, h.alpha));
    mus[i].fill_(1 / std::max(1.0, step - h.t0));
  }
}

void rmsprop_step(std::vector<at::Tensor> &params, std::vector<at::Tensor> grads,
                  std::vector<at::Tensor> &square_avgs, std::vector<at::Tensor> &grad_avgs,
                  std::vector<at::Tensor> &buffers, const FlodlOptimHyper &h) {
  if (h.maximize) grads = at::_foreach_neg(grads);
  if (h.weight_decay != 0) grads = at::_foreach_add(grads, params, h.weight_decay);
  at::_foreach_mul_(square_avgs, h.alpha);
  at::_foreach_addcmul_(square_avgs, grads, grads, 1 - h.alpha);
  std::vector<at::Tensor> avg;
  if (h.centered) {
    at::_foreach_lerp_(grad_avgs, grads, 1 - h.alpha);
    avg = at::_foreach_addcmul(square_avgs, grad_avgs, grad_avgs, -1);
    at::_foreach_sqrt_(avg);
  } else {
    avg = at::_foreach_sqrt(square_avgs);
  }
  at::_foreach_add_(avg, h.eps);
  if (h.momentum > 0) {
    at::_foreach_mul_(buffers, h.momentum);
    at::_foreach_addcdiv_(buffers, grads, avg);
    at::_foreach_add_(params, buffers, -h.lr);
  } else {
    at::_foreach_addcdiv_(params, grads, avg, -h.lr);
  }
}

}  // namespace
}  // namespace flodl

using namespace flodl;

extern "C" {

char *flodl_optim_step(int method, const FlodlOptimLists *lists, const FlodlOptimHyper *hyper,
                       const FlodlTensor *grad_scale, const FlodlTensor *found_inf) {
  return guarded_change([&] {
    at::NoGradGuard no_grad;
    const FlodlOptimHyper &h = *hyper;
    std::vector<at::Tensor> l[6];
    for (int i = 0; i < 6; ++i) l[i] = tensors_of(lists->items[i], lists->n[i]);
    auto &params = l[0], &grads = l[1];
    if (params.empty()) return;
    // The fused kernels walk every list with the parameter's layout: each
    // gradient and state tensor must have its shape, and state its strides
    // (a gradient laid out otherwise is copied into the parameter's layout).
    // Per method: the state lists laid out as the parameters, and those of
    // 0-d float32 counters (steps, NAdam's mu products).
    static const std::vector<int> like_param[] = {{2},    {2, 3, 4}, {2},    {2, 3, 4}, {2, 3},
                                                  {2, 3}, {2, 3},    {2, 3}, {2, 3},    {2}};
    static const std::vector<int> counter_lists[] = {{},  {5}, {3}, {5},    {5},
                                                     {5}, {5}, {4, 5}, {5}, {3, 4, 5}};
    // The lists an option may leave empty (momentum, amsgrad, centered).
    static const std::vector<int> optional_lists[] = {{2}, {4}, {}, {3, 4}, {}, {}, {}, {}, {}, {}};
    if (method < FLODL_OPTIM_SGD || method > FLODL_OPTIM_ASGD) {
      throw c10::ValueError({__func__, __FILE__, static_cast<uint32_t>(__LINE__)},
                            "unknown optimizer method");
    }
    auto fail = [](const std::string &message) {
      throw c10::ValueError({__func__, __FILE__, static_cast<uint32_t>(__LINE__)}, message);
    };
    auto check_count = [&](size_t i, const char *what) {
      if (l[i].size() != params.size() && !l[i].empty()) {
        fail(std::string("got ") + std::to_string(l[i].size()) + " " + what + " for " +
             std::to_string(params.size()) + " parameters");
      }
    };
    check_count(1, "gradients");
    if (grads.size() != params.size()) fail("no gradients given");
    for (int i : like_param[method]) {
      check_count(i, "state tensors");
      const auto &optional = optional_lists[method];
      if (l[i].empty() && std::find(optional.begin(), optional.end(), i) == optional.end()) {
        fail("no state tensors given");
      }
    }
    for (int counters : counter_lists[method]) {
      check_count(counters, "step counters");
      if (l[counters].size() != params.size()) fail("no step counters given");
      // The kernels read each counter as a float on its parameter's
      // device; checked before anything changes.
      const auto &steps = l[counters];
      for (size_t j = 0; j < steps.size(); ++j) {
        const at::Tensor &step = steps[j];
        if (step.dim() != 0 || step.scalar_type() != at::kFloat ||
            step.device() != params[j].device()) {
          fail("the step counter of parameter " + std::to_string(j) +
               " must be a 0-d float32 tensor on the parameter's device, got " +
               c10::str(step.sizes()) + " " + c10::toString(step.scalar_type()) + " on " +
               step.device().str());
        }
      }
    }
    // Gradients copied into the parameters' layout, with the originals.
    std::vector<std::pair<size_t, at::Tensor>> relaid;
    for (size_t j = 0; j < params.size(); ++j) {
      const at::Tensor &p = params[j];
      if (grads[j].scalar_type() != p.scalar_type() || grads[j].device() != p.device()) {
        fail("the gradient of parameter " + std::to_string(j) + " is " +
             c10::toString(grads[j].scalar_type()) + " on " + grads[j].device().str() +
             ", the parameter " + c10::toString(p.scalar_type()) + " on " + p.device().str());
      }
      if (!grads[j].sizes().equals(p.sizes())) {
        fail("the gradient of parameter " + std::to_string(j) + " has shape " +
             c10::str(grads[j].sizes()) + ", the parameter " + c10::str(p.sizes()));
      }
      if (!grads[j].strides().equals(p.strides())) {
        relaid.emplace_back(j, grads[j]);
        grads[j] = at::empty_strided(p.sizes(), p.strides(), p.options()).copy_(grads[j]);
      }
      for (int i : like_param[method]) {
        if (l[i].empty()) continue;
        const at::Tensor &s = l[i][j];
        if (!s.sizes().equals(p.sizes()) || !s.strides().equals(p.strides()) ||
            s.scalar_type() != p.scalar_type() || s.device() != p.device()) {
          fail("a state tensor of parameter " + std::to_string(j) + " (shape " +
               c10::str(s.sizes()) + ") is not laid out as the parameter (shape " +
               c10::str(p.sizes()) + ")");
        }
      }
    }
    // GradScaler's folded step (fused kernels only): the scale and the
    // inf flag on the parameters' device.
    std::optional<at::Tensor> scale, inf;
    if (grad_scale != nullptr || found_inf != nullptr) {
      if (method != FLODL_OPTIM_SGD && method != FLODL_OPTIM_ADAM &&
          method != FLODL_OPTIM_ADAGRAD) {
        fail("this optimizer has no fused kernel to take grad_scale and found_inf");
      }
      if (grad_scale != nullptr) scale = grad_scale->to(params[0].device());
      if (found_inf != nullptr) inf = found_inf->to(params[0].device());
    }
    // A step the fused kernel skips (found_inf) takes back its count, as
    // torch's fused optimizers do.
    auto uncount = [&](std::vector<at::Tensor> &steps) {
      if (inf) at::_foreach_sub_(steps, std::vector<at::Tensor>(steps.size(), *inf));
    };
    // SGD, Adam and Adagrad outside the fused kernels: torch's single-tensor
    // rule, with GradScaler's fold done as its unscale_ does it (the
    // gradients times the reciprocal scale, in place), a step on inf
    // skipped whole.
    bool fused = h.fused == 1 || (h.fused == 0 && params[0].is_cuda());
    if (!fused && (scale || inf)) {
      // unscale_ first, as torch's non-fused GradScaler: the gradients are
      // unscaled even when the step is then skipped.
      if (scale) at::_foreach_mul_(grads, scale->to(at::kDouble).reciprocal().to(at::kFloat));
    }
    // A skipped step changes no parameter (their versions stay).
    bool skipped = !fused && inf && inf->item<double>() != 0;
    if (!skipped) {
      switch (method) {
        case FLODL_OPTIM_SGD:  // l[2]: momentum buffers (none without momentum)
          if (!fused) {
            sgd_step(params, grads, l[2], h);
            break;
          }
          at::_fused_sgd_(params, grads, l[2], h.weight_decay, h.momentum, h.lr, h.dampening,
                          h.nesterov != 0, h.maximize != 0, h.is_first_step != 0, scale, inf);
          break;
        case FLODL_OPTIM_ADAM:  // l[2..5]: exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps
          if (!fused) {
            adam_step(params, grads, l[2], l[3], l[4], l[5], h);
            break;
          }
          counted(l[5], [&] {
            if (h.decoupled) {
              at::_fused_adamw_(params, grads, l[2], l[3], l[4], l[5], h.lr, h.beta1, h.beta2,
                                h.weight_decay, h.eps, h.amsgrad != 0, h.maximize != 0, scale, inf);
            } else {
              at::_fused_adam_(params, grads, l[2], l[3], l[4], l[5], h.lr, h.beta1, h.beta2,
                               h.weight_decay, h.eps, h.amsgrad != 0, h.maximize != 0, scale, inf);
            }
          });
          uncount(l[5]);
          break;
        case FLODL_OPTIM_ADAGRAD:  // l[2], l[3]: state sums, steps
          if (!fused) {
            adagrad_step(params, grads, l[2], l[3], h);
            break;
          }
          counted(l[3], [&] {
            at::_fused_adagrad_(params, grads, l[2], l[3], h.lr, h.lr_decay, h.weight_decay, h.eps,
                                h.maximize != 0, scale, inf);
          });
          uncount(l[3]);
          break;
        case FLODL_OPTIM_RMSPROP:  // l[2..5]: square averages, grad averages, buffers, steps
          counted(l[5], [&] { rmsprop_step(params, grads, l[2], l[3], l[4], h); });
          break;
        case FLODL_OPTIM_ADADELTA:  // l[2], l[3], l[5]: square averages, accumulated deltas, steps
          adadelta_step(params, grads, l[2], l[3], l[5], h);
          break;
        case FLODL_OPTIM_ADAMAX:  // l[2], l[3], l[5]: exp_avgs, exp_infs, steps
          adamax_step(params, grads, l[2], l[3], l[5], h);
          break;
        case FLODL_OPTIM_RADAM:  // l[2], l[3], l[5]: exp_avgs, exp_avg_sqs, steps
          radam_step(params, grads, l[2], l[3], l[5], h);
          break;
        case FLODL_OPTIM_NADAM:  // l[2..5]: exp_avgs, exp_avg_sqs, mu products, steps
          nadam_step(params, grads, l[2], l[3], l[4], l[5], h);
          break;
        case FLODL_OPTIM_RPROP:  // l[2], l[3], l[5]: previous gradients, step sizes, steps
          rprop_step(params, grads, l[2], l[3], l[5], h);
          break;
        case FLODL_OPTIM_ASGD:  // l[2..5]: averages, etas, mus, steps
          asgd_step(params, grads, l[2], l[3], l[4], l[5], h);
          break;
        default:
          throw c10::ValueError({__func__, __FILE__, static_cast<uint32_t>(__LINE__)},
                                "unknown optimizer method");
      }
      // The fused kernels write the parameters without telling autograd; a
      // graph that saved the old values must see the change (as PyTorch's
      // default optimizers make it), so each parameter's version moves on.
      for (auto &p : params) p.unsafeGetTensorImpl()->bump_version();
    }
    // A kernel (or the per-parameter path) that unscaled the gradients
    // wrote them back; a copy's go to the gradient it was made from.
    if (scale) {
      for (auto &[j, original] : relaid) original.copy_(grads[j]);
    }
  });
}

// clip_grad_norm_: the norm of all gradients together; when it exceeds
// max_norm every gradient is scaled by max_norm / (norm + 1e-6), in place.
// The joint norm of `gs` (none: 0), PyTorch's `get_total_norm`.
static at::Tensor total_norm_of(const std::vector<at::Tensor> &gs, double norm_type,
                                int error_if_nonfinite) {
  if (gs.empty()) return at::zeros({});
  at::Tensor norm = at::linalg_vector_norm(at::stack(at::_foreach_norm(gs, norm_type)), norm_type);
  if (error_if_nonfinite && !at::isfinite(norm).item<bool>()) {
    throw c10::ValueError({__func__, __FILE__, static_cast<uint32_t>(__LINE__)},
                          "the total norm of order " + std::to_string(norm_type) +
                              " of the gradients is non-finite, so they cannot be clipped");
  }
  return norm;
}

// `gs` scaled in place by min(1, max_norm / (norm + 1e-6)), PyTorch's
// `clip_grads_with_norm_` (as Python's `max_norm / (norm + 1e-6)`: a
// reciprocal times the number).
static void scale_to_norm(std::vector<at::Tensor> &gs, double max_norm, const at::Tensor &norm) {
  if (gs.empty()) return;
  at::Tensor coefficient = at::clamp_max(at::mul(at::reciprocal(at::add(norm, 1e-6)), max_norm), 1.0);
  at::_foreach_mul_(gs, coefficient);
}

char *flodl_clip_grad_norm(at::Tensor *const *grads, int n, double max_norm, double norm_type,
                           int error_if_nonfinite, at::Tensor **total) {
  return guarded(total, [&] {
    at::NoGradGuard no_grad;
    std::vector<at::Tensor> gs = tensors_of(grads, n);
    at::Tensor norm = total_norm_of(gs, norm_type, error_if_nonfinite);
    scale_to_norm(gs, max_norm, norm);
    return norm;
  });
}

char *flodl_total_norm(at::Tensor *const *tensors, int n, double norm_type, int error_if_nonfinite,
                       at::Tensor **total) {
  return guarded(total, [&] {
    at::NoGradGuard no_grad;
    return total_norm_of(tensors_of(tensors, n), norm_type, error_if_nonfinite);
  });
}

char *flodl_clip_grads_with_norm(at::Tensor *const *grads, int n, double max_norm,
                                 const at::Tensor *total) {
  return guarded_change([&] {
    at::NoGradGuard no_grad;
    std::vector<at::Tensor> gs = tensors_of(grads, n);
    scale_to_norm(gs, max_norm, *total);
  });
}

}  // extern "C"
