// The few libtorch calls that tch's C API lacks. Each is exception-safe:
// nothing thrown in C++ crosses into Rust.
#include <ATen/Context.h>
#include <ATen/Functions.h>
#include <ATen/ScalarOps.h>
#include <ATen/core/Tensor.h>
#include <c10/core/GradMode.h>
#include <c10/core/InferenceMode.h>
#include <c10/util/Exception.h>
#include <c10/util/Logging.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>

#include "gru.h"

#include <ATen/DLConvertor.h>
#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <vector>
#include <string>
#include <type_traits>
#include <variant>

// The message handed to Rust: one letter for the exception's type (the
// error kind it implies), then the text without any C++ backtrace, which
// is never built: symbolising one costs milliseconds.
//   I IndexError  V ValueError  T TypeError  N NotImplementedError
//   M OutOfMemoryError  E any other c10::Error  X anything else
static char *failure(char type, const char *text) {
  size_t n = std::strlen(text);
  char *out = static_cast<char *>(std::malloc(n + 2));
  if (out == nullptr) return nullptr;  // Rust reads a null message as "out of memory"
  out[0] = type;
  std::memcpy(out + 1, text, n + 1);
  return out;
}

// Runs `make`, storing the new tensor in *out. Returns null on success, or
// the failure (malloc'd; Rust frees it with flodl_free_message).
template <class Make>
static char *guarded(at::Tensor **out, Make make) {
  try {
    *out = new at::Tensor(make());
    return nullptr;
  } catch (const c10::IndexError &e) {
    return failure('I', e.what_without_backtrace());
  } catch (const c10::ValueError &e) {
    return failure('V', e.what_without_backtrace());
  } catch (const c10::TypeError &e) {
    return failure('T', e.what_without_backtrace());
  } catch (const c10::NotImplementedError &e) {
    return failure('N', e.what_without_backtrace());
  } catch (const c10::OutOfMemoryError &e) {
    return failure('M', e.what_without_backtrace());
  } catch (const c10::Error &e) {
    return failure('E', e.what_without_backtrace());
  } catch (const std::bad_alloc &) {
    return failure('M', "cannot allocate memory");
  } catch (const std::exception &e) {
    return failure('X', e.what());
  } catch (...) {
    return failure('X', "unknown C++ exception");
  }
}

// libtorch records a C++ backtrace in every c10::Error and symbolises it
// when the message is read, which tch's wrappers do: about 4 ms per failed
// call, for frames flodl drops anyway. An empty fetcher makes a failure
// cost microseconds. Runs when the library loads; TORCH_SHOW_CPP_STACKTRACES=1
// keeps libtorch's backtraces for whoever debugs libtorch itself.
static const bool quiet_backtraces = [] {
  const char *show = std::getenv("TORCH_SHOW_CPP_STACKTRACES");
  if (show == nullptr || std::strcmp(show, "1") != 0) {
    c10::SetStackTraceFetcher([]() -> std::string { return std::string(); });
  }
  return true;
}();

// `guarded` for a change of `t` in place: null on success, else the failure.
template <class Change>
static char *guarded_change(Change change) {
  at::Tensor *unused = nullptr;
  char *message = guarded(&unused, [&] {
    change();
    return at::Tensor();
  });
  delete unused;  // an undefined tensor, or null when `change` threw
  return message;
}

// A C array of tensor pointers (null: an undefined tensor) as a vector.
static std::vector<at::Tensor> tensors_of(at::Tensor *const *items, int n) {
  std::vector<at::Tensor> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) out.push_back(items[i] == nullptr ? at::Tensor() : *items[i]);
  return out;
}

// libtorch's warnings go to flodl's callback (Python's `warnings`, or
// Rust's `log`) instead of raw stderr lines. c10 keeps the handler per
// thread, so each thread that runs flodl ops installs it once.
typedef void (*flodl_warning_fn)(const char *message, int deprecation);
static std::atomic<flodl_warning_fn> warning_callback{nullptr};

class FlodlWarningHandler : public c10::WarningHandler {
 public:
  void process(const c10::Warning &warning) override {
    flodl_warning_fn callback = warning_callback.load();
    if (callback == nullptr) {
      c10::WarningHandler::process(warning);
      return;
    }
    bool deprecation = std::holds_alternative<c10::DeprecationWarning>(warning.type());
    callback(warning.msg().c_str(), deprecation ? 1 : 0);
  }
};
static FlodlWarningHandler warning_handler;

