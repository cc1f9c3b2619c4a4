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

/// A CUDA stream as c10::Stream packs it (`FlodlStream`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct PackedStream {
    pub id: i64,
    pub device_index: i32,
    pub reserved: i32,
}

const _: () = assert!(std::mem::size_of::<PackedStream>() == 16);

extern "C" {
    fn flodl_cuda_stream_new(device: c_int, priority: c_int, out: *mut PackedStream)
        -> *mut c_char;
    fn flodl_cuda_current_stream(device: c_int, out: *mut PackedStream) -> *mut c_char;
    fn flodl_cuda_set_current_stream(stream: *const PackedStream) -> *mut c_char;
    fn flodl_cuda_stream_synchronize(stream: *const PackedStream) -> *mut c_char;
    fn flodl_cuda_stream_query(stream: *const PackedStream, done: *mut c_int) -> *mut c_char;
    fn flodl_cuda_event_new(enable_timing: c_int, out: *mut *mut c_void) -> *mut c_char;
    fn flodl_cuda_event_free(event: *mut c_void);
    fn flodl_cuda_event_record(event: *mut c_void, stream: *const PackedStream) -> *mut c_char;
    fn flodl_cuda_event_block(event: *mut c_void, stream: *const PackedStream) -> *mut c_char;
    fn flodl_cuda_event_synchronize(event: *mut c_void) -> *mut c_char;
    fn flodl_cuda_event_query(event: *mut c_void, done: *mut c_int) -> *mut c_char;
    fn flodl_cuda_event_elapsed_time(
        start: *mut c_void,
        end: *mut c_void,
        ms: *mut f64,
    ) -> *mut c_char;
}

pub(crate) fn cuda_stream_new(device: u8, priority: i32) -> Result<PackedStream, Failure> {
    let mut out = PackedStream::default();
    // SAFETY: a struct the shim fills; it catches every C++ exception.
    check(unsafe { flodl_cuda_stream_new(c_int::from(device), priority, &mut out) })?;
    Ok(out)
}

pub(crate) fn cuda_current_stream(device: u8) -> Result<PackedStream, Failure> {
    let mut out = PackedStream::default();
    // SAFETY: as above.
    check(unsafe { flodl_cuda_current_stream(c_int::from(device), &mut out) })?;
    Ok(out)
}

pub(crate) fn cuda_set_current_stream(stream: PackedStream) -> Result<(), Failure> {
    // SAFETY: a valid struct, read during the call.
    check(unsafe { flodl_cuda_set_current_stream(&stream) })
}

pub(crate) fn cuda_stream_synchronize(stream: PackedStream) -> Result<(), Failure> {
    // SAFETY: as above.
    check(unsafe { flodl_cuda_stream_synchronize(&stream) })
}

pub(crate) fn cuda_stream_query(stream: PackedStream) -> Result<bool, Failure> {
    let mut done = 0;
    // SAFETY: as above, and an int to fill.
    check(unsafe { flodl_cuda_stream_query(&stream, &mut done) })?;
    Ok(done != 0)
}

/// A c10::Event on CUDA the shim made, freed on drop.
#[derive(Debug)]
pub(crate) struct EventHandle(*mut c_void);

// SAFETY: a CUDA event may be recorded and waited for from any thread (as
// PyTorch's are); flodl::cuda::Event takes `&mut self` to record.
unsafe impl Send for EventHandle {}

impl Drop for EventHandle {
    fn drop(&mut self) {
        // SAFETY: an event the shim made, freed once.
        unsafe { flodl_cuda_event_free(self.0) }
    }
}

pub(crate) fn cuda_event_new(enable_timing: bool) -> Result<EventHandle, Failure> {
    let mut out = std::ptr::null_mut();
    // SAFETY: `out` receives a new event, or the call fails.
    check(unsafe { flodl_cuda_event_new(c_int::from(enable_timing), &mut out) })?;
    Ok(EventHandle(out))
}

impl EventHandle {
    pub(crate) fn record(&mut self, stream: PackedStream) -> Result<(), Failure> {
        // SAFETY: a live event and a valid struct; exceptions are caught.
        check(unsafe { flodl_cuda_event_record(self.0, &stream) })
    }

    pub(crate) fn block(&self, stream: PackedStream) -> Result<(), Failure> {
        // SAFETY: as above.
        check(unsafe { flodl_cuda_event_block(self.0, &stream) })
    }

    pub(crate) fn synchronize(&self) -> Result<(), Failure> {
        // SAFETY: a live event.
        check(unsafe { flodl_cuda_event_synchronize(self.0) })
    }

    pub(crate) fn query(&self) -> Result<bool, Failure> {
        let mut done = 0;
        // SAFETY: a live event and an int to fill.
        check(unsafe { flodl_cuda_event_query(self.0, &mut done) })?;
        Ok(done != 0)
    }

    pub(crate) fn elapsed_time(&self, end: &EventHandle) -> Result<f64, Failure> {
        let mut ms = 0.0;
        // SAFETY: two live events and a double to fill.
        check(unsafe { flodl_cuda_event_elapsed_time(self.0, end.0, &mut ms) })?;
        Ok(ms)
    }
}

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
