// The CUDA device beyond kernels: CUDA graphs (libtorch's at::cuda::CUDAGraph,
// captured on a side stream as torch.cuda.graph does), side-stream regions
// for warm-ups, the caching allocator's statistics and device properties.
// Built with CUDA's headers where the torch wheel has CUDA (build.rs defines
// FLODL_WITH_CUDA); elsewhere each function fails with a Device error.
#include "common.h"

#ifdef FLODL_WITH_CUDA
// Only functions libtorch_cuda and libc10_cuda export, and c10's
// device-generic guards and events: no CUDA runtime call is compiled here,
// so nothing links against libcudart directly.
#include <ATen/cuda/CUDAGraph.h>
#include <c10/core/DeviceGuard.h>
#include <c10/core/Event.h>
#include <c10/core/StreamGuard.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAStream.h>

#include <ATen/Context.h>

#include <map>
#include <mutex>
#include <optional>
#include <thread>

// libtorch_cuda's, as ATen/cuda/CUDAContextLight.h declares it: that header
// also pulls in cuBLAS and cuSPARSE, whose headers need CUDA's C++ library
// headers, which the wheels do not ship.
namespace at::cuda {
cudaDeviceProp *getDeviceProperties(c10::DeviceIndex device);
}

struct FlodlCudaGraph {
  at::cuda::CUDAGraph graph;
  c10::DeviceIndex device;
  // Between capture_begin and capture_end: the capture stream made current
  // (the guard restores the caller's stream and device), the thread that
  // captures (c10's current stream is per thread) and the memory pool.
  std::optional<c10::StreamGuard> capturing;
  std::thread::id capturing_thread;
  c10::MempoolId_t pool{0, 0};
  explicit FlodlCudaGraph(c10::DeviceIndex d) : device(d) {}
};

struct FlodlCudaEvent {
  c10::Event event;
  explicit FlodlCudaEvent(bool timing)
      : event(c10::DeviceType::CUDA,
              timing ? c10::EventFlag::BACKEND_DEFAULT : c10::EventFlag::PYTORCH_DEFAULT) {}
};

struct FlodlCudaStreamRegion {
  c10::Stream previous;
  c10::Stream side;
  std::optional<c10::StreamGuard> guard;
  FlodlCudaStreamRegion(c10::Stream p, c10::Stream s) : previous(p), side(s) {}
};
#else
struct FlodlCudaGraph {};
struct FlodlCudaStreamRegion {};
struct FlodlCudaEvent {};
#endif

namespace flodl {
namespace {

[[noreturn]] void fail_device(const std::string &message) {
  throw std::runtime_error(carried(FLODL_ERROR_DEVICE, message));
}

#ifdef FLODL_WITH_CUDA
c10::DeviceIndex cuda_device(int device) {
  int count = static_cast<int>(c10::cuda::device_count());
  if (count == 0) fail_device("no CUDA device is available");
  if (device < 0 || device >= count) {
    fail_device("cuda:" + std::to_string(device) + " does not exist (" + std::to_string(count) +
                " CUDA devices)");
  }
  // The allocator's statistics and a capture before any CUDA tensor need
  // CUDA initialised, as torch.cuda's calls do it.
  at::globalContext().lazyInitDevice(c10::DeviceType::CUDA);
  return static_cast<c10::DeviceIndex>(device);
}

// One side stream per device for warm-ups and captures, as PyTorch's
// default capture stream: the warm-up, a forward capture and a backward
// capture then share one stream (and its cuBLAS workspace).
c10::Stream capture_stream(c10::DeviceIndex device) {
  static std::mutex mutex;
  static std::map<c10::DeviceIndex, c10::Stream> streams;
  std::lock_guard<std::mutex> lock(mutex);
  auto found = streams.find(device);
  if (found == streams.end()) {
    found = streams.emplace(device, c10::cuda::getStreamFromPool(false, device).unwrap()).first;
  }
  return found->second;
}

// Ends `graph`'s capture: on the capture stream of its device whatever is
// current now (capture_end checks it), then the caller's stream back. A
// failed capture also gives its pool back to the allocator, which libtorch
// 2.13 leaves allocating to it when cudaStreamEndCapture fails.
void end_capture(FlodlCudaGraph *graph) {
  if (std::this_thread::get_id() != graph->capturing_thread) {
    fail_device("a CUDA graph capture must end on the thread that began it");
  }
  try {
    c10::DeviceGuard device_guard(c10::Device(c10::DeviceType::CUDA, graph->device));
    c10::cuda::setCurrentCUDAStream(c10::cuda::CUDAStream(capture_stream(graph->device)));
    graph->graph.capture_end();
  } catch (...) {
    c10::cuda::CUDACachingAllocator::endAllocateToPool(graph->device, graph->pool);
    c10::cuda::CUDACachingAllocator::releasePool(graph->device, graph->pool);
    graph->capturing.reset();
    throw;
  }
  graph->capturing.reset();
}

c10::Stream stream_of(const FlodlStream *s) {
  return c10::Stream::unpack3(s->id, static_cast<c10::DeviceIndex>(s->device_index),
                              c10::DeviceType::CUDA);
}

FlodlStream packed(const c10::Stream &stream) {
  FlodlStream out;
  out.id = stream.id();
  out.device_index = stream.device_index();
  out.reserved = 0;
  return out;
}

// An event recorded on `from`, waited for by `to`.
void order(const c10::Stream &from, const c10::Stream &to) {
  c10::Event event(c10::DeviceType::CUDA);
  event.record(from);
  event.block(to);
}
#else
[[noreturn]] void no_cuda() { fail_device("this flodl was built against a torch without CUDA"); }
#endif

}  // namespace
}  // namespace flodl