extern "C" {

void flodl_set_warning_callback(flodl_warning_fn callback) { warning_callback.store(callback); }

// A warning of flodl's own, through the same handler as libtorch's.
void flodl_warn(const char *message) {
  c10::warn(c10::Warning(c10::UserWarning(), c10::SourceLocation{__func__, __FILE__, __LINE__},
                         std::string(message), true));
}

void flodl_use_warning_handler() {
  if (c10::WarningUtils::get_warning_handler() != &warning_handler) {
    c10::WarningUtils::set_warning_handler(&warning_handler);
  }
}

// `t.grad = g` (g null: None), as PyTorch's setter checks it.
char *flodl_set_grad(at::Tensor *t, const at::Tensor *g) {
  return guarded_change([&] {
    if (g == nullptr) {
      t->mutable_grad().reset();
      return;
    }
    TORCH_CHECK(g->sizes() == t->sizes(), "the gradient's shape ", g->sizes(),
                      " differs from the tensor's ", t->sizes());
    TORCH_CHECK(g->scalar_type() == t->scalar_type(), "the gradient's dtype ",
                     g->scalar_type(), " differs from the tensor's ", t->scalar_type());
    TORCH_CHECK(g->device() == t->device(), "the gradient is on ", g->device(),
                ", the tensor on ", t->device(), ": not the same device");
    t->mutable_grad() = *g;
  });
}

// `t.retain_grad()`: a non-leaf keeps its gradient in .grad.
char *flodl_retain_grad(at::Tensor *t) {
  return guarded_change([&] { t->retain_grad(); });
}

// Gradient hooks. `call(ctx, grad, &replacement)` runs when the gradient
// with respect to `t` is computed: it owns `grad` (a new handle), and may
// set `replacement` (a new handle, or null to keep the gradient); it returns
// null, or a malloc'd message that fails the backward. `drop(ctx)` runs once
// when libtorch forgets the hook (removed, or the tensor gone).
typedef char *(*flodl_hook_fn)(void *ctx, at::Tensor *grad, at::Tensor **replacement);
typedef void (*flodl_drop_fn)(void *ctx);

namespace {
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
}  // namespace

char *flodl_register_hook(at::Tensor *t, void *ctx, flodl_hook_fn call, flodl_drop_fn drop,
                          unsigned *handle) {
  std::shared_ptr<HookContext> owner = owner_of(ctx, drop);
  if (!owner) return failure('M', "cannot allocate memory");
  return guarded_change([&] {
    *handle = t->register_hook([owner, call](at::Tensor grad) -> at::Tensor {
      at::Tensor *replacement = nullptr;
      char *failure = call(owner->ctx, new at::Tensor(grad), &replacement);
      if (failure != nullptr) {
        std::string text(failure);
        std::free(failure);
        TORCH_CHECK(false, text);
      }
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
// added into a leaf's .grad (it owns `leaf`, a new handle) and returns null
// or a malloc'd message. libtorch keeps one such hook object per tensor;
// flodl's holds a list, so hooks can be added and removed one by one.
typedef char *(*flodl_post_hook_fn)(void *ctx, at::Tensor *leaf);

namespace {
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
      char *failure = entry.call(entry.owner->ctx, new at::Tensor(leaf));
      if (failure != nullptr) {
        std::string text(failure);
        std::free(failure);
        TORCH_CHECK(false, text);
      }
    }
  }
};
}  // namespace

char *flodl_register_post_accumulate_grad_hook(at::Tensor *t, void *ctx, flodl_post_hook_fn call,
                                               flodl_drop_fn drop, unsigned *handle) {
  std::shared_ptr<HookContext> owner = owner_of(ctx, drop);
  if (!owner) return failure('M', "cannot allocate memory");
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
    auto *hooks = dynamic_cast<PostAccumulateHooks *>(torch::autograd::impl::post_acc_grad_hooks(*t).get());
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

// `t.data = d`: the same node, new values (shape and dtype may change).
char *flodl_set_data(at::Tensor *t, const at::Tensor *d) {
  return guarded_change([&] { t->set_data(*d); });
}

// `t.requires_grad = r` on a leaf.
char *flodl_set_requires_grad(at::Tensor *t, int r) {
  return guarded_change([&] { t->set_requires_grad(r != 0); });
}

// Sets a tensor's .grad back to undefined (Python's `p.grad = None`), so the
// next backward writes a fresh gradient instead of adding to a zeroed one.
int flodl_clear_grad(at::Tensor *t) {
  try {
    t->mutable_grad().reset();
    return 0;
  } catch (...) {
    return 1;
  }
}

// Cuts a tensor handle from its autograd graph in place. libtorch refuses
// detach_() on views, so a view's handle is re-pointed at a detached alias
// instead: the graph behind it is released all the same.
// Where `t`'s memory lives, for copy.deepcopy keeping views shared: its
// storage's address and size in elements of t's dtype, and t's offset.
int flodl_storage_info(const at::Tensor *t, uintptr_t *storage, int64_t *numel,
                       int64_t *offset) {
  try {
    const auto &s = t->storage();
    *storage = reinterpret_cast<uintptr_t>(s.data());
    *numel = static_cast<int64_t>(s.nbytes() / t->element_size());
    *offset = t->storage_offset();
    return 0;
  } catch (...) {
    return 1;
  }
}

int flodl_detach_in_place(at::Tensor *t) {
  try {
    if (t->is_view()) {
      *t = t->detach();
    } else {
      t->detach_();
    }
    return 0;
  } catch (...) {
    return 1;
  }
}

// c10::InferenceMode as an object: entered by new, left by delete, on the
// same thread, innermost first. Null if libtorch refused.
void *flodl_inference_mode_enter(int enabled) {
  try {
    return new c10::InferenceMode(enabled != 0);
  } catch (...) {
    return nullptr;
  }
}

void flodl_inference_mode_exit(void *guard) { delete static_cast<c10::InferenceMode *>(guard); }

int flodl_is_inference_mode_enabled() { return c10::InferenceMode::is_enabled() ? 1 : 0; }

// The name of the autograd node that made `t` ("MulBackward0"), malloc'd;
// null for a leaf.
char *flodl_grad_fn_name(const at::Tensor *t) {
  try {
    const auto &fn = t->grad_fn();
    return fn ? strdup(fn->name().c_str()) : nullptr;
  } catch (...) {
    return nullptr;
  }
}

// Whether autograd records operations on this thread.
int flodl_is_grad_enabled() { return c10::GradMode::is_enabled() ? 1 : 0; }

// Turns recording on or off for this thread; returns the previous state.
int flodl_set_grad_enabled(int enabled) {
  bool prev = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(enabled != 0);
  return prev ? 1 : 0;
}

void flodl_free_message(char *message) { std::free(message); }

// Ops with Scalar arguments. tch's wrappers of these panic when libtorch
// reports an error (their Scalar temporary is freed, and the pending error
// read with unwrap, before the call's own error check), so flodl calls them
// here. Some also have parameters tch leaves out (leaky_relu's slope, ...).
// A number crosses as a FlodlScalar, typed as Python's are, so that type
// promotion is PyTorch's (int64 tensor + 1 stays int64).
struct FlodlScalar {
  int32_t tag;  // 0 bool, 1 int, 2 float
  int64_t i;
  double d;
};

static c10::Scalar to_scalar(FlodlScalar s) {
  switch (s.tag) {
    case 0: return c10::Scalar(s.i != 0);
    case 1: return c10::Scalar(s.i);
    default: return c10::Scalar(s.d);
  }
}

#define FLODL_OP_1(name, expr)                                                   \
  char *flodl_##name(const at::Tensor *x, FlodlScalar a_, at::Tensor **out) {    \
    c10::Scalar a = to_scalar(a_);                                               \
    return guarded(out, [&] { return expr; });                                   \
  }
#define FLODL_OP_2(name, expr)                                                            \
  char *flodl_##name(const at::Tensor *x, FlodlScalar a_, FlodlScalar b_, at::Tensor **out) { \
    c10::Scalar a = to_scalar(a_), b = to_scalar(b_);                                     \
    return guarded(out, [&] { return expr; });                                            \
  }

// As PyTorch's Python binding does for `x * 0.5`: the number becomes a
// wrapped 0-dim tensor (it does not promote x's dtype beyond its category)
// and the Tensor overload runs, one dispatcher hop shorter than the Scalar
// overload. Wrapped numbers are immutable and flodl never exposes them, so
// each thread keeps the last few it made and hands them out again.
static at::Tensor wrapped(const c10::Scalar &a) {
  struct Key {
    int tag;
    int64_t bits;
    bool operator==(const Key &o) const { return tag == o.tag && bits == o.bits; }
  };
  Key key{2, 0};
  if (a.isBoolean()) {
    key = {0, a.toBool() ? 1 : 0};
  } else if (a.isIntegral(false)) {
    key = {1, a.toLong()};
  } else {
    double d = a.toDouble();
    std::memcpy(&key.bits, &d, sizeof d);
  }
  constexpr int kSlots = 8;
  thread_local Key keys[kSlots];
  thread_local at::Tensor tensors[kSlots];
  thread_local int next = 0;
  for (int i = 0; i < kSlots; ++i) {
    if (tensors[i].defined() && keys[i] == key) return tensors[i];
  }
  int slot = next;
  next = (next + 1) % kSlots;
  keys[slot] = key;
  tensors[slot] = at::native::wrapped_scalar_tensor(a);
  return tensors[slot];
}
#include "scalar_ops.def"

char *flodl_masked_fill(const at::Tensor *x, const at::Tensor *mask, FlodlScalar value,
                        at::Tensor **out) {
  return guarded(out, [&] { return at::masked_fill(*x, *mask, to_scalar(value)); });
}

// Creation functions with Scalar arguments; `like` is an empty tensor with
// the dtype and device to create with.
char *flodl_arange(double start, double end, double step, const at::Tensor *like,
                   at::Tensor **out) {
  return guarded(out, [&] { return at::arange(start, end, step, like->options()); });
}

char *flodl_linspace(double start, double end, int64_t steps, const at::Tensor *like,
                     at::Tensor **out) {
  return guarded(out, [&] { return at::linspace(start, end, steps, like->options()); });
}

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
    for (int i = 0; i < n_inputs; ++i) {
      at::Tensor g = grads[i];
      // A ZeroTensor (autograd's storage-less zeros) becomes real zeros:
      // flodl reads values through data pointers.
      if (g.defined() && g._is_zerotensor()) g = at::zeros(g.sizes(), g.options());
      results[i] = g.defined() ? new at::Tensor(g) : nullptr;
    }
  });
}

