// The C ABI of flodl's C++ shim: every function src/ffi/ calls, the structs
// and enums both sides share, and the one error convention. The shim's
// sources (ops.cpp, autograd.cpp, optim.cpp, amp.cpp, cuda.cpp, interop.cpp,
// runtime.cpp)
// define what is declared here; a definition that differs from its
// declaration does not compile (extern "C" functions cannot overload).
//
// Rust mirrors this file by hand in src/ffi/, except the enum constants:
// build.rs reads every `FLODL_<NAME> = <number>,` line below into
// `crate::ffi::abi`, so each code is written once, here.
//
// Errors. Every function that can fail returns `char *`: null on success,
// else a failure, malloc'd (Rust frees it with flodl_free_message), whose
// first byte is '0' + a FlodlErrorKind (the kind the C++ exception's type
// implies, or FLODL_ERROR_UNSORTED) and whose rest is the message. Results
// come back through out-parameters. A flodl error that travels through
// libtorch's engine (raised by a Rust hook, or by the anomaly check)
// crosses as text inside a C++ exception's message, "\x01flodl:" + the
// kind's number + ":" + message + "\x02" (error.rs's CARRIED, read back
// whole). The few functions that return something else cannot fail; each
// says why. Callbacks into Rust follow the same rule: null, or a malloc'd
// message that C++ frees and throws.
#ifndef FLODL_H
#define FLODL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
namespace at {
class Tensor;
}
// A tensor handle: a `new at::Tensor`, what a tch::Tensor owns.
typedef at::Tensor FlodlTensor;
#define FLODL_STATIC_ASSERT static_assert
extern "C" {
#else
typedef struct FlodlTensor FlodlTensor;
#define FLODL_STATIC_ASSERT _Static_assert
#endif

// ----- codes (each line `FLODL_<NAME> = <number>,` is read by build.rs) -----

// The kinds of error, numbered as src/error.rs's CARRIED_KINDS (which
// checks this order at compile time).
typedef enum FlodlErrorKind {
  FLODL_ERROR_SHAPE = 0,
  FLODL_ERROR_DTYPE = 1,
  FLODL_ERROR_DEVICE = 2,
  FLODL_ERROR_INDEX = 3,
  FLODL_ERROR_AUTOGRAD = 4,
  FLODL_ERROR_ARGUMENT = 5,
  FLODL_ERROR_OUT_OF_MEMORY = 6,
  FLODL_ERROR_TORCH = 7,
  FLODL_ERROR_LINALG = 8,
  // A c10::Error of no telling type: Rust sorts it by its message.
  FLODL_ERROR_UNSORTED = 9,
} FlodlErrorKind;

// The tag of a FlodlScalar.
typedef enum FlodlScalarTag {
  FLODL_SCALAR_BOOL = 0,
  FLODL_SCALAR_INT = 1,
  FLODL_SCALAR_FLOAT = 2,
  FLODL_SCALAR_COMPLEX = 3,
} FlodlScalarTag;

// The update rules of flodl_optim_step.
typedef enum FlodlOptimMethod {
  FLODL_OPTIM_SGD = 0,
  FLODL_OPTIM_ADAM = 1,
  FLODL_OPTIM_ADAGRAD = 2,
  FLODL_OPTIM_RMSPROP = 3,
  FLODL_OPTIM_ADADELTA = 4,
  FLODL_OPTIM_ADAMAX = 5,
  FLODL_OPTIM_RADAM = 6,
  FLODL_OPTIM_NADAM = 7,
  FLODL_OPTIM_RPROP = 8,
  FLODL_OPTIM_ASGD = 9,
} FlodlOptimMethod;

// The device types autocast keeps a state for.
typedef enum FlodlDeviceType {
  FLODL_DEVICE_CPU = 0,
  FLODL_DEVICE_CUDA = 1,
} FlodlDeviceType;

// ----- mirrored structs (src/ffi/ asserts the same sizes and offsets) -----

// A number, typed as Python's are, so that type promotion is PyTorch's
// (int64 tensor + 1 stays int64). `tag` is a FlodlScalarTag; bool and int
// are in `i`, float in `d`, complex in `d` (real part) and `im`.
typedef struct FlodlScalar {
  int32_t tag;
  int64_t i;
  double d;
  double im;
} FlodlScalar;
FLODL_STATIC_ASSERT(sizeof(FlodlScalar) == 32, "FlodlScalar is mirrored in src/ffi/ops.rs");
FLODL_STATIC_ASSERT(offsetof(FlodlScalar, i) == 8, "FlodlScalar is mirrored in src/ffi/ops.rs");
FLODL_STATIC_ASSERT(offsetof(FlodlScalar, d) == 16, "FlodlScalar is mirrored in src/ffi/ops.rs");
FLODL_STATIC_ASSERT(offsetof(FlodlScalar, im) == 24, "FlodlScalar is mirrored in src/ffi/ops.rs");

// The hyperparameters of one optimizer update; each method reads its own.
typedef struct FlodlOptimHyper {
  double lr, momentum, dampening, weight_decay, beta1, beta2, eps, alpha, lr_decay, rho,
      momentum_decay, etaminus, etaplus, step_size_min, step_size_max, lambd, t0;
  int32_t nesterov, maximize, amsgrad, decoupled, centered, is_first_step;
  // SGD, Adam and Adagrad: 1 runs libtorch's fused kernel, -1 torch's
  // single-tensor rule (torch.optim's default numbers), 0 picks the fused
  // kernel on CUDA and the single-tensor rule elsewhere.
  int32_t fused;
} FlodlOptimHyper;
// (Padded to a multiple of 8 bytes.)
FLODL_STATIC_ASSERT(sizeof(FlodlOptimHyper) == 17 * 8 + 8 * 4,
                    "FlodlOptimHyper is mirrored in src/ffi/optim.rs");
FLODL_STATIC_ASSERT(offsetof(FlodlOptimHyper, t0) == 16 * 8,
                    "FlodlOptimHyper is mirrored in src/ffi/optim.rs");
FLODL_STATIC_ASSERT(offsetof(FlodlOptimHyper, nesterov) == 17 * 8,
                    "FlodlOptimHyper is mirrored in src/ffi/optim.rs");
FLODL_STATIC_ASSERT(offsetof(FlodlOptimHyper, is_first_step) == 17 * 8 + 5 * 4,
                    "FlodlOptimHyper is mirrored in src/ffi/optim.rs");
FLODL_STATIC_ASSERT(offsetof(FlodlOptimHyper, fused) == 17 * 8 + 6 * 4,
                    "FlodlOptimHyper is mirrored in src/ffi/optim.rs");

// The tensor lists of one optimizer update: params, grads, then the
// method's state lists (which is which: optim.cpp), n[i] entries each.
typedef struct FlodlOptimLists {
  FlodlTensor *const *items[6];
  int n[6];
} FlodlOptimLists;
FLODL_STATIC_ASSERT(sizeof(FlodlOptimLists) == 6 * sizeof(void *) + 6 * sizeof(int),
                    "FlodlOptimLists is mirrored in src/ffi/optim.rs");
FLODL_STATIC_ASSERT(offsetof(FlodlOptimLists, n) == 6 * sizeof(void *),
                    "FlodlOptimLists is mirrored in src/ffi/optim.rs");

// One device type's autocast state (the cache flag is global in libtorch);
// `dtype` is a c10::ScalarType code.
typedef struct FlodlAutocastState {
  int32_t enabled, dtype, cache_enabled;
} FlodlAutocastState;
FLODL_STATIC_ASSERT(sizeof(FlodlAutocastState) == 3 * 4,
                    "FlodlAutocastState is mirrored in src/ffi/amp.rs");

// A CUDA device's properties (cuda.cpp).
typedef struct FlodlCudaProperties {
  int64_t total_memory;
  int32_t major, minor, multi_processor_count;
} FlodlCudaProperties;
FLODL_STATIC_ASSERT(sizeof(FlodlCudaProperties) == 8 + 3 * 4 + 4,
                    "FlodlCudaProperties is mirrored in src/ffi/cuda.rs");

// A CUDA stream as c10::Stream packs it (its id and device index; the
// device type is CUDA): plain data, no handle to free.
typedef struct FlodlStream {
  int64_t id;
  int32_t device_index, reserved;
} FlodlStream;
FLODL_STATIC_ASSERT(sizeof(FlodlStream) == 16, "FlodlStream is mirrored in src/ffi/cuda.rs");

// ----- callbacks into Rust -----

// Receives a libtorch warning: its message and whether it is a deprecation.
typedef void (*flodl_warning_fn)(const char *message, int deprecation);
// A gradient hook: owns `grad` (a new handle), may set `*replacement` (a new
// handle, or null to keep the gradient); returns null or a failure message.
typedef char *(*flodl_hook_fn)(void *ctx, FlodlTensor *grad, FlodlTensor **replacement);
// A post-accumulate-grad hook: owns `leaf` (a new handle).
typedef char *(*flodl_post_hook_fn)(void *ctx, FlodlTensor *leaf);
// A custom function's backward: owns the `n` gradients of the outputs (new
// handles, null when undefined) and fills the `m` gradients of the inputs
// (new handles, or null).
typedef char *(*flodl_node_fn)(void *ctx, FlodlTensor **grads, size_t n, FlodlTensor **results,
                               size_t m);
// A custom function's node freed its saved values (backward without
// retain_graph).
typedef void (*flodl_release_fn)(void *ctx);
// Runs once, when libtorch forgets a hook or a node: frees `ctx`.
typedef void (*flodl_drop_fn)(void *ctx);

// ----- runtime.cpp: messages, warnings, random state -----

// Frees a failure or a string the shim returned. Cannot fail.
void flodl_free_message(char *message);
// Where libtorch's warnings go (an atomic store: cannot fail).
void flodl_set_warning_callback(flodl_warning_fn callback);
// Installs flodl's warning handler on this thread (a thread-local store:
// cannot fail).
void flodl_use_warning_handler(void);
// A warning of flodl's own, through the same handler as libtorch's.
char *flodl_warn(const char *message);
// The state of the default generator of the CPU (cuda_index < 0) or of a
// CUDA device, and its restoring.
// libtorch's global switches (at::globalContext()) PyTorch programs set:
// deterministic algorithms (and warn-only), deterministic cuDNN, TF32 in
// cuBLAS and cuDNN, and the float32 matmul precision (0 highest, 1 high,
// 2 medium, as at::Float32MatmulPrecision), and which kernels
// scaled_dot_product_attention may pick (torch.nn.attention.sdpa_kernel).
typedef struct {
  int deterministic_algorithms, deterministic_warn_only, deterministic_cudnn;
  int allow_tf32_cublas, allow_tf32_cudnn, float32_matmul_precision;
  int sdp_math, sdp_flash, sdp_mem_efficient, sdp_cudnn;
} FlodlContextFlags;
void flodl_context_flags(FlodlContextFlags *out);
// Sets every flag of `flags` (its precision field is ignored) and, unless
// null, the precision by name ("highest", "high", "medium").
char *flodl_set_context_flags(const FlodlContextFlags *flags, const char *precision);
// libtorch's default float dtype (c10::get_default_dtype, as a ScalarType
// code), which torch.set_default_dtype also sets; the caller checks that
// the code is a float's.
int flodl_default_dtype(void);
char *flodl_set_default_dtype(int code);
// The threads of libtorch's inter-op pool (set once, before it starts).
char *flodl_set_num_interop_threads(int threads);
int flodl_get_num_interop_threads(void);
char *flodl_get_rng_state(int cuda_index, FlodlTensor **out);
char *flodl_set_rng_state(int cuda_index, const FlodlTensor *state);

// ----- ops.cpp: ops tch lacks or cannot call safely -----

// One function per line of scalar_ops.def: flodl_<name>(x, [t, [u,]] a[, b[, c]], out).
#define FLODL_OP_1(name, expr) char *flodl_##name(const FlodlTensor *x, FlodlScalar a, FlodlTensor **out);
#define FLODL_OP_2(name, expr) \
  char *flodl_##name(const FlodlTensor *x, FlodlScalar a, FlodlScalar b, FlodlTensor **out);
#define FLODL_OP_3(name, expr)                                                        \
  char *flodl_##name(const FlodlTensor *x, FlodlScalar a, FlodlScalar b, FlodlScalar c, \
                     FlodlTensor **out);
