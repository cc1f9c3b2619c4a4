// Ops with Scalar arguments, and a few others. tch's wrappers of the Scalar
// ones panic when libtorch reports an error (their Scalar temporary is
// freed, and the pending error read with unwrap, before the call's own
// error check), so flodl calls them here. Some also have parameters tch
// leaves out (leaky_relu's slope, ...).
#include <array>
#include "common.h"
#include "gru.h"

#include <ATen/Functions.h>
#include <ATen/ScalarOps.h>

#include <tuple>

namespace flodl {
namespace {

// A number as libtorch takes it (a FlodlScalar, typed as Python's are).
c10::Scalar to_scalar(FlodlScalar s) {
  switch (s.tag) {
    case FLODL_SCALAR_BOOL: return c10::Scalar(s.i != 0);
    case FLODL_SCALAR_INT: return c10::Scalar(s.i);
    case FLODL_SCALAR_COMPLEX: return c10::Scalar(c10::complex<double>(s.d, s.im));
    default: return c10::Scalar(s.d);
  }
}

// As PyTorch's Python binding does for `x * 0.5`: the number becomes a
// wrapped 0-dim tensor (it does not promote x's dtype beyond its category)
// and the Tensor overload runs, one dispatcher hop shorter than the Scalar
// overload. Wrapped numbers are immutable and flodl never exposes them, so
// each thread keeps the last few it made and hands them out again; except
// those made in inference mode, which are inference tensors that autograd
// refuses to save once the mode is left (each is made fresh there).
at::Tensor wrapped(const c10::Scalar &a) {
  // Complex numbers are rare enough to make afresh (the key holds one part).
  if (c10::InferenceMode::is_enabled() || a.isComplex()) {
    return at::native::wrapped_scalar_tensor(a);
  }
  struct Key {
    int tag;
    int64_t bits;
    bool operator==(const Key &o) const { return tag == o.tag && bits == o.bits; }
  };
  Key key{FLODL_SCALAR_FLOAT, 0};
  if (a.isBoolean()) {
    key = {FLODL_SCALAR_BOOL, a.toBool() ? 1 : 0};
  } else if (a.isIntegral(false)) {
    key = {FLODL_SCALAR_INT, a.toLong()};
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

// A handle on `x`'s tensor, for the function-only in-place ops that take
// `at::Tensor &` (this handle lives on the caller's stack until the call
// returns; the tensor's values change, no handle does).
struct handle {
  at::Tensor copy;
  explicit handle(const at::Tensor *x) : copy(*x) {}
  operator at::Tensor &() { return copy; }
};

}  // namespace
}  // namespace flodl

using namespace flodl;

extern "C" {

#define FLODL_OP_1(name, expr)                                                 \
  char *flodl_##name(const at::Tensor *x, FlodlScalar a_, at::Tensor **out) {  \
    c10::Scalar a = to_scalar(a_);                                             \
    return guarded(out, [&] { return expr; });                                 \
  }
#define FLODL_OP_2(name, expr)                                                                \
  char *flodl_##name(const at::Tensor *x, FlodlScalar a_, FlodlScalar b_, at::Tensor **out) { \
    c10::Scalar a = to_scalar(a_), b = to_scalar(b_);                                         \
    return guarded(out, [&] { return expr; });                                                \
  }
#define FLODL_OP_3(name, expr)                                                          \
  char *flodl_##name(const at::Tensor *x, FlodlScalar a_, FlodlScalar b_, FlodlScalar c_, \
                     at::Tensor **out) {                                                \
    c10::Scalar a = to_scalar(a_), b = to_scalar(b_), c = to_scalar(c_);                \
    return guarded(out, [&] { return expr; });                                          \
  }
#define FLODL_OP_T(name, expr)                                                          \
  char *flodl_##name(const at::Tensor *x, const at::Tensor *t, FlodlScalar a_,          \
                     at::Tensor **out) {                                                \
    c10::Scalar a = to_scalar(a_);                                                      \
    return guarded(out, [&] { return expr; });                                          \
  }
#define FLODL_OP_TT(name, expr)                                                         \
  char *flodl_##name(const at::Tensor *x, const at::Tensor *t, const at::Tensor *u,     \
                     FlodlScalar a_, at::Tensor **out) {                                \
    c10::Scalar a = to_scalar(a_);                                                      \
    return guarded(out, [&] { return expr; });                                          \
  }