// detect_anomaly: a post hook on the node that made a result checks the
// gradients that node's backward produces; a NaN or inf fails the backward
// with an Autograd error (carried whole to Rust, see error.rs) that names
// the forward op, its operands and where it was called.
namespace {
struct AnomalyHook : torch::autograd::FunctionPostHook {
  std::string where;
  explicit AnomalyHook(std::string w) : where(std::move(w)) {}
  torch::autograd::variable_list operator()(const torch::autograd::variable_list &grad_inputs,
                                            const torch::autograd::variable_list &) override {
    for (size_t i = 0; i < grad_inputs.size(); ++i) {
      const at::Tensor &g = grad_inputs[i];
      if (!g.defined() || !g.is_floating_point() || at::isfinite(g).all().item<bool>()) continue;
      const char *bad = at::isnan(g).any().item<bool>() ? "nan" : "inf";
      // "\x01flodl:4:" + message + "\x02" is an Autograd Error (kind 4).
      TORCH_CHECK(false, "\x01" "flodl:4:detect_anomaly: the backward of ", where, " produced ",
                  bad, " in the gradient of its input ", i, "\x02");
    }
    return grad_inputs;
  }
};
}  // namespace

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
  return guarded(out, [&] { return at::_make_dual(*primal, *tangent, static_cast<int64_t>(level)); });
}