#define FLODL_OP_T(name, expr)                                                     \
  char *flodl_##name(const FlodlTensor *x, const FlodlTensor *t, FlodlScalar a, \
                     FlodlTensor **out);
#define FLODL_OP_TT(name, expr)                                                           \
  char *flodl_##name(const FlodlTensor *x, const FlodlTensor *t, const FlodlTensor *u, \
                     FlodlScalar a, FlodlTensor **out);
#define FLODL_OP_TT2(name, expr)                                                          \
  char *flodl_##name(const FlodlTensor *x, const FlodlTensor *t, const FlodlTensor *u, \
                     FlodlScalar a, FlodlScalar b, FlodlTensor **out);
#include "scalar_ops.def"
#undef FLODL_OP_1
#undef FLODL_OP_2
#undef FLODL_OP_3
#undef FLODL_OP_T
#undef FLODL_OP_TT
#undef FLODL_OP_TT2
// Creation with `like`'s dtype and device.
// torch.histogram: counts then edges in one tensor (weight may be null).
char *flodl_histogram(const FlodlTensor *x, int64_t bins, int has_range, double low, double high,
                      const FlodlTensor *weight, int density, FlodlTensor **out);
// Whether a and b are handles on one tensor (libtorch's is_same).
int flodl_is_same(const FlodlTensor *a, const FlodlTensor *b);
// Memory layouts by c10::MemoryFormat's code: `t.contiguous(format)`,
// `t.clone(format)`, `t.is_contiguous(format)`; and `t.storage_offset()`.
char *flodl_contiguous_format(const FlodlTensor *t, int64_t format, FlodlTensor **out);
char *flodl_clone_format(const FlodlTensor *t, int64_t format, FlodlTensor **out);
char *flodl_is_contiguous_format(const FlodlTensor *t, int64_t format, int *contiguous);
char *flodl_suggest_memory_format(const FlodlTensor *t, int64_t *format);
char *flodl_empty_like(const FlodlTensor *t, const FlodlTensor *options, int64_t format,
                       FlodlTensor **out);
