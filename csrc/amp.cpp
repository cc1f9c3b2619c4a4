// Mixed precision on libtorch's own machinery: autocast's per-thread state
// (the dispatcher's Autocast keys do the casting) and GradScaler's two
// kernels, the non-finite check with unscaling and the scale update.
#include "common.h"

#include <ATen/Functions.h>
#include <ATen/autocast_mode.h>

namespace flodl {
namespace {

c10::DeviceType autocast_device(int device_type) {
  switch (device_type) {
    case FLODL_DEVICE_CPU:
      return c10::DeviceType::CPU;
    case FLODL_DEVICE_CUDA:
      return c10::DeviceType::CUDA;
    default:
      throw c10::ValueError({__func__, __FILE__, static_cast<uint32_t>(__LINE__)},
                            "autocast: unknown device type");
  }
}

FlodlAutocastState state_of(c10::DeviceType device) {
  FlodlAutocastState state;
  state.enabled = at::autocast::is_autocast_enabled(device) ? 1 : 0;
  state.dtype = static_cast<int32_t>(at::autocast::get_autocast_dtype(device));
  state.cache_enabled = at::autocast::is_autocast_cache_enabled() ? 1 : 0;
  return state;
}

}  // namespace
}  // namespace flodl

using namespace flodl;

extern "C" {

char *flodl_autocast_state(int device_type, FlodlAutocastState *out) {
  return guarded_change([&] { *out = state_of(autocast_device(device_type)); });
}

// As torch.autocast's __enter__: the previous state out, the new one set,
// one nesting level more.
char *flodl_autocast_enter(int device_type, const FlodlAutocastState *state,
                           FlodlAutocastState *previous) {
  return guarded_change([&] {
    c10::DeviceType device = autocast_device(device_type);
    *previous = state_of(device);
    at::autocast::set_autocast_enabled(device, state->enabled != 0);
    at::autocast::set_autocast_dtype(device, static_cast<at::ScalarType>(state->dtype));
    at::autocast::increment_nesting();
    at::autocast::set_autocast_cache_enabled(state->cache_enabled != 0);
  });
}

// As its __exit__: the cast weights are forgotten when the outermost
// region ends, and the previous state comes back.
char *flodl_autocast_exit(int device_type, const FlodlAutocastState *previous) {
  return guarded_change([&] {
    c10::DeviceType device = autocast_device(device_type);
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    at::autocast::set_autocast_enabled(device, previous->enabled != 0);
    at::autocast::set_autocast_dtype(device, static_cast<at::ScalarType>(previous->dtype));
    at::autocast::set_autocast_cache_enabled(previous->cache_enabled != 0);
  });
}

char *flodl_amp_unscale(FlodlTensor *const *grads, int n, FlodlTensor *found_inf,
                        const FlodlTensor *inv_scale) {
  return guarded_change([&] {
    std::vector<at::Tensor> gs = tensors_of(grads, n);
    at::_amp_foreach_non_finite_check_and_unscale_(gs, *found_inf, *inv_scale);
  });
}

char *flodl_amp_update_scale(FlodlTensor *scale, FlodlTensor *growth_tracker,
                             const FlodlTensor *found_inf, double growth_factor,
                             double backoff_factor, int64_t growth_interval) {
  return guarded_change([&] {
    at::_amp_update_scale_(*scale, *growth_tracker, *found_inf, growth_factor, backoff_factor,
                           growth_interval);
  });
}

}  // extern "C"
