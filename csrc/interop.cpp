// Interop: torch.Tensor objects and DLPack capsules sharing memory with
// flodl's tensors, and where a tensor's memory is.
#include "common.h"

#include <ATen/DLConvertor.h>
#include <dlfcn.h>

#include <atomic>

using namespace flodl;

extern "C" {

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
  if (wrap == nullptr) {
    return failure(FLODL_ERROR_UNSORTED, "to_torch: torch's Python library is not loaded");
  }
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

// Where `t`'s memory lives, for copy.deepcopy keeping views shared: its
// storage's address and size in elements of t's dtype, and t's offset.
char *flodl_storage_info(const at::Tensor *t, uintptr_t *storage, int64_t *numel,
                         int64_t *offset) {
  return guarded_change([&] {
    const auto &s = t->storage();
    *storage = reinterpret_cast<uintptr_t>(s.data());
    *numel = static_cast<int64_t>(s.nbytes() / t->element_size());
    *offset = t->storage_offset();
  });
}

}  // extern "C"
