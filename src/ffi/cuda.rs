//! csrc/cuda.cpp: CUDA graphs, side-stream regions, the caching
//! allocator's statistics and device properties.

use std::ffi::{c_char, c_int, c_void};

use super::{check, take_string};
use crate::error::Failure;

/// A device's properties (`FlodlCudaProperties`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CudaProperties {
    pub total_memory: i64,
    pub major: i32,
    pub minor: i32,
    pub multi_processor_count: i32,
}

const _: () = assert!(std::mem::size_of::<CudaProperties>() == 24);

extern "C" {
    fn flodl_cuda_graph_new(device: c_int, out: *mut *mut c_void) -> *mut c_char;
    fn flodl_cuda_graph_free(graph: *mut c_void);
    fn flodl_cuda_graph_capture_begin(graph: *mut c_void, pool_a: u64, pool_b: u64) -> *mut c_char;
    fn flodl_cuda_graph_capture_end(graph: *mut c_void) -> *mut c_char;
    fn flodl_cuda_graph_replay(graph: *mut c_void) -> *mut c_char;
    fn flodl_cuda_graph_reset(graph: *mut c_void) -> *mut c_char;
    fn flodl_cuda_graph_pool(graph: *mut c_void, pool: *mut u64) -> *mut c_char;
    fn flodl_cuda_graph_pool_handle(pool: *mut u64) -> *mut c_char;
    fn flodl_cuda_side_stream_enter(device: c_int, out: *mut *mut c_void) -> *mut c_char;
    fn flodl_cuda_side_stream_exit(region: *mut c_void) -> *mut c_char;
    fn flodl_cuda_memory_stats(device: c_int, stats: *mut i64) -> *mut c_char;
    fn flodl_cuda_reset_peak_memory_stats(device: c_int) -> *mut c_char;
    fn flodl_cuda_empty_cache() -> *mut c_char;
    fn flodl_cuda_device_properties(
        device: c_int,
        out: *mut CudaProperties,
        name: *mut *mut c_char,
    ) -> *mut c_char;
}

/// An at::cuda::CUDAGraph the shim made, freed on drop.
#[derive(Debug)]
pub(crate) struct GraphHandle(*mut c_void);

// SAFETY: libtorch's CUDAGraph is not tied to the thread that made it
// (PyTorch uses graphs from any thread); flodl::cuda::CudaGraph takes
// `&mut self` for every call that changes it.
unsafe impl Send for GraphHandle {}

impl Drop for GraphHandle {
    fn drop(&mut self) {
        // SAFETY: a graph the shim made, freed once.
        unsafe { flodl_cuda_graph_free(self.0) }
    }
}

pub(crate) fn cuda_graph_new(device: u8) -> Result<GraphHandle, Failure> {
    let mut out = std::ptr::null_mut();
    // SAFETY: `out` receives a new graph, or the call fails.
    check(unsafe { flodl_cuda_graph_new(c_int::from(device), &mut out) })?;
    Ok(GraphHandle(out))
}

impl GraphHandle {
    pub(crate) fn capture_begin(&mut self, pool: (u64, u64)) -> Result<(), Failure> {
        // SAFETY: a live graph; the shim catches every C++ exception.
        check(unsafe { flodl_cuda_graph_capture_begin(self.0, pool.0, pool.1) })
    }

    pub(crate) fn capture_end(&mut self) -> Result<(), Failure> {
        // SAFETY: as above.
        check(unsafe { flodl_cuda_graph_capture_end(self.0) })
    }

    pub(crate) fn replay(&mut self) -> Result<(), Failure> {
        // SAFETY: as above.
        check(unsafe { flodl_cuda_graph_replay(self.0) })
    }

    pub(crate) fn reset(&mut self) -> Result<(), Failure> {
        // SAFETY: as above.
        check(unsafe { flodl_cuda_graph_reset(self.0) })
    }

    pub(crate) fn pool(&self) -> Result<(u64, u64), Failure> {
        let mut pool = [0u64; 2];
        // SAFETY: a live graph and room for two ids.
        check(unsafe { flodl_cuda_graph_pool(self.0, pool.as_mut_ptr()) })?;
        Ok((pool[0], pool[1]))
    }
}

pub(crate) fn cuda_graph_pool_handle() -> Result<(u64, u64), Failure> {
    let mut pool = [0u64; 2];
    // SAFETY: room for two ids.
    check(unsafe { flodl_cuda_graph_pool_handle(pool.as_mut_ptr()) })?;
    Ok((pool[0], pool[1]))
}

/// A side stream made current by [`side_stream_enter`]; [`side_stream_exit`]
/// frees it.
pub(crate) struct SideStream(*mut c_void);

pub(crate) fn side_stream_enter(device: u8) -> Result<SideStream, Failure> {
    let mut out = std::ptr::null_mut();
    // SAFETY: `out` receives a new region, or the call fails.
    check(unsafe { flodl_cuda_side_stream_enter(c_int::from(device), &mut out) })?;
    Ok(SideStream(out))
}

pub(crate) fn side_stream_exit(region: SideStream) -> Result<(), Failure> {
    // SAFETY: a region from side_stream_enter, freed by this call.
    check(unsafe { flodl_cuda_side_stream_exit(region.0) })
}

/// Allocated bytes (current, peak) and reserved bytes (current, peak).
pub(crate) fn cuda_memory_stats(device: u8) -> Result<[i64; 4], Failure> {
    let mut stats = [0i64; 4];
    // SAFETY: room for four counts.
    check(unsafe { flodl_cuda_memory_stats(c_int::from(device), stats.as_mut_ptr()) })?;
    Ok(stats)
}

pub(crate) fn cuda_reset_peak_memory_stats(device: u8) -> Result<(), Failure> {
    // SAFETY: the shim catches every C++ exception.
    check(unsafe { flodl_cuda_reset_peak_memory_stats(c_int::from(device)) })
}

pub(crate) fn cuda_empty_cache() -> Result<(), Failure> {
    // SAFETY: as above.
    check(unsafe { flodl_cuda_empty_cache() })
}

pub(crate) fn cuda_device_properties(device: u8) -> Result<(CudaProperties, String), Failure> {
    let mut props = CudaProperties::default();
    let mut name = std::ptr::null_mut();
    // SAFETY: a struct to fill and a slot for a malloc'd name.
    check(unsafe { flodl_cuda_device_properties(c_int::from(device), &mut props, &mut name) })?;
    Ok((props, take_string(name).unwrap_or_default()))
}
