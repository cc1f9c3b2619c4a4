//! Finds the libtorch of the PyPI `torch` wheel (the one `tch` links against),
//! compiles the small C++ shim in `csrc/` (and writes the Rust side of its
//! codes and scalar ops), and embeds run paths so that neither
//! `cargo test` nor `import flodl` needs `LD_LIBRARY_PATH`.
use std::env;
use std::path::PathBuf;
use std::process::Command;

/// The torch package directory: `$LIBTORCH` if set, else where the active
/// Python finds `torch` (found without importing it, which is slow).
fn torch_dir() -> Result<PathBuf, String> {
    if let Ok(dir) = env::var("LIBTORCH") {
        return Ok(PathBuf::from(dir));
    }
    // Same interpreter choice as torch-sys, so both see the same torch.
    let python = if env::var_os("VIRTUAL_ENV").is_some() {
        "python"
    } else {
        "python3"
    };
    let script =
        "import importlib.util as u; print(u.find_spec('torch').submodule_search_locations[0])";
    let out = Command::new(python)
        .args(["-c", script])
        .output()
        .map_err(|e| format!("cannot run {python}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{python} cannot find the torch package: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Writes `$OUT_DIR/scalar_ops.rs`: a `scalar_ops!` call naming each op of
/// csrc/scalar_ops.def, so that one line there gives both the C++ function
/// and its Rust wrapper.
fn write_scalar_ops() {
    let def = std::fs::read_to_string("csrc/scalar_ops.def")
        .unwrap_or_else(|e| panic!("cannot read csrc/scalar_ops.def: {e}"));
    let (mut one, mut two, mut three, mut tensor, mut tensors, mut tensors_two) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for line in def.lines() {
        let Some((head, rest)) = line.split_once('(') else {
            continue;
        };
        let name = rest.split(',').next().unwrap_or_default().trim();
        let pair = format!("{name} => flodl_{name}");
        match head.trim() {
            "FLODL_OP_1" => one.push(pair),
            "FLODL_OP_2" => two.push(pair),
            "FLODL_OP_3" => three.push(pair),
            "FLODL_OP_T" => tensor.push(pair),
            "FLODL_OP_TT" => tensors.push(pair),
            "FLODL_OP_TT2" => tensors_two.push(pair),
            _ => {}
        }
    }
    let code = format!(
        "scalar_ops!(one: {}; two: {}; three: {}; tensor: {}; tensors: {}; tensors_two: {});\n",
        one.join(", "),
        two.join(", "),
        three.join(", "),
        tensor.join(", "),
        tensors.join(", "),
        tensors_two.join(", ")
    );
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("scalar_ops.rs"), code)
        .unwrap_or_else(|e| panic!("cannot write scalar_ops.rs: {e}"));
}

/// Writes `$OUT_DIR/flodl_abi.rs`: a Rust constant for each code of
/// csrc/flodl.h (each line `FLODL_<NAME> = <number>,` of its enums), so that
/// the codes both sides use are written once, in the header.
fn write_abi_codes() {
    let header = std::fs::read_to_string("csrc/flodl.h")
        .unwrap_or_else(|e| panic!("cannot read csrc/flodl.h: {e}"));
    let mut code = String::new();
    let mut names = std::collections::HashSet::new();
    for line in header.lines() {
        let Some((name, rest)) = line.trim().split_once(" = ") else {
            continue;
        };
        let Some(value) = rest.strip_suffix(',') else {
            continue;
        };
        if !name.starts_with("FLODL_")
            || !name
                .bytes()
                .all(|b| b == b'_' || b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            continue;
        }
        let value: i32 = value
            .parse()
            .unwrap_or_else(|_| panic!("csrc/flodl.h: {name} is not a number"));
        assert!(names.insert(name.to_string()), "csrc/flodl.h: {name} twice");
        code.push_str(&format!(
            "pub(crate) const {name}: std::ffi::c_int = {value};\n"
        ));
    }
    assert!(!names.is_empty(), "csrc/flodl.h declares no codes");
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("flodl_abi.rs"), code)
        .unwrap_or_else(|e| panic!("cannot write flodl_abi.rs: {e}"));
}

/// Where `cuda_runtime_api.h` is, when the torch wheel has CUDA
/// (libtorch_cuda and ATen's CUDA graph header) and its nvidia runtime
/// package is installed beside it with the crt headers (requirements-dev.txt):
/// site-packages/nvidia/<cuXX or cuda_runtime>/include.
fn cuda_runtime_include(torch: &std::path::Path) -> Option<PathBuf> {
    let has_cuda = torch.join("lib/libtorch_cuda.so").exists()
        && torch.join("include/ATen/cuda/CUDAGraph.h").exists();
    if !has_cuda {
        return None;
    }
    let nvidia = torch.parent()?.join("nvidia");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&nvidia)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("include"))
        .filter(|include| {
            ["cuda_runtime_api.h", "cuda.h", "crt/host_defines.h"]
                .iter()
                .all(|h| include.join(h).exists())
        })
        .collect();
    found.sort();
    found.pop()
}