char *flodl_storage_offset(const FlodlTensor *t, int64_t *offset);
char *flodl_arange(FlodlScalar start, FlodlScalar end, FlodlScalar step, const FlodlTensor *like,
                   FlodlTensor **out);
char *flodl_linspace(double start, double end, int64_t steps, const FlodlTensor *like,
                     FlodlTensor **out);
// Tensor.clone (strides kept; recorded as CloneBackward0): tch binds only
// clone's out= form.
char *flodl_clone(const FlodlTensor *x, FlodlTensor **out);
// torch.var (or torch.std with `std`) with a correction over the `ndims`
// dims at `dim`; all elements when has_dim is 0.
char *flodl_var_std(const FlodlTensor *x, double correction, const int64_t *dim, size_t ndims,
                    int has_dim, int keepdim, int std, FlodlTensor **out);
// torch.linalg.vector_norm over the ndims dims at dim; all elements when has_dim is 0.
char *flodl_vector_norm(const FlodlTensor *x, double p, const int64_t *dim, size_t ndims,
                        int has_dim, int keepdim, FlodlTensor **out);
// at::multi_margin_loss (tch wraps only its backward); a null weight is none.
char *flodl_multi_margin_loss(const FlodlTensor *x, const FlodlTensor *target, int64_t p,
                              double margin, const FlodlTensor *weight, int64_t reduction,
                              FlodlTensor **out);
