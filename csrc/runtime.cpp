// The shim's runtime: its messages, libtorch's warnings and backtraces,
// and the random generators' state.
#include "common.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <c10/core/DefaultDtype.h>
#include <c10/core/ScalarType.h>
#include <c10/util/Logging.h>

#include <atomic>
#include <mutex>
#include <variant>

namespace flodl {

char *out_of_memory_failure() {
  static char text[] = "?cannot allocate memory";
  static char *message = [] {
    text[0] = static_cast<char>('0' + FLODL_ERROR_OUT_OF_MEMORY);
    return text;
  }();
  return message;
}

namespace {

// libtorch records a C++ backtrace in every c10::Error and symbolises it
// when the message is read, which tch's wrappers do: about 4 ms per failed
// call, for frames flodl drops anyway. An empty fetcher makes a failure
// cost microseconds. Runs when the library loads; TORCH_SHOW_CPP_STACKTRACES=1
// keeps libtorch's backtraces for whoever debugs libtorch itself.
[[maybe_unused]] const bool quiet_backtraces = [] {
  const char *show = std::getenv("TORCH_SHOW_CPP_STACKTRACES");
  if (show == nullptr || std::strcmp(show, "1") != 0) {
    c10::SetStackTraceFetcher([]() -> std::string { return std::string(); });
  }
  return true;
}();

// libtorch's warnings go to flodl's callback (Python's `warnings`, or
// Rust's `log`) instead of raw stderr lines. c10 keeps the handler per
// thread, so each thread that runs flodl ops installs it once.
std::atomic<flodl_warning_fn> warning_callback{nullptr};

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
FlodlWarningHandler warning_handler;

// The default random generator of the CPU (cuda_index < 0) or of a CUDA
// device, whose state checkpoint saves and restores.
at::Generator default_generator(int cuda_index) {
  if (cuda_index < 0) return at::globalContext().defaultGenerator(c10::Device(c10::kCPU));
  return at::globalContext().defaultGenerator(
      c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(cuda_index)));
}

}  // namespace
}  // namespace flodl

using namespace flodl;

extern "C" {

void flodl_free_message(char *message) {
  if (message != out_of_memory_failure()) std::free(message);
}

void flodl_set_warning_callback(flodl_warning_fn callback) { warning_callback.store(callback); }

void flodl_use_warning_handler() {
  if (c10::WarningUtils::get_warning_handler() != &warning_handler) {
    c10::WarningUtils::set_warning_handler(&warning_handler);
  }
}

char *flodl_warn(const char *message) {
  return guarded_change([&] {
    c10::warn(c10::Warning(c10::UserWarning(), c10::SourceLocation{__func__, __FILE__, __LINE__},
                           std::string(message), true));
  });
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

void flodl_context_flags(FlodlContextFlags *out) {
  const at::Context &ctx = at::globalContext();
  out->deterministic_algorithms = ctx.deterministicAlgorithms() ? 1 : 0;
  out->deterministic_warn_only = ctx.deterministicAlgorithmsWarnOnly() ? 1 : 0;
  out->deterministic_cudnn = ctx.deterministicCuDNN() ? 1 : 0;
  out->allow_tf32_cublas = ctx.allowTF32CuBLAS() ? 1 : 0;
  out->allow_tf32_cudnn = ctx.allowTF32CuDNN() ? 1 : 0;
  out->float32_matmul_precision = static_cast<int>(ctx.float32MatmulPrecision());
  out->sdp_math = ctx.userEnabledMathSDP() ? 1 : 0;
  out->sdp_flash = ctx.userEnabledFlashSDP() ? 1 : 0;
  out->sdp_mem_efficient = ctx.userEnabledMemEfficientSDP() ? 1 : 0;
  out->sdp_cudnn = ctx.userEnabledCuDNNSDP() ? 1 : 0;
}

char *flodl_set_context_flags(const FlodlContextFlags *flags, const char *precision) {
  return guarded_change([&] {
    at::Context &ctx = at::globalContext();
    ctx.setDeterministicAlgorithms(flags->deterministic_algorithms != 0,
                                   flags->deterministic_warn_only != 0);
    ctx.setDeterministicCuDNN(flags->deterministic_cudnn != 0);
    ctx.setAllowTF32CuBLAS(flags->allow_tf32_cublas != 0);
    ctx.setAllowTF32CuDNN(flags->allow_tf32_cudnn != 0);
    ctx.setSDPUseMath(flags->sdp_math != 0);
    ctx.setSDPUseFlash(flags->sdp_flash != 0);
    ctx.setSDPUseMemEfficient(flags->sdp_mem_efficient != 0);
    ctx.setSDPUseCuDNN(flags->sdp_cudnn != 0);
    if (precision != nullptr) ctx.setFloat32MatmulPrecision(precision);
  });
}

int flodl_default_dtype(void) {
  return static_cast<int>(c10::typeMetaToScalarType(c10::get_default_dtype()));
}

char *flodl_set_default_dtype(int code) {
  return guarded_change([&] {
    c10::set_default_dtype(c10::scalarTypeToTypeMeta(static_cast<c10::ScalarType>(code)));
  });
}

// libtorch refuses (an error, not a crash) once inter-op work has started.
char *flodl_set_num_interop_threads(int threads) {
  return guarded_change([&] { at::set_num_interop_threads(threads); });
}

int flodl_get_num_interop_threads(void) { return at::get_num_interop_threads(); }

}  // extern "C"