#define FLODL_OP_TT2(name, expr)                                                        \
  char *flodl_##name(const at::Tensor *x, const at::Tensor *t, const at::Tensor *u,     \
                     FlodlScalar a_, FlodlScalar b_, at::Tensor **out) {                \
    c10::Scalar a = to_scalar(a_), b = to_scalar(b_);                                   \
    return guarded(out, [&] { return expr; });                                          \
  }
#include "scalar_ops.def"
#undef FLODL_OP_1
#undef FLODL_OP_2
#undef FLODL_OP_3
#undef FLODL_OP_T
#undef FLODL_OP_TT
#undef FLODL_OP_TT2

// Creation functions with Scalar arguments; `like` is an empty tensor with
// the dtype and device to create with.
// Whether two handles are one tensor (one TensorImpl): a view or a
// detached copy sharing the memory is another tensor. Never throws.
int flodl_is_same(const at::Tensor *a, const at::Tensor *b) { return a->is_same(*b) ? 1 : 0; }

// torch.histogram(x, bins, range, weight, density): the counts and the
// edges joined in one tensor (bins, then bins + 1 values); no range
// (has_range 0): the values' own.
char *flodl_histogram(const at::Tensor *x, int64_t bins, int has_range, double low, double high,
                      const at::Tensor *weight, int density, at::Tensor **out) {
  return guarded(out, [&] {
    std::array<double, 2> bounds{low, high};
    std::optional<at::ArrayRef<double>> range;
    if (has_range) range = at::ArrayRef<double>(bounds);
    std::optional<at::Tensor> w;
    if (weight) w = *weight;
    auto result = at::histogram(*x, bins, range, w, density != 0);
    return at::cat({std::get<0>(result), std::get<1>(result)});
  });
}

// Memory layouts by c10::MemoryFormat's code (0 contiguous, 1 preserve,
// 2 channels_last, 3 channels_last_3d), which flodl's MemoryFormat keeps.
char *flodl_contiguous_format(const at::Tensor *t, int64_t format, at::Tensor **out) {
  return guarded(out, [&] { return t->contiguous(static_cast<c10::MemoryFormat>(format)); });
}

char *flodl_clone_format(const at::Tensor *t, int64_t format, at::Tensor **out) {
  return guarded(out, [&] { return t->clone(static_cast<c10::MemoryFormat>(format)); });
}

char *flodl_is_contiguous_format(const at::Tensor *t, int64_t format, int *contiguous) {
  return guarded_change([&] {
    *contiguous = t->is_contiguous(static_cast<c10::MemoryFormat>(format)) ? 1 : 0;
  });
}

// `torch.empty_like(t, dtype=, device=, memory_format=)`, the dtype and device
// `options`': preserve keeps a dense `t`'s strides, so that `rand_like`
// filled in place draws in `t`'s memory order, as torch's does.
char *flodl_empty_like(const at::Tensor *t, const at::Tensor *options, int64_t format,
                       at::Tensor **out) {
  return guarded(out, [&] {
    return at::empty_like(*t, options->options(), static_cast<c10::MemoryFormat>(format));
  });
}

// The layout `t`'s strides suggest (contiguous where ambiguous, as a
// tensor with one channel), which `t.to(memory_format=)` compares with.
char *flodl_suggest_memory_format(const at::Tensor *t, int64_t *format) {
  return guarded_change([&] { *format = static_cast<int64_t>(t->suggest_memory_format()); });
}

char *flodl_storage_offset(const at::Tensor *t, int64_t *offset) {
  return guarded_change([&] { *offset = t->storage_offset(); });
}

char *flodl_arange(FlodlScalar start, FlodlScalar end, FlodlScalar step, const at::Tensor *like,
                   at::Tensor **out) {
  // Scalars, not doubles: int64 bounds past 2**53 stay exact.
  return guarded(out, [&] {
    return at::arange(to_scalar(start), to_scalar(end), to_scalar(step), like->options());
  });
}

char *flodl_linspace(double start, double end, int64_t steps, const at::Tensor *like,
                     at::Tensor **out) {
  return guarded(out, [&] { return at::linspace(start, end, steps, like->options()); });
}