// torch.normal(mean, std) with a tensor mean, std or both (a null one
// stands for its number): at::normal's own draws.
char *flodl_normal(const FlodlTensor *mean, double mean_value, const FlodlTensor *std,
                   double std_value, FlodlTensor **out);
// c10::promoteTypes of two ScalarType codes; -1 when they have none.
int flodl_promote_types(int a, int b);
// at::result_type of two operands, each a tensor or (`*_number`) a Python
// number as a 0-dim tensor that may be marked in place.
char *flodl_result_type(const FlodlTensor *a, int a_number, const FlodlTensor *b, int b_number,
                        int *out);
// torch.linalg.matrix_norm over the ndims (two) dims at dim: of the order named
// `ord_name` ("fro", "nuc") when it is not null, else of the order `ord`.
char *flodl_matrix_norm(const FlodlTensor *x, double ord, const char *ord_name,
                        const int64_t *dim, size_t ndims, int keepdim, FlodlTensor **out);
// The padded sequences of a packed batch (torch's _pad_packed_sequence,
// without its lengths), `total_length` steps long.
char *flodl_pad_packed_sequence(const FlodlTensor *data, const FlodlTensor *batch_sizes,
                                int batch_first, double padding_value, int64_t total_length,
                                FlodlTensor **out);
// A multi-layer GRU on the CPU with one autograd node per layer and
// direction (gru.cpp): (output, h_n) as at::gru gives them.
char *flodl_gru(const FlodlTensor *input, const FlodlTensor *hx, FlodlTensor *const *params,
                int n_params, int has_biases, int64_t num_layers, double dropout, int train,
                int bidirectional, int batch_first, FlodlTensor **output, FlodlTensor **h_n);