// The tangent of `t` at `level` (undefined, so null, when it has none).
char *flodl_unpack_dual(const at::Tensor *t, uint64_t level, at::Tensor **tangent) {
  return guarded_change([&] {
    auto unpacked = at::_unpack_dual(*t, static_cast<int64_t>(level));
    at::Tensor tan = std::get<1>(unpacked);
    if (tan.defined() && tan._is_zerotensor()) tan = at::zeros(tan.sizes(), tan.options());
    *tangent = tan.defined() ? new at::Tensor(tan) : nullptr;
  });
}

// torch.var / torch.std with a correction, of all elements when has_dim is 0.
char *flodl_var_std(const at::Tensor *x, double correction, int64_t dim, int has_dim,
                    int keepdim, int std, at::Tensor **out) {
  return guarded(out, [&] {
    const int64_t the_dim[1] = {dim};  // outlives `dims`, which only points to it
    at::OptionalIntArrayRef dims =
        has_dim ? at::OptionalIntArrayRef(at::IntArrayRef(the_dim, 1)) : at::OptionalIntArrayRef();
    c10::Scalar c(correction);
    return std ? at::std(*x, dims, c, keepdim != 0) : at::var(*x, dims, c, keepdim != 0);
  });
}

// torch.linalg.vector_norm(x, p, dim, keepdim); all elements when has_dim is 0.
char *flodl_vector_norm(const at::Tensor *x, double p, int64_t dim, int has_dim, int keepdim,
                        at::Tensor **out) {
  return guarded(out, [&] {
    if (has_dim) return at::linalg_vector_norm(*x, p, at::IntArrayRef{dim}, keepdim != 0);
    return at::linalg_vector_norm(*x, p, at::OptionalIntArrayRef{}, keepdim != 0);
  });
}