/// `lib` relative to target/<profile>/deps (OUT_DIR is
/// target/<profile>/build/flodl-<hash>/out).
fn relative_from_binaries(lib: &std::path::Path) -> Option<std::path::PathBuf> {
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR")?);
    let deps = out.ancestors().nth(3)?.canonicalize().ok()?.join("deps");
    let lib = lib.canonicalize().ok()?;
    let common = deps
        .components()
        .zip(lib.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut relative = std::path::PathBuf::new();
    for _ in deps.components().skip(common) {
        relative.push("..");
    }
    relative.extend(lib.components().skip(common));
    Some(relative)
}

/// The shim's sources (csrc/flodl.h says what each holds), the slowest to
/// compile first: cc compiles them side by side.
const SHIM_SOURCES: [&str; 8] = [
    "csrc/gru.cpp",
    "csrc/optim.cpp",
    "csrc/amp.cpp",
    "csrc/cuda.cpp",
    "csrc/autograd.cpp",
    "csrc/interop.cpp",
    "csrc/ops.cpp",
    "csrc/runtime.cpp",
];

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    println!("cargo:rerun-if-env-changed=VIRTUAL_ENV");
    // Any change in csrc/ (a directory: cargo scans all of it).
    println!("cargo:rerun-if-changed=csrc");
    write_scalar_ops();
    write_abi_codes();
    let torch = match torch_dir() {
        Ok(dir) => dir,
        Err(msg) => {
            // A build script reports failure by panicking (at build time,
            // never in the library).
            panic!("flodl needs the PyPI torch wheel (see README): {msg}")
        }
    };
    let lib = torch.join("lib");

    // The shim, by concern; each declares csrc/flodl.h's functions. Every file
    // parses libtorch's headers (seconds each): few files, not one per op.
    let mut shim = cc::Build::new();
    shim.cpp(true)
        .files(SHIM_SOURCES)
        .include(torch.join("include"))
        .include(torch.join("include/torch/csrc/api/include"))
        .flag("-std=c++17")
        .flag("-D_GLIBCXX_USE_CXX11_ABI=1")
        .flag_if_supported("-Wno-unused-parameter")
        .warnings(false);
    // csrc/cuda.cpp's CUDA graphs and allocator calls need CUDA's runtime
    // headers, which the CUDA wheels' nvidia-cuda-runtime package carries.
    if let Some(cuda_include) = cuda_runtime_include(&torch) {
        shim.include(cuda_include).define("FLODL_WITH_CUDA", None);
    } else if lib.join("libtorch_cuda.so").exists() {
        println!(
            "cargo:warning=torch has CUDA but its runtime headers (nvidia-cuda-runtime, \
             nvidia-cuda-crt) are missing: CUDA graphs and streams are left out"
        );
    }
    shim.compile("flodl_shim");

    // The installed extension lives in site-packages/flodl/, next to
    // site-packages/torch/lib: a relative run path keeps the wheel movable.
    println!("cargo:rustc-link-arg-cdylib=-Wl,-rpath,$ORIGIN/../torch/lib");
    // flodl's tests and examples (in target/<profile>/deps and .../examples)
    // find the torch found now by a path relative to themselves, so that no
    // absolute path of this machine goes into the wheel either.
    if let Some(relative) = relative_from_binaries(&lib) {
        println!(
            "cargo:rustc-link-arg=-Wl,-rpath,$ORIGIN/{}",
            relative.display()
        );
    }
    // A crate that depends on flodl reads this as DEP_FLODL_TORCH_LIB: one
    // line of its build.rs gives its own binaries the same run path.
    println!("cargo:torch_lib={}", lib.display());
    // rustc links with --as-needed, which drops libtorch_cuda (nothing refers
    // to it by symbol) and with it CUDA support; keep it where it exists.
    if lib.join("libtorch_cuda.so").exists() {
        println!("cargo:rustc-link-arg=-Wl,--no-as-needed,-ltorch_cuda,--as-needed");
    }
    // csrc/cuda.cpp calls libc10_cuda's streams and allocator.
    if lib.join("libc10_cuda.so").exists() {
        println!("cargo:rustc-link-lib=dylib=c10_cuda");
    }
}