// torch.normal's tensor forms, at::normal itself (so the draws are torch's
// to the last bit): a null `mean` or `std` stands for its number.
char *flodl_normal(const at::Tensor *mean, double mean_value, const at::Tensor *std,
                   double std_value, at::Tensor **out) {
  return guarded(out, [&] {
    if (mean != nullptr && std != nullptr) return at::normal(*mean, *std);
    if (mean != nullptr) return at::normal(*mean, std_value);
    if (std != nullptr) return at::normal(mean_value, *std);
    throw c10::ValueError({__func__, __FILE__, static_cast<uint32_t>(__LINE__)},
                          "normal: a tensor mean or std is needed here");
  });
}

// at::multi_margin_loss (tch wraps only its backward); a null `weight` is none.
char *flodl_multi_margin_loss(const at::Tensor *x, const at::Tensor *target, int64_t p,
                              double margin, const at::Tensor *weight, int64_t reduction,
                              at::Tensor **out) {
  return guarded(out, [&] {
    return at::multi_margin_loss(*x, *target, p, margin,
                                 weight ? c10::optional<at::Tensor>(*weight) : c10::nullopt,
                                 reduction);
  });
}

// c10::promoteTypes of two ScalarType codes: the code, or -1 for none.
int flodl_promote_types(int a, int b) {
  try {
    return static_cast<int>(
        c10::promoteTypes(static_cast<c10::ScalarType>(a), static_cast<c10::ScalarType>(b)));
  } catch (...) {
    return -1;
  }
}

// at::result_type of two operands; a `*_number` operand is a Python number
// (a 0-dim tensor made for this call, marked as a wrapped number so it
// promotes as one).
char *flodl_result_type(const at::Tensor *a, int a_number, const at::Tensor *b, int b_number,
                        int *out) {
  return guarded_change([&] {
    at::Tensor x = *a, y = *b;
    if (a_number != 0) x.unsafeGetTensorImpl()->set_wrapped_number(true);
    if (b_number != 0) y.unsafeGetTensorImpl()->set_wrapped_number(true);
    *out = static_cast<int>(at::result_type(x, y));
  });
}

char *flodl_clone(const at::Tensor *x, at::Tensor **out) {
  return guarded(out, [&] { return x->clone(); });
}

char *flodl_var_std(const at::Tensor *x, double correction, const int64_t *dim, size_t ndims,
                    int has_dim, int keepdim, int std, at::Tensor **out) {
  return guarded(out, [&] {
    at::OptionalIntArrayRef dims =
        has_dim ? at::OptionalIntArrayRef(at::IntArrayRef(dim, ndims)) : at::OptionalIntArrayRef();
    c10::Scalar c(correction);
    return std ? at::std(*x, dims, c, keepdim != 0) : at::var(*x, dims, c, keepdim != 0);
  });
}

char *flodl_vector_norm(const at::Tensor *x, double p, const int64_t *dim, size_t ndims,
                        int has_dim, int keepdim, at::Tensor **out) {
  return guarded(out, [&] {
    at::OptionalIntArrayRef dims =
        has_dim ? at::OptionalIntArrayRef(at::IntArrayRef(dim, ndims)) : at::OptionalIntArrayRef();
    return at::linalg_vector_norm(*x, p, dims, keepdim != 0);
  });
}

char *flodl_pad_packed_sequence(const at::Tensor *data, const at::Tensor *batch_sizes,
                                int batch_first, double padding_value, int64_t total_length,
                                at::Tensor **out) {
  return guarded(out, [&] {
    return std::get<0>(at::_pad_packed_sequence(*data, *batch_sizes, batch_first != 0,
                                                padding_value, total_length));
  });
}

char *flodl_matrix_norm(const at::Tensor *x, double ord, const char *ord_name,
                        const int64_t *dim, size_t ndims, int keepdim, at::Tensor **out) {
  return guarded(out, [&] {
    at::IntArrayRef dims(dim, ndims);
    return ord_name ? at::linalg_matrix_norm(*x, std::string(ord_name), dims, keepdim != 0)
                    : at::linalg_matrix_norm(*x, c10::Scalar(ord), dims, keepdim != 0);
  });
}

char *flodl_gru(const at::Tensor *input, const at::Tensor *hx, at::Tensor *const *params,
                int n_params, int has_biases, int64_t num_layers, double dropout, int train,
                int bidirectional, int batch_first, at::Tensor **output, at::Tensor **h_n) {
  at::Tensor last;
  *output = nullptr;
  *h_n = nullptr;
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

}  // extern "C"