// Custom functions: a node of libtorch's graph whose backward is flodl's
// callback. `call(ctx, grads, n, results, m)` owns the `n` gradients of the
// outputs (new handles, null when undefined) and fills the `m` gradients of
// the inputs (new handles, or null); it returns null or a malloc'd message.
// `release(ctx)` runs when a backward without retain_graph frees the node's
// saved values; `drop(ctx)` once, when the node is destroyed.
typedef char *(*flodl_node_fn)(void *ctx, at::Tensor **grads, size_t n, at::Tensor **results,
                               size_t m);
typedef void (*flodl_release_fn)(void *ctx);

namespace {
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
    char *failure = call(owner->ctx, given.data(), given.size(), out.data(), out.size());
    torch::autograd::variable_list result(out.size());
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i] == nullptr) continue;
      result[i] = *out[i];
      delete out[i];
    }
    if (failure != nullptr) {
      std::string text(failure);
      std::free(failure);
      TORCH_CHECK(false, text);
    }
    return result;
  }
  std::string name() const override { return label; }
  void release_variables() override { release(owner->ctx); }
};

// A new node held the way this libtorch holds autograd nodes: by
// c10::intrusive_ptr from torch 2.13 (Node derives from intrusive_ptr_target),
// by std::shared_ptr before (torch 2.11, `make test TORCH=2.11`).
extern "C++" template <class T>
auto make_node() {
  if constexpr (std::is_base_of_v<c10::intrusive_ptr_target, T>)
    return c10::make_intrusive<T>();
  else
    return std::make_shared<T>();
}
}  // namespace

