// What the shim's sources share: flodl.h's error convention on the C++
// side (`guarded` turns any exception into a failure), and small helpers.
#pragma once

#include "flodl.h"

#include <ATen/core/Tensor.h>
#include <c10/util/Exception.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <vector>

namespace flodl {

// The failure for when even a failure cannot be allocated: static, so
// flodl_free_message leaves it alone (runtime.cpp).
char *out_of_memory_failure();

// A failure as flodl.h describes it: '0' + kind, then `text`, malloc'd.
// The text never has a C++ backtrace, which is never built (runtime.cpp).
inline char *failure(FlodlErrorKind kind, const char *text) {
  size_t n = std::strlen(text);
  char *out = static_cast<char *>(std::malloc(n + 2));
  if (out == nullptr) return out_of_memory_failure();
  out[0] = static_cast<char>('0' + kind);
  std::memcpy(out + 1, text, n + 1);
  return out;
}

// A flodl error carried through libtorch as text (see flodl.h): thrown as
// a c10::Error's message, read back whole by error.rs.
inline std::string carried(FlodlErrorKind kind, const std::string &message) {
  return "\x01" "flodl:" + std::to_string(static_cast<int>(kind)) + ":" + message + "\x02";
}

// Runs `make`, storing the new tensor in *out. Returns null on success, or
// the failure, its kind from the exception's type.
template <class Make>
char *guarded(at::Tensor **out, Make make) {
  try {
    *out = new at::Tensor(make());
    return nullptr;
  } catch (const c10::IndexError &e) {
    return failure(FLODL_ERROR_INDEX, e.what_without_backtrace());
  } catch (const c10::ValueError &e) {
    return failure(FLODL_ERROR_ARGUMENT, e.what_without_backtrace());
  } catch (const c10::TypeError &e) {
    return failure(FLODL_ERROR_DTYPE, e.what_without_backtrace());
  } catch (const c10::NotImplementedError &e) {
    return failure(FLODL_ERROR_DTYPE, e.what_without_backtrace());
  } catch (const c10::OutOfMemoryError &e) {
    return failure(FLODL_ERROR_OUT_OF_MEMORY, e.what_without_backtrace());
  } catch (const c10::LinAlgError &e) {
    return failure(FLODL_ERROR_LINALG, e.what_without_backtrace());
  } catch (const c10::Error &e) {
    return failure(FLODL_ERROR_UNSORTED, e.what_without_backtrace());
  } catch (const std::bad_alloc &) {
    return failure(FLODL_ERROR_OUT_OF_MEMORY, "cannot allocate memory");
  } catch (const std::exception &e) {
    return failure(FLODL_ERROR_UNSORTED, e.what());
  } catch (...) {
    return failure(FLODL_ERROR_UNSORTED, "unknown C++ exception");
  }
}

// `guarded` for a call that makes no tensor (a change in place, or results
// stored by `change` itself): null on success, else the failure.
template <class Change>
char *guarded_change(Change change) {
  at::Tensor *unused = nullptr;
  char *message = guarded(&unused, [&] {
    change();
    return at::Tensor();
  });
  delete unused;  // an undefined tensor, or null when `change` threw
  return message;
}

// Throws the message a Rust callback returned (null: none), freeing it.
inline void throw_if_failed(char *message) {
  if (message == nullptr) return;
  std::string text(message);
  std::free(message);
  TORCH_CHECK(false, text);
}

// A C array of tensor pointers (null: an undefined tensor) as a vector.
inline std::vector<at::Tensor> tensors_of(at::Tensor *const *items, int n) {
  std::vector<at::Tensor> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) out.push_back(items[i] == nullptr ? at::Tensor() : *items[i]);
  return out;
}

}  // namespace flodl
