// Autograd: gradients and hooks, grad and inference modes, backward and
// grad, detect_anomaly's check, forward-mode AD, and custom functions.
#include "common.h"

#include <ATen/Functions.h>
#include <c10/core/GradMode.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/functions/accumulate_grad.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>

#include <memory>
#include <type_traits>

namespace flodl {
namespace {

// Who owns a callback context: `drop(ctx)` runs once, when the last holder
// (a hook, a node) goes.
struct HookContext {
  void *ctx;
  flodl_drop_fn drop;
  HookContext(void *c, flodl_drop_fn d) : ctx(c), drop(d) {}
  HookContext(const HookContext &) = delete;
  HookContext &operator=(const HookContext &) = delete;
  ~HookContext() { drop(ctx); }
};

// The owner of a callback context; on an allocation failure the context is
// dropped at once and the result is null (nothing may throw out of here).
std::shared_ptr<HookContext> owner_of(void *ctx, flodl_drop_fn drop) {
  try {
    return std::make_shared<HookContext>(ctx, drop);
  } catch (...) {
    drop(ctx);
    return nullptr;
  }
}

// Post-accumulate-grad hooks: libtorch keeps one such hook object per
// tensor; flodl's holds a list, so hooks can be added and removed one by one.
struct PostAccumulateHooks : torch::autograd::PostAccumulateGradHook {
  struct Entry {
    unsigned id;
    std::shared_ptr<HookContext> owner;
    flodl_post_hook_fn call;
  };
  std::vector<Entry> entries;
  unsigned next = 0;
  void operator()(const torch::autograd::Variable &leaf) override {
    for (const auto &entry : entries) {
      throw_if_failed(entry.call(entry.owner->ctx, new at::Tensor(leaf)));
    }
  }
};

// detect_anomaly: a post hook on the node that made a result checks the
// gradients that node's backward produces; a NaN or inf fails the backward
// with an Autograd error (carried whole to Rust) that names the forward op,
// its operands and where it was called.
struct AnomalyHook : torch::autograd::FunctionPostHook {
  std::string where;
  explicit AnomalyHook(std::string w) : where(std::move(w)) {}
  torch::autograd::variable_list operator()(const torch::autograd::variable_list &grad_inputs,
                                            const torch::autograd::variable_list &) override {
    for (size_t i = 0; i < grad_inputs.size(); ++i) {
      const at::Tensor &g = grad_inputs[i];
      if (!g.defined() || !g.is_floating_point() || at::isfinite(g).all().item<bool>()) continue;
      const char *bad = at::isnan(g).any().item<bool>() ? "nan" : "inf";
      TORCH_CHECK(false, carried(FLODL_ERROR_AUTOGRAD,
                                 c10::str("detect_anomaly: the backward of ", where, " produced ",
                                          bad, " in the gradient of its input ", i)));
    }
    return grad_inputs;
  }
};

// A custom function's node: its backward is flodl's callback, `call`;
// `release` runs when a backward without retain_graph frees the node's
// saved values.
struct FlodlNode : torch::autograd::Node {
  std::shared_ptr<HookContext> owner;
  flodl_node_fn call;
  flodl_release_fn release;
  std::string label;
  bool materialize = false;  // undefined output gradients become zeros

  torch::autograd::variable_list apply(torch::autograd::variable_list &&grads) override {
    std::vector<at::Tensor *> given(grads.size());
    for (size_t i = 0; i < grads.size(); ++i) {
      if (!grads[i].defined() && materialize && !input_metadata(i).was_default_constructed())
        grads[i] = input_metadata(i).zeros_like();
      given[i] = grads[i].defined() ? new at::Tensor(grads[i]) : nullptr;
    }
    std::vector<at::Tensor *> out(num_outputs(), nullptr);
    char *failed = call(owner->ctx, given.data(), given.size(), out.data(), out.size());
    torch::autograd::variable_list result(out.size());
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i] == nullptr) continue;
      result[i] = *out[i];
      delete out[i];
    }
    throw_if_failed(failed);
    return result;
  }
  std::string name() const override { return label; }
  void release_variables() override { release(owner->ctx); }
};