// ----- autograd.cpp: gradients, hooks, modes, custom functions -----

char *flodl_set_grad(FlodlTensor *t, const FlodlTensor *g);
char *flodl_clear_grad(FlodlTensor *t);
char *flodl_retain_grad(FlodlTensor *t);
char *flodl_set_data(FlodlTensor *t, const FlodlTensor *d);
char *flodl_set_requires_grad(FlodlTensor *t, int requires_grad);
char *flodl_detach_in_place(FlodlTensor *t);
// The name of the node that made `t` ("MulBackward0"), malloc'd (freed by
// flodl_free_message); *name is null for a leaf.
char *flodl_grad_fn_name(const FlodlTensor *t, char **name);
// Whether `t` is a view of another tensor's memory (autograd's notion).
char *flodl_is_view(const FlodlTensor *t, int *view);
// Autograd graph nodes, as Python's `grad_fn` objects. A node handle is an
// opaque owned reference (freed by flodl_node_free); `*node` is null for a
// tensor no node made (a leaf, or one that records nothing).
char *flodl_grad_fn(const FlodlTensor *t, void **node);
void flodl_node_free(void *node);  // cannot fail
// The node's name ("MulBackward0"), malloc'd (freed by flodl_free_message).
char *flodl_node_name(const void *node, char **name);
// How many edges lead on from the node (its next_functions).
char *flodl_node_num_next(const void *node, int64_t *count);
// Edge `i`: the node it leads to (null for an input that needs no
// gradient) and which of that node's inputs it feeds.
char *flodl_node_next(const void *node, int64_t i, void **next, int64_t *input_nr);
// The leaf an AccumulateGrad node writes into (null for other nodes, or a
// leaf that is gone).
char *flodl_node_variable(const void *node, FlodlTensor **variable);
// The node's identity: equal for handles on one node (cannot fail).
uintptr_t flodl_node_id(const void *node);
char *flodl_register_hook(FlodlTensor *t, void *ctx, flodl_hook_fn call, flodl_drop_fn drop,
                          unsigned *handle);
char *flodl_remove_hook(FlodlTensor *t, unsigned handle);
char *flodl_register_post_accumulate_grad_hook(FlodlTensor *t, void *ctx, flodl_post_hook_fn call,
                                               flodl_drop_fn drop, unsigned *handle);
char *flodl_remove_post_accumulate_grad_hook(FlodlTensor *t, unsigned handle);
// Grad mode: thread-local flags, read and written (these cannot fail).
int flodl_is_grad_enabled(void);
int flodl_set_grad_enabled(int enabled);
// Inference mode: entered into *guard, left by flodl_inference_mode_exit
// (a destructor: cannot fail) on the same thread, innermost first.
char *flodl_inference_mode_enter(int enabled, void **guard);
void flodl_inference_mode_exit(void *guard);
int flodl_is_inference_mode_enabled(void);
char *flodl_backward(FlodlTensor *const *outputs, FlodlTensor *const *grads, int n,
                     int retain_graph, int create_graph, FlodlTensor *const *inputs, int n_inputs);
