// The few libtorch calls that tch's C API lacks. Each is exception-safe:
// nothing thrown in C++ crosses into Rust.
#include <ATen/Functions.h>
#include <ATen/core/Tensor.h>
#include <c10/core/GradMode.h>

#include <cstdlib>
#include <cstring>
#include <exception>

// Runs `make`, storing the new tensor in *out. Returns null on success, or
// the exception's message (malloc'd; Rust frees it with flodl_free_message).
template <class Make>
static char *guarded(at::Tensor **out, Make make) {
  try {
    *out = new at::Tensor(make());
    return nullptr;
  } catch (const std::exception &e) {
    return strdup(e.what());
  } catch (...) {
    return strdup("unknown C++ exception");
  }
}

extern "C" {

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

// Whether autograd records operations on this thread.
int flodl_is_grad_enabled() { return c10::GradMode::is_enabled() ? 1 : 0; }

// Turns recording on or off for this thread; returns the previous state.
int flodl_set_grad_enabled(int enabled) {
  bool prev = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(enabled != 0);
  return prev ? 1 : 0;
}

void flodl_free_message(char *message) { std::free(message); }

// Activations whose parameters tch's generated API leaves out (it drops
// Scalar arguments that have defaults).
char *flodl_leaky_relu(const at::Tensor *x, double negative_slope, at::Tensor **out) {
  return guarded(out, [&] { return at::leaky_relu(*x, negative_slope); });
}

char *flodl_elu(const at::Tensor *x, double alpha, at::Tensor **out) {
  return guarded(out, [&] { return at::elu(*x, alpha); });
}

char *flodl_softplus(const at::Tensor *x, double beta, double threshold, at::Tensor **out) {
  return guarded(out, [&] { return at::softplus(*x, beta, threshold); });
}

}  // extern "C"