// A new node held the way this libtorch holds autograd nodes: by
// c10::intrusive_ptr from torch 2.13 (Node derives from intrusive_ptr_target),
// by std::shared_ptr before (torch 2.11, `make test TORCH=2.11`).
template <class T>
auto make_node() {
  if constexpr (std::is_base_of_v<c10::intrusive_ptr_target, T>)
    return c10::make_intrusive<T>();
  else
    return std::make_shared<T>();
}

}  // namespace
}  // namespace flodl

using namespace flodl;

extern "C" {

// `t.grad = g` (g null: None), as PyTorch's setter checks it.
char *flodl_set_grad(at::Tensor *t, const at::Tensor *g) {
  return guarded_change([&] {
    if (g == nullptr) {
      t->mutable_grad().reset();
      return;
    }
    TORCH_CHECK(g->sizes() == t->sizes(), "the gradient's shape ", g->sizes(),
                " differs from the tensor's ", t->sizes());
    TORCH_CHECK(g->scalar_type() == t->scalar_type(), "the gradient's dtype ", g->scalar_type(),
                " differs from the tensor's ", t->scalar_type());
    TORCH_CHECK(g->device() == t->device(), "the gradient is on ", g->device(),
                ", the tensor on ", t->device(), ": not the same device");
    t->mutable_grad() = *g;
  });
}

// Sets a tensor's .grad back to undefined (Python's `p.grad = None`), so the
// next backward writes a fresh gradient instead of adding to a zeroed one.
char *flodl_clear_grad(at::Tensor *t) {
  return guarded_change([&] { t->mutable_grad().reset(); });
}

// `t.retain_grad()`: a non-leaf keeps its gradient in .grad.
char *flodl_retain_grad(at::Tensor *t) {
  return guarded_change([&] { t->retain_grad(); });
}

// `t.data = d`: the same node, new values (shape and dtype may change).
char *flodl_set_data(at::Tensor *t, const at::Tensor *d) {
  return guarded_change([&] { t->set_data(*d); });
}

// `t.requires_grad = r` on a leaf.
char *flodl_set_requires_grad(at::Tensor *t, int r) {
  return guarded_change([&] { t->set_requires_grad(r != 0); });
}

// Cuts a tensor handle from its autograd graph in place. libtorch refuses
// detach_() on views, so a view's handle is re-pointed at a detached alias
// instead: the graph behind it is released all the same.
char *flodl_detach_in_place(at::Tensor *t) {
  return guarded_change([&] {
    if (t->is_view()) {
      *t = t->detach();
    } else {
      t->detach_();
    }
  });
}

char *flodl_is_view(const at::Tensor *t, int *view) {
  return guarded_change([&] { *view = t->is_view() ? 1 : 0; });
}

char *flodl_grad_fn_name(const at::Tensor *t, char **name) {
  *name = nullptr;
  return guarded_change([&] {
    const auto &fn = t->grad_fn();
    if (!fn) return;
    *name = strdup(fn->name().c_str());
    if (*name == nullptr) throw std::bad_alloc();
  });
}

// A node handle: an owned reference to a node of the graph (libtorch's
// own pointer type, a shared_ptr or an intrusive_ptr by version).
using NodeRef = std::decay_t<decltype(std::declval<const at::Tensor &>().grad_fn())>;

static const NodeRef &node_of(const void *node) { return *static_cast<const NodeRef *>(node); }

char *flodl_grad_fn(const at::Tensor *t, void **node) {
  *node = nullptr;
  return guarded_change([&] {
    NodeRef fn = t->grad_fn();
    if (fn) *node = new NodeRef(std::move(fn));
  });
}

void flodl_node_free(void *node) { delete static_cast<NodeRef *>(node); }

char *flodl_node_name(const void *node, char **name) {
  *name = nullptr;
  return guarded_change([&] {
    *name = strdup(node_of(node)->name().c_str());
    if (*name == nullptr) throw std::bad_alloc();
  });
}

char *flodl_node_num_next(const void *node, int64_t *count) {
  *count = 0;
  return guarded_change([&] { *count = static_cast<int64_t>(node_of(node)->num_outputs()); });
}

char *flodl_node_next(const void *node, int64_t i, void **next, int64_t *input_nr) {
  *next = nullptr;
  *input_nr = 0;
  return guarded_change([&] {
    const auto &n = node_of(node);
    if (i < 0 || static_cast<uint64_t>(i) >= n->num_outputs()) {
      throw c10::IndexError({__func__, __FILE__, static_cast<uint32_t>(__LINE__)},
                            "edge " + std::to_string(i) + " is out of range");
    }
    const auto &edge = n->next_edge(static_cast<size_t>(i));
    *input_nr = static_cast<int64_t>(edge.input_nr);
    if (edge.function) *next = new NodeRef(edge.function);
  });
}

char *flodl_node_variable(const void *node, at::Tensor **variable) {
  *variable = nullptr;
  return guarded_change([&] {
    auto *accumulate = dynamic_cast<torch::autograd::AccumulateGrad *>(node_of(node).get());
    if (accumulate == nullptr || !accumulate->variable.defined()) return;
    *variable = new at::Tensor(accumulate->variable);
  });
}

uintptr_t flodl_node_id(const void *node) { return reinterpret_cast<uintptr_t>(node_of(node).get()); }

// Gradient hooks: `call` runs when the gradient with respect to `t` is
// computed; `drop` once when libtorch forgets the hook (removed, or the
// tensor gone).
char *flodl_register_hook(at::Tensor *t, void *ctx, flodl_hook_fn call, flodl_drop_fn drop,
                          unsigned *handle) {
  std::shared_ptr<HookContext> owner = owner_of(ctx, drop);
  if (!owner) return failure(FLODL_ERROR_OUT_OF_MEMORY, "cannot allocate memory");
  return guarded_change([&] {
    *handle = t->register_hook([owner, call](at::Tensor grad) -> at::Tensor {
      at::Tensor *replacement = nullptr;
      throw_if_failed(call(owner->ctx, new at::Tensor(grad), &replacement));
      if (replacement == nullptr) return at::Tensor();  // keep the gradient
      at::Tensor result = *replacement;
      delete replacement;
      return result;
    });
  });
}

char *flodl_remove_hook(at::Tensor *t, unsigned handle) {
  return guarded_change([&] { t->remove_hook(handle); });
}

// Post-accumulate-grad hooks: `call(ctx, leaf)` runs after backward has
// added into a leaf's .grad.
char *flodl_register_post_accumulate_grad_hook(at::Tensor *t, void *ctx, flodl_post_hook_fn call,
                                               flodl_drop_fn drop, unsigned *handle) {
  std::shared_ptr<HookContext> owner = owner_of(ctx, drop);
  if (!owner) return failure(FLODL_ERROR_OUT_OF_MEMORY, "cannot allocate memory");
  return guarded_change([&] {
    TORCH_CHECK(t->is_leaf() && t->requires_grad(),
                "a post-accumulate-grad hook goes on a leaf that requires grad");
    auto &slot = torch::autograd::impl::post_acc_grad_hooks(*t);
    auto *hooks = dynamic_cast<PostAccumulateHooks *>(slot.get());
    if (hooks == nullptr) {
      TORCH_CHECK(!slot, "this tensor has a post-accumulate-grad hook of PyTorch's own");
      slot = std::make_unique<PostAccumulateHooks>();
      hooks = static_cast<PostAccumulateHooks *>(slot.get());
    }
    *handle = hooks->next++;
    hooks->entries.push_back({*handle, owner, call});
  });
}

char *flodl_remove_post_accumulate_grad_hook(at::Tensor *t, unsigned handle) {
  return guarded_change([&] {
    auto *hooks =
        dynamic_cast<PostAccumulateHooks *>(torch::autograd::impl::post_acc_grad_hooks(*t).get());
    if (hooks == nullptr) return;
    auto &entries = hooks->entries;
    for (auto it = entries.begin(); it != entries.end(); ++it) {
      if (it->id == handle) {
        entries.erase(it);
        return;
      }
    }
  });
}

int flodl_is_grad_enabled() { return c10::GradMode::is_enabled() ? 1 : 0; }

// Turns recording on or off for this thread; returns the previous state.
int flodl_set_grad_enabled(int enabled) {
  bool prev = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(enabled != 0);
  return prev ? 1 : 0;
}

// c10::InferenceMode as an object: entered by new, left by delete.
char *flodl_inference_mode_enter(int enabled, void **guard) {
  *guard = nullptr;
  return guarded_change([&] { *guard = new c10::InferenceMode(enabled != 0); });
}

void flodl_inference_mode_exit(void *guard) { delete static_cast<c10::InferenceMode *>(guard); }

int flodl_is_inference_mode_enabled() { return c10::InferenceMode::is_enabled() ? 1 : 0; }

// torch::autograd::backward(outputs, grads, retain_graph, false, inputs):
// a null grad is "ones" (a single-element output), no inputs is every leaf.
char *flodl_backward(at::Tensor *const *outputs, at::Tensor *const *grads, int n, int retain_graph,
                     int create_graph, at::Tensor *const *inputs, int n_inputs) {
  return guarded_change([&] {
    torch::autograd::backward(tensors_of(outputs, n), tensors_of(grads, n), retain_graph != 0,
                              create_graph != 0, tensors_of(inputs, n_inputs));
  });
}

// torch::autograd::grad; results[i] is null where the gradient is undefined
// (an input that did not contribute, with allow_unused). retain_graph < 0
// is "as create_graph".
char *flodl_grad(at::Tensor *const *outputs, at::Tensor *const *grad_outputs, int n,
                 at::Tensor *const *inputs, int n_inputs, int retain_graph, int create_graph,
                 int allow_unused, at::Tensor **results) {
  return guarded_change([&] {
    std::optional<bool> retain;
    if (retain_graph >= 0) retain = retain_graph != 0;
    auto grads = torch::autograd::grad(tensors_of(outputs, n), tensors_of(inputs, n_inputs),
                                       tensors_of(grad_outputs, n), retain, create_graph != 0,
                                       allow_unused != 0);
    for (auto &g : grads) {
      // A ZeroTensor (autograd's storage-less zeros) becomes real zeros:
      // flodl reads values through data pointers.
      if (g.defined() && g._is_zerotensor()) g = at::zeros(g.sizes(), g.options());
    }
    // Only once nothing can fail: a failure returns no handles.
    for (int i = 0; i < n_inputs; ++i) {
      results[i] = grads[i].defined() ? new at::Tensor(grads[i]) : nullptr;
    }
  });
}

// Makes the backward of the node that made `result` check its gradients.
char *flodl_watch_anomaly(const at::Tensor *result, const char *where) {
  return guarded_change([&] {
    const auto &node = result->grad_fn();
    if (node) node->add_post_hook(std::make_unique<AnomalyHook>(std::string(where)));
  });
}

// Forward-mode AD through libtorch's dual tensors: a level is entered,
// primals are made dual with their tangents, the function runs, the output
// is unpacked, and the level is exited (which drops its tangents).
char *flodl_enter_dual_level(uint64_t *level) {
  return guarded_change([&] { *level = torch::autograd::forward_ad::enter_dual_level(); });
}

char *flodl_exit_dual_level(uint64_t level) {
  return guarded_change([&] { torch::autograd::forward_ad::exit_dual_level(level); });
}

char *flodl_make_dual(const at::Tensor *primal, const at::Tensor *tangent, uint64_t level,
                      at::Tensor **out) {
  return guarded(out,
                 [&] { return at::_make_dual(*primal, *tangent, static_cast<int64_t>(level)); });
}

// The tangent of `t` at `level` (undefined, so null, when it has none).
char *flodl_unpack_dual(const at::Tensor *t, uint64_t level, at::Tensor **tangent) {
  *tangent = nullptr;
  return guarded_change([&] {
    auto unpacked = at::_unpack_dual(*t, static_cast<int64_t>(level));
    at::Tensor tan = std::get<1>(unpacked);
    if (tan.defined() && tan._is_zerotensor()) tan = at::zeros(tan.sizes(), tan.options());
    *tangent = tan.defined() ? new at::Tensor(tan) : nullptr;
  });
}

// Wraps the `n_out` results of a custom forward (computed without a graph)
// as outputs of a new FlodlNode whose next edges are the `n_in` inputs; an
// output with differentiable[j] == 0 gets no gradient; with 2 it is an
// input forward changed in place (PyTorch's mark_dirty): that input itself
// takes the node as its history, as PyTorch rebases it. Without grad mode or
// an input that requires grad, the outputs are returned without a node.
// With `materialize`, backward gets zeros for an output that got no
// gradient (Python's default) instead of null. `results` receives `n_out`
// new handles. `drop(ctx)` runs once, also when this fails.
char *flodl_function_apply(at::Tensor *const *inputs, int n_in, at::Tensor *const *outputs,
                           int n_out, const unsigned char *differentiable, const char *name,
                           int materialize, void *ctx, flodl_node_fn call,
                           flodl_release_fn release, flodl_drop_fn drop, at::Tensor **results) {
  std::shared_ptr<HookContext> owner = owner_of(ctx, drop);
  if (!owner) return failure(FLODL_ERROR_OUT_OF_MEMORY, "cannot allocate memory");
  return guarded_change([&] {
    std::vector<at::Tensor> in = tensors_of(inputs, n_in);
    bool record = false;
    if (c10::GradMode::is_enabled())
      for (const auto &t : in) record = record || (t.defined() && t.requires_grad());
    decltype(make_node<FlodlNode>()) node;
    if (record) {
      node = make_node<FlodlNode>();
      node->owner = owner;
      node->call = call;
      node->release = release;
      node->label = name;
      node->materialize = materialize != 0;
      node->set_next_edges(torch::autograd::collect_next_edges(in));
    }
    // The inputs the dirty outputs are, each checked before anything changes.
    std::vector<const at::Tensor *> dirty_of(n_out, nullptr);
    for (int j = 0; j < n_out; ++j) {
      if (differentiable[j] != 2) continue;
      for (const auto &t : in)
        if (t.defined() && t.data_ptr() == outputs[j]->data_ptr() &&
            t.sizes().equals(outputs[j]->sizes()) && t.strides().equals(outputs[j]->strides()))
          dirty_of[j] = &t;
      TORCH_CHECK(dirty_of[j], "output ", j,
                  " is marked dirty but is no input of forward (a dirty input is one forward "
                  "used in an in-place operation and returned)");
      TORCH_CHECK(!(dirty_of[j]->is_leaf() && dirty_of[j]->requires_grad()),
                  "a leaf Variable that requires grad has been used in an in-place operation "
                  "(marked dirty)");
      TORCH_CHECK(j == 0 || !dirty_of[j]->is_view(),
                  "a view marked dirty must be the first output of forward (a view used in an "
                  "in-place operation takes the node's first output)");
    }
    std::vector<at::Tensor> made;
    made.reserve(n_out);
    for (int j = 0; j < n_out; ++j) {
      // A new handle, so an input returned as it is gets its own history.
      at::Tensor out = outputs[j]->detach();
      const at::Tensor *dirty = dirty_of[j];
      if (dirty) {
        if (record) {
          uint32_t slot = node->add_input_metadata(*dirty);
          torch::autograd::impl::rebase_history(*dirty, torch::autograd::Edge(node, slot));
        }
        made.push_back(*dirty);
        continue;
      }
      if (record) {
        if (differentiable[j] && torch::autograd::isDifferentiableType(out.scalar_type())) {
          uint32_t slot = node->add_input_metadata(out);
          torch::autograd::impl::set_gradient_edge(out, torch::autograd::Edge(node, slot));
        } else {
          node->add_input_metadata(torch::autograd::Node::undefined_input());
        }
      }
      made.push_back(out);
    }
    for (int j = 0; j < n_out; ++j) results[j] = new at::Tensor(made[j]);
  });
}

}  // extern "C"