char *flodl_grad(FlodlTensor *const *outputs, FlodlTensor *const *grad_outputs, int n,
                 FlodlTensor *const *inputs, int n_inputs, int retain_graph, int create_graph,
                 int allow_unused, FlodlTensor **results);
char *flodl_watch_anomaly(const FlodlTensor *result, const char *where);
char *flodl_enter_dual_level(uint64_t *level);
char *flodl_exit_dual_level(uint64_t level);
char *flodl_make_dual(const FlodlTensor *primal, const FlodlTensor *tangent, uint64_t level,
                      FlodlTensor **out);
char *flodl_unpack_dual(const FlodlTensor *t, uint64_t level, FlodlTensor **tangent);
char *flodl_function_apply(FlodlTensor *const *inputs, int n_in, FlodlTensor *const *outputs,
                           int n_out, const unsigned char *differentiable, const char *name,
                           int materialize, void *ctx, flodl_node_fn call,
                           flodl_release_fn release, flodl_drop_fn drop, FlodlTensor **results);

// ----- amp.cpp: autocast and GradScaler's kernels -----

// The autocast state of a FlodlDeviceType; entering a region (the previous
// state out) and leaving it (that state back), as torch.autocast does.
char *flodl_autocast_state(int device_type, FlodlAutocastState *out);
char *flodl_autocast_enter(int device_type, const FlodlAutocastState *state,
                           FlodlAutocastState *previous);
char *flodl_autocast_exit(int device_type, const FlodlAutocastState *previous);
// _amp_foreach_non_finite_check_and_unscale_ on `n` gradients of one device.
char *flodl_amp_unscale(FlodlTensor *const *grads, int n, FlodlTensor *found_inf,
                        const FlodlTensor *inv_scale);
// _amp_update_scale_.
char *flodl_amp_update_scale(FlodlTensor *scale, FlodlTensor *growth_tracker,
                             const FlodlTensor *found_inf, double growth_factor,
                             double backoff_factor, int64_t growth_interval);

// ----- cuda.cpp: CUDA graphs, side streams, the allocator, properties -----
// Each fails with a Device error where the torch wheel has no CUDA.