// Wraps the `n_out` results of a custom forward (computed without a graph)
// as outputs of a new FlodlNode whose next edges are the `n_in` inputs; an
// output with differentiable[j] == 0 gets no gradient. Without grad mode or
// an input that requires grad, the outputs are returned without a node.
// With `materialize`, backward gets zeros for an output that got no
// gradient (Python's default) instead of null.
// `results` receives `n_out` new handles.
char *flodl_function_apply(at::Tensor *const *inputs, int n_in, at::Tensor *const *outputs,
                           int n_out, const unsigned char *differentiable, const char *name,
                           int materialize, void *ctx, flodl_node_fn call,
                           flodl_release_fn release, flodl_drop_fn drop, at::Tensor **results) {
  std::shared_ptr<HookContext> owner = owner_of(ctx, drop);
  if (!owner) return failure('M', "cannot allocate memory");
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
    std::vector<at::Tensor> made;
    made.reserve(n_out);
    for (int j = 0; j < n_out; ++j) {
      // A new handle, so an input returned as it is gets its own history.
      at::Tensor out = outputs[j]->detach();
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

// The default random generator of the CPU (cuda_index < 0) or of a CUDA
// device, whose state checkpoint saves and restores.
static at::Generator default_generator(int cuda_index) {
  if (cuda_index < 0) return at::globalContext().defaultGenerator(c10::Device(c10::kCPU));
  return at::globalContext().defaultGenerator(
      c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(cuda_index)));
}

char *flodl_get_rng_state(int cuda_index, at::Tensor **out) {
  return guarded(out, [&] {
    at::Generator gen = default_generator(cuda_index);
    std::lock_guard<std::mutex> lock(gen.mutex());
    return gen.get_state();
  });
}

char *flodl_set_rng_state(int cuda_index, const at::Tensor *state) {
  return guarded_change([&] {
    at::Generator gen = default_generator(cuda_index);
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(*state);
  });
}

// Optimizer updates, one call per parameter group, on libtorch's fused
// kernels (SGD, Adam, AdamW, Adagrad), its foreach kernels (RMSprop), or
// per parameter as torch.optim's single-tensor path runs them (Adadelta,
// Adamax, RAdam, NAdam, which have no fused kernel). Which state goes in
// which list is flodl::optim's state layout (src/optim/methods.rs).
struct FlodlOptimLists {
  at::Tensor *const *items[6];  // params, grads, then the method's state lists
  int n[6];
};

struct FlodlOptimHyper {
  double lr, momentum, dampening, weight_decay, beta1, beta2, eps, alpha, lr_decay, rho,
      momentum_decay;
  int32_t nesterov, maximize, amsgrad, decoupled, centered, is_first_step;
};
// Mirrored field for field by `OptimHyper` in src/ffi.rs (which checks the same size).
static_assert(sizeof(FlodlOptimHyper) == 11 * sizeof(double) + 6 * sizeof(int32_t),
              "FlodlOptimHyper is mirrored in src/ffi.rs");

enum FlodlOptimMethod {
  kSgd = 0,
  kAdam = 1,
  kAdagrad = 2,
  kRmsprop = 3,
  kAdadelta = 4,
  kAdamax = 5,
  kRadam = 6,
  kNadam = 7,
};

// The gradient the single-tensor rules start from: negated to maximize,
// with L2 weight decay added (or, decoupled, the parameter shrunk instead).
static at::Tensor decayed_grad(at::Tensor &param, const at::Tensor &grad, const FlodlOptimHyper &h,
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

// Counts `step` up and returns it as a number (as torch's `_get_value`).
static double next_step(at::Tensor &step) {
  step.add_(1);
  return step.item<double>();
}

static void adadelta_step(std::vector<at::Tensor> &params, const std::vector<at::Tensor> &grads,
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

static void adamax_step(std::vector<at::Tensor> &params, const std::vector<at::Tensor> &grads,
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

static void radam_step(std::vector<at::Tensor> &params, const std::vector<at::Tensor> &grads,
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

static void nadam_step(std::vector<at::Tensor> &params, const std::vector<at::Tensor> &grads,
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

static void rmsprop_step(std::vector<at::Tensor> &params, std::vector<at::Tensor> grads,
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

char *flodl_optim_step(int method, const FlodlOptimLists *lists, const FlodlOptimHyper *hyper) {
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
    static const std::vector<int> like_param[] = {{2},    {2, 3, 4}, {2},    {2, 3, 4},
                                                  {2, 3}, {2, 3},    {2, 3}, {2, 3}};
    static const std::vector<int> counter_lists[] = {{}, {5}, {3}, {5}, {5}, {5}, {5}, {4, 5}};
    // The lists an option may leave empty (momentum, amsgrad, centered).
    static const std::vector<int> optional_lists[] = {{2}, {4}, {}, {3, 4}, {}, {}, {}, {}};
    if (method < kSgd || method > kNadam) {
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
    switch (method) {
      case kSgd:  // l[2]: momentum buffers (none without momentum)
        at::_fused_sgd_(params, grads, l[2], h.weight_decay, h.momentum, h.lr, h.dampening,
                        h.nesterov != 0, h.maximize != 0, h.is_first_step != 0);
        break;
      case kAdam:  // l[2..5]: exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps
        at::_foreach_add_(l[5], 1);
        if (h.decoupled) {
          at::_fused_adamw_(params, grads, l[2], l[3], l[4], l[5], h.lr, h.beta1, h.beta2,
                            h.weight_decay, h.eps, h.amsgrad != 0, h.maximize != 0);
        } else {
          at::_fused_adam_(params, grads, l[2], l[3], l[4], l[5], h.lr, h.beta1, h.beta2,
                           h.weight_decay, h.eps, h.amsgrad != 0, h.maximize != 0);
        }
        break;
      case kAdagrad:  // l[2], l[3]: state sums, steps
        at::_foreach_add_(l[3], 1);
        at::_fused_adagrad_(params, grads, l[2], l[3], h.lr, h.lr_decay, h.weight_decay, h.eps,
                            h.maximize != 0);
        break;
      case kRmsprop:  // l[2..5]: square averages, grad averages, buffers, steps
        at::_foreach_add_(l[5], 1);
        rmsprop_step(params, grads, l[2], l[3], l[4], h);
        break;
      case kAdadelta:  // l[2], l[3], l[5]: square averages, accumulated deltas, steps
        adadelta_step(params, grads, l[2], l[3], l[5], h);
        break;
      case kAdamax:  // l[2], l[3], l[5]: exp_avgs, exp_infs, steps
        adamax_step(params, grads, l[2], l[3], l[5], h);
        break;
      case kRadam:  // l[2], l[3], l[5]: exp_avgs, exp_avg_sqs, steps
        radam_step(params, grads, l[2], l[3], l[5], h);
        break;
      case kNadam:  // l[2..5]: exp_avgs, exp_avg_sqs, mu products, steps
        nadam_step(params, grads, l[2], l[3], l[4], l[5], h);
        break;
      default:
        throw c10::ValueError({__func__, __FILE__, static_cast<uint32_t>(__LINE__)},
                              "unknown optimizer method");
    }
    // The fused kernels write the parameters without telling autograd; a
    // graph that saved the old values must see the change (as PyTorch's
    // default optimizers make it), so each parameter's version moves on.
    for (auto &p : params) p.unsafeGetTensorImpl()->bump_version();
  });
}

// A multi-layer GRU on the CPU with one autograd node per layer and
// direction (gru.cpp): (output, h_n) as at::gru gives them.
char *flodl_gru(const at::Tensor *input, const at::Tensor *hx, at::Tensor *const *params,
                int n_params, int has_biases, int64_t num_layers, double dropout, int train,
                int bidirectional, int batch_first, at::Tensor **output, at::Tensor **h_n) {
  at::Tensor last;
  char *message = guarded(output, [&] {
    auto result = flodl::gru(*input, *hx, tensors_of(params, n_params), has_biases != 0,
                             num_layers, dropout, train != 0, bidirectional != 0, batch_first != 0);
    last = std::get<1>(result);
    return std::get<0>(result);
  });
  if (message != nullptr) return message;
  message = guarded(h_n, [&] { return last; });
  if (message != nullptr) {  // nothing half-returned
    delete *output;
    *output = nullptr;
  }
  return message;
}

// ----- interop: torch tensors and DLPack, sharing memory -----

// A flodl tensor as a torch.Tensor: torch's own wrapper (THPVariable_Wrap in
// libtorch_python, which `import torch` has loaded) around the same
// at::Tensor, so the two share memory and autograd graph. Returns a new
// reference, or null with a Python exception set by torch; null `*object`
// and a message when torch's Python library is not loaded.
char *flodl_to_torch(const at::Tensor *t, void **object) {
  using Wrap = void *(*)(const at::TensorBase &);
  // Found once torch is imported (looked up again until then).
  static std::atomic<Wrap> found{nullptr};
  Wrap wrap = found.load();
  if (wrap == nullptr) {
    void *lib = dlopen("libtorch_python.so", RTLD_NOLOAD | RTLD_LAZY);
    if (lib != nullptr) {
      wrap = reinterpret_cast<Wrap>(dlsym(lib, "_Z16THPVariable_WrapRKN2at10TensorBaseE"));
      dlclose(lib);  // NOLOAD took a reference; torch keeps the library loaded
      found.store(wrap);
    }
  }
  *object = nullptr;
  if (wrap == nullptr) return failure('E', "to_torch: torch's Python library is not loaded");
  return guarded_change([&] { *object = wrap(*t); });
}

// The at::Tensor behind a torch.Tensor, from its TensorImpl (what
// `tensor._cdata` gives): a new handle on the same tensor, autograd meta
// and all.
char *flodl_from_tensor_impl(uintptr_t impl, at::Tensor **out) {
  return guarded(out, [&] {
    auto ptr = c10::intrusive_ptr<c10::TensorImpl, c10::UndefinedTensorImpl>::reclaim_copy(
        reinterpret_cast<c10::TensorImpl *>(impl));
    return at::Tensor(std::move(ptr));
  });
}

// DLPack: a managed tensor sharing `t`'s memory (its deleter frees it),
// versioned (DLPack 1.x, DLManagedTensorVersioned, which can say writable)
// or not (0.x, DLManagedTensor).
char *flodl_to_dlpack(const at::Tensor *t, int versioned, void **managed) {
  return guarded_change([&] {
    *managed = versioned ? static_cast<void *>(at::toDLPackVersioned(*t))
                         : static_cast<void *>(at::toDLPack(*t));
  });
}

// A tensor on a managed tensor's memory; it takes ownership (the
// producer's deleter runs when the tensor is freed). Memory the producer
// marks read-only is copied (a flodl tensor is always writable).
char *flodl_from_dlpack(void *managed, int versioned, at::Tensor **out) {
  return guarded(out, [&] {
    const DLTensor &dl = versioned ? static_cast<DLManagedTensorVersioned *>(managed)->dl_tensor
                                   : static_cast<DLManagedTensor *>(managed)->dl_tensor;
    // libtorch aborts the process on negative strides (numpy exports them
    // for reversed views): refused here, before it sees them.
    for (int32_t d = 0; dl.strides != nullptr && d < dl.ndim; ++d) {
      if (dl.strides[d] < 0) {
        throw c10::ValueError({__func__, __FILE__, static_cast<uint32_t>(__LINE__)},
                              "negative strides are not supported (copy the "
                              "array first)");
      }
    }
    if (!versioned) return at::fromDLPack(static_cast<DLManagedTensor *>(managed));
    auto *m = static_cast<DLManagedTensorVersioned *>(managed);
    const bool read_only = (m->flags & DLPACK_FLAG_BITMASK_READ_ONLY) != 0;
    at::Tensor shared = at::fromDLPackVersioned(m);
    return read_only ? shared.clone() : shared;
  });
}

// Frees a managed tensor nobody consumed.
void flodl_dlpack_delete(void *managed, int versioned) {
  if (managed == nullptr) return;
  if (versioned) {
    auto *m = static_cast<DLManagedTensorVersioned *>(managed);
    if (m->deleter != nullptr) m->deleter(m);
  } else {
    auto *m = static_cast<DLManagedTensor *>(managed);
    if (m->deleter != nullptr) m->deleter(m);
  }
}

// Which tensor an at::Tensor handle is: handles of one tensor share it.
uintptr_t flodl_impl_id(const at::Tensor *t) {
  return reinterpret_cast<uintptr_t>(t->unsafeGetTensorImpl());
}

// clip_grad_norm_: the norm of all gradients together; when it exceeds
// max_norm every gradient is scaled by max_norm / (norm + 1e-6), in place.
char *flodl_clip_grad_norm(at::Tensor *const *grads, int n, double max_norm, double norm_type,
                           int error_if_nonfinite, at::Tensor **total) {
  return guarded(total, [&] {
    at::NoGradGuard no_grad;
    std::vector<at::Tensor> gs = tensors_of(grads, n);
    if (gs.empty()) return at::zeros({});
    at::Tensor norm = at::linalg_vector_norm(at::stack(at::_foreach_norm(gs, norm_type)), norm_type);
    if (error_if_nonfinite && !at::isfinite(norm).item<bool>()) {
      throw c10::ValueError({__func__, __FILE__, static_cast<uint32_t>(__LINE__)},
                            "the total norm of order " + std::to_string(norm_type) +
                                " of the gradients is non-finite, so they cannot be clipped");
    }
    // As Python's `max_norm / (norm + 1e-6)`: a reciprocal times the number.
    at::Tensor coefficient = at::clamp_max(at::mul(at::reciprocal(at::add(norm, 1e-6)), max_norm), 1.0);
    at::_foreach_mul_(gs, coefficient);
    return norm;
  });
}

}  // extern "C"