using namespace flodl;

extern "C" {

#ifdef FLODL_WITH_CUDA

char *flodl_cuda_graph_new(int device, FlodlCudaGraph **out) {
  return guarded_change([&] { *out = new FlodlCudaGraph(cuda_device(device)); });
}

void flodl_cuda_graph_free(FlodlCudaGraph *graph) {
  if (graph == nullptr) return;
  // A graph dropped mid-capture (a panic in the captured code): the
  // capture is ended first, or every later CUDA call would fail.
  if (graph->capturing && std::this_thread::get_id() == graph->capturing_thread) {
    try {
      end_capture(graph);
    } catch (...) {
    }
  }
  graph->capturing.reset();
  delete graph;
}

// As torch.cuda.graph's __enter__: the capture stream made current, the
// device synchronized and the cache emptied, then capture into `pool`
// ({0, 0}: a pool of the graph's own, named here so that a failed capture
// can give it back).
char *flodl_cuda_graph_capture_begin(FlodlCudaGraph *graph, uint64_t pool_a, uint64_t pool_b) {
  return guarded_change([&] {
    if (graph->capturing) fail_device("this CUDA graph is capturing already");
    c10::MempoolId_t pool{pool_a, pool_b};
    if (pool_a == 0 && pool_b == 0) pool = at::cuda::graph_pool_handle();
    graph->capturing.emplace(capture_stream(graph->device));
    graph->capturing_thread = std::this_thread::get_id();
    graph->pool = pool;
    try {
      c10::cuda::device_synchronize();
      c10::cuda::CUDACachingAllocator::emptyCache();
      graph->graph.capture_begin(pool);
    } catch (...) {
      graph->capturing.reset();
      throw;
    }
  });
}

// Ends the capture (also after a failure inside it, whose own error the
// caller reports) and restores the stream that was current.
char *flodl_cuda_graph_capture_end(FlodlCudaGraph *graph) {
  return guarded_change([&] {
    if (!graph->capturing) fail_device("this CUDA graph is not capturing");
    end_capture(graph);
  });
}

char *flodl_cuda_graph_replay(FlodlCudaGraph *graph) {
  return guarded_change([&] { graph->graph.replay(); });
}

char *flodl_cuda_graph_reset(FlodlCudaGraph *graph) {
  return guarded_change([&] { graph->graph.reset(); });
}

char *flodl_cuda_graph_pool(FlodlCudaGraph *graph, uint64_t *pool) {
  return guarded_change([&] {
    auto id = graph->graph.pool();
    pool[0] = id.first;
    pool[1] = id.second;
  });
}

char *flodl_cuda_graph_pool_handle(uint64_t *pool) {
  return guarded_change([&] {
    cuda_device(0);  // a Device error without CUDA, as every call here
    auto id = at::cuda::graph_pool_handle();
    pool[0] = id.first;
    pool[1] = id.second;
  });
}

// A region where the device's capture stream is current, ordered after
// the work queued so far; leaving it orders the previous stream after it.
char *flodl_cuda_side_stream_enter(int device, FlodlCudaStreamRegion **out) {
  return guarded_change([&] {
    c10::DeviceIndex index = cuda_device(device);
    auto region = std::make_unique<FlodlCudaStreamRegion>(
        c10::cuda::getCurrentCUDAStream(index).unwrap(), capture_stream(index));
    order(region->previous, region->side);
    region->guard.emplace(region->side);
    *out = region.release();
  });
}

char *flodl_cuda_side_stream_exit(FlodlCudaStreamRegion *region) {
  std::unique_ptr<FlodlCudaStreamRegion> owned(region);
  return guarded_change([&] {
    owned->guard.reset();
    order(owned->side, owned->previous);
  });
}

// The caching allocator's byte counts of `device`: allocated (current,
// peak), reserved (current, peak).
char *flodl_cuda_memory_stats(int device, int64_t *stats) {
  return guarded_change([&] {
    auto all = c10::CachingAllocator::StatType::AGGREGATE;
    auto s = c10::cuda::CUDACachingAllocator::getDeviceStats(cuda_device(device));
    auto at = static_cast<size_t>(all);
    stats[0] = s.allocated_bytes[at].current;
    stats[1] = s.allocated_bytes[at].peak;
    stats[2] = s.reserved_bytes[at].current;
    stats[3] = s.reserved_bytes[at].peak;
  });
}

char *flodl_cuda_reset_peak_memory_stats(int device) {
  return guarded_change(
      [&] { c10::cuda::CUDACachingAllocator::resetPeakStats(cuda_device(device)); });
}

char *flodl_cuda_empty_cache(void) {
  return guarded_change([&] {
    if (c10::cuda::device_count() > 0) c10::cuda::CUDACachingAllocator::emptyCache();
  });
}

char *flodl_cuda_device_properties(int device, FlodlCudaProperties *out, char **name) {
  return guarded_change([&] {
    cudaDeviceProp *p = at::cuda::getDeviceProperties(cuda_device(device));
    out->total_memory = static_cast<int64_t>(p->totalGlobalMem);
    out->major = p->major;
    out->minor = p->minor;
    out->multi_processor_count = p->multiProcessorCount;
    *name = strdup(p->name);
    if (*name == nullptr) throw std::bad_alloc();
  });
}

char *flodl_cuda_stream_new(int device, int priority, FlodlStream *out) {
  return guarded_change(
      [&] { *out = packed(c10::cuda::getStreamFromPool(priority, cuda_device(device)).unwrap()); });
}

char *flodl_cuda_current_stream(int device, FlodlStream *out) {
  return guarded_change(
      [&] { *out = packed(c10::cuda::getCurrentCUDAStream(cuda_device(device)).unwrap()); });
}

char *flodl_cuda_set_current_stream(const FlodlStream *stream) {
  return guarded_change([&] {
    cuda_device(stream->device_index);
    c10::cuda::setCurrentCUDAStream(c10::cuda::CUDAStream(stream_of(stream)));
  });
}

char *flodl_cuda_stream_synchronize(const FlodlStream *stream) {
  return guarded_change([&] { stream_of(stream).synchronize(); });
}

char *flodl_cuda_stream_query(const FlodlStream *stream, int *done) {
  return guarded_change([&] { *done = stream_of(stream).query() ? 1 : 0; });
}

char *flodl_cuda_event_new(int enable_timing, FlodlCudaEvent **out) {
  return guarded_change([&] {
    if (c10::cuda::device_count() == 0) fail_device("no CUDA device is available");
    *out = new FlodlCudaEvent(enable_timing != 0);
  });
}

void flodl_cuda_event_free(FlodlCudaEvent *event) { delete event; }

char *flodl_cuda_event_record(FlodlCudaEvent *event, const FlodlStream *stream) {
  return guarded_change([&] { event->event.record(stream_of(stream)); });
}

char *flodl_cuda_event_block(FlodlCudaEvent *event, const FlodlStream *stream) {
  return guarded_change([&] { event->event.block(stream_of(stream)); });
}

char *flodl_cuda_event_synchronize(FlodlCudaEvent *event) {
  return guarded_change([&] { event->event.synchronize(); });
}

char *flodl_cuda_event_query(FlodlCudaEvent *event, int *done) {
  return guarded_change([&] { *done = event->event.query() ? 1 : 0; });
}

char *flodl_cuda_event_elapsed_time(FlodlCudaEvent *start, FlodlCudaEvent *end, double *ms) {
  return guarded_change([&] { *ms = start->event.elapsedTime(end->event); });
}

#else  // no CUDA in this torch: every call is a Device error

char *flodl_cuda_graph_new(int, FlodlCudaGraph **) { return guarded_change([] { no_cuda(); }); }
void flodl_cuda_graph_free(FlodlCudaGraph *) {}
char *flodl_cuda_graph_capture_begin(FlodlCudaGraph *, uint64_t, uint64_t) {
  return guarded_change([] { no_cuda(); });
}
char *flodl_cuda_graph_capture_end(FlodlCudaGraph *) { return guarded_change([] { no_cuda(); }); }
char *flodl_cuda_graph_replay(FlodlCudaGraph *) { return guarded_change([] { no_cuda(); }); }
char *flodl_cuda_graph_reset(FlodlCudaGraph *) { return guarded_change([] { no_cuda(); }); }
char *flodl_cuda_graph_pool(FlodlCudaGraph *, uint64_t *) { return guarded_change([] { no_cuda(); }); }
char *flodl_cuda_graph_pool_handle(uint64_t *) { return guarded_change([] { no_cuda(); }); }
char *flodl_cuda_side_stream_enter(int, FlodlCudaStreamRegion **) {
  return guarded_change([] { no_cuda(); });
}
char *flodl_cuda_side_stream_exit(FlodlCudaStreamRegion *) { return nullptr; }
char *flodl_cuda_memory_stats(int, int64_t *) { return guarded_change([] { no_cuda(); }); }
char *flodl_cuda_reset_peak_memory_stats(int) { return guarded_change([] { no_cuda(); }); }
char *flodl_cuda_empty_cache(void) { return nullptr; }
char *flodl_cuda_device_properties(int, FlodlCudaProperties *, char **) {
  return guarded_change([] { no_cuda(); });
}
char *flodl_cuda_stream_new(int, int, FlodlStream *) { return guarded_change([] { no_cuda(); }); }
char *flodl_cuda_current_stream(int, FlodlStream *) { return guarded_change([] { no_cuda(); }); }
char *flodl_cuda_set_current_stream(const FlodlStream *) {
  return guarded_change([] { no_cuda(); });
}
char *flodl_cuda_stream_synchronize(const FlodlStream *) {
  return guarded_change([] { no_cuda(); });
}
char *flodl_cuda_stream_query(const FlodlStream *, int *) {
  return guarded_change([] { no_cuda(); });
}
char *flodl_cuda_event_new(int, FlodlCudaEvent **) { return guarded_change([] { no_cuda(); }); }
void flodl_cuda_event_free(FlodlCudaEvent *) {}
char *flodl_cuda_event_record(FlodlCudaEvent *, const FlodlStream *) {
  return guarded_change([] { no_cuda(); });
}
char *flodl_cuda_event_block(FlodlCudaEvent *, const FlodlStream *) {
  return guarded_change([] { no_cuda(); });
}
char *flodl_cuda_event_synchronize(FlodlCudaEvent *) { return guarded_change([] { no_cuda(); }); }
char *flodl_cuda_event_query(FlodlCudaEvent *, int *) { return guarded_change([] { no_cuda(); }); }
char *flodl_cuda_event_elapsed_time(FlodlCudaEvent *, FlodlCudaEvent *, double *) {
  return guarded_change([] { no_cuda(); });
}

#endif

}  // extern "C"