// A CUDA graph (at::cuda::CUDAGraph) of one device, and what capture needs.
typedef struct FlodlCudaGraph FlodlCudaGraph;
// A region where a side stream is current.
typedef struct FlodlCudaStreamRegion FlodlCudaStreamRegion;
char *flodl_cuda_graph_new(int device, FlodlCudaGraph **out);
// Frees a graph (a delete: cannot fail).
void flodl_cuda_graph_free(FlodlCudaGraph *graph);
// Capture into the memory pool (pool_a, pool_b) ({0, 0}: the graph's own)
// on the device's side stream, as torch.cuda.graph; ended (also after a
// failure inside) by capture_end, on the same thread. Freeing a graph that
// is capturing ends the capture.
char *flodl_cuda_graph_capture_begin(FlodlCudaGraph *graph, uint64_t pool_a, uint64_t pool_b);
char *flodl_cuda_graph_capture_end(FlodlCudaGraph *graph);
char *flodl_cuda_graph_replay(FlodlCudaGraph *graph);
char *flodl_cuda_graph_reset(FlodlCudaGraph *graph);
// The graph's memory pool, and a fresh pool id for graphs to share: pool[2].
char *flodl_cuda_graph_pool(FlodlCudaGraph *graph, uint64_t *pool);
char *flodl_cuda_graph_pool_handle(uint64_t *pool);
// Enter: the side stream of `device` (the one captures use) becomes current, after the work
// queued so far. Exit (frees the region): the previous stream again, after
// the side stream's work.
char *flodl_cuda_side_stream_enter(int device, FlodlCudaStreamRegion **out);
char *flodl_cuda_side_stream_exit(FlodlCudaStreamRegion *region);
// stats[4]: allocated bytes (current, peak), reserved bytes (current, peak).
char *flodl_cuda_memory_stats(int device, int64_t *stats);
char *flodl_cuda_reset_peak_memory_stats(int device);
char *flodl_cuda_empty_cache(void);
// The properties, and the name (malloc'd; free with flodl_free_message).
char *flodl_cuda_device_properties(int device, FlodlCudaProperties *out, char **name);
// Streams: a new one from libtorch's pool (priority < 0: higher), the
// current one of a device, setting it, waiting for it, asking if done.
char *flodl_cuda_stream_new(int device, int priority, FlodlStream *out);
char *flodl_cuda_current_stream(int device, FlodlStream *out);
char *flodl_cuda_set_current_stream(const FlodlStream *stream);
char *flodl_cuda_stream_synchronize(const FlodlStream *stream);
char *flodl_cuda_stream_query(const FlodlStream *stream, int *done);
// Events (c10::Event on CUDA; with timing, elapsed_time works).
typedef struct FlodlCudaEvent FlodlCudaEvent;
char *flodl_cuda_event_new(int enable_timing, FlodlCudaEvent **out);
// Frees an event (a delete: cannot fail).
void flodl_cuda_event_free(FlodlCudaEvent *event);
char *flodl_cuda_event_record(FlodlCudaEvent *event, const FlodlStream *stream);
// Makes `stream` wait for the event's work.
char *flodl_cuda_event_block(FlodlCudaEvent *event, const FlodlStream *stream);
char *flodl_cuda_event_synchronize(FlodlCudaEvent *event);
char *flodl_cuda_event_query(FlodlCudaEvent *event, int *done);
// Milliseconds from `start` to `end` (both recorded, with timing).
char *flodl_cuda_event_elapsed_time(FlodlCudaEvent *start, FlodlCudaEvent *end, double *ms);

// ----- optim.cpp: optimizer updates, gradient clipping -----

// With `grad_scale` (0-d float32, may be null; fused methods only) the
// kernel unscales the gradients itself; with a nonzero `found_inf` it
// changes nothing (GradScaler's folded step).
char *flodl_optim_step(int method, const FlodlOptimLists *lists, const FlodlOptimHyper *hyper,
                       const FlodlTensor *grad_scale, const FlodlTensor *found_inf);
char *flodl_clip_grad_norm(FlodlTensor *const *grads, int n, double max_norm, double norm_type,
                           int error_if_nonfinite, FlodlTensor **total);
// The joint norm-type norm of `tensors` (torch's get_total_norm).
char *flodl_total_norm(FlodlTensor *const *tensors, int n, double norm_type, int error_if_nonfinite,
                       FlodlTensor **total);
// `grads` scaled in place so that `total` (their norm) becomes at most max_norm.
char *flodl_clip_grads_with_norm(FlodlTensor *const *grads, int n, double max_norm,
                                 const FlodlTensor *total);

// ----- interop.cpp: torch tensors, DLPack, memory -----

// A torch.Tensor (a new Python reference) sharing `t`; *object null with a
// Python exception set when torch's wrapper failed.
char *flodl_to_torch(const FlodlTensor *t, void **object);
char *flodl_from_tensor_impl(uintptr_t impl, FlodlTensor **out);
char *flodl_to_dlpack(const FlodlTensor *t, int versioned, void **managed);
char *flodl_from_dlpack(void *managed, int versioned, FlodlTensor **out);
// Frees an unconsumed managed tensor: its producer's deleter reports
// nothing, so neither can this.
void flodl_dlpack_delete(void *managed, int versioned);
// Which tensor a handle is (a pointer read: cannot fail).
uintptr_t flodl_impl_id(const FlodlTensor *t);
char *flodl_storage_info(const FlodlTensor *t, uintptr_t *storage, int64_t *numel,
                         int64_t *offset);

#ifdef __cplusplus
}  // extern "C"
#endif
#undef FLODL_STATIC_ASSERT

#endif  // FLODL_H
