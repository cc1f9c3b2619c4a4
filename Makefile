# The two commands of the README. Each is idempotent and does the whole
# set-up on a fresh machine: a .venv with torch, numpy, maturin and pytest,
# and the extension built in release mode and installed into it.
#
# TORCH=2.11 (make test TORCH=2.11) builds and tests against torch 2.11.0 and
# tch 0.24 instead, in a tree, target directory and .venv-2.11 of its own:
# tools/torch_release.mk. TORCH=2.13, the default, is what follows here.
TORCH ?= 2.13
ifneq ($(TORCH),2.13)
include tools/torch_release.mk
else

VENV      := $(CURDIR)/.venv
PY        := $(VENV)/bin/python
PYTHON    ?= python3
# tch's build finds libtorch in the venv's torch wheel (LIBTORCH_USE_PYTORCH);
# every cargo call shares this environment so that one target directory stays warm.
export PATH := $(VENV)/bin:$(PATH)
export VIRTUAL_ENV := $(VENV)
export LIBTORCH_USE_PYTORCH := 1

STAMP_VENV := $(VENV)/.deps-installed
STAMP_EXT  := $(VENV)/.flodl-installed
STAMP_EXAMPLE := $(VENV)/.rust-extension-installed
RUST_SRC   := $(shell find src csrc -type f) build.rs Cargo.toml pyproject.toml

.PHONY: demo train-demo train-memory wheel test test-rust test-python lint fmt stubs bench fuzz clean

demo: $(STAMP_EXT)
	$(PY) examples/autograd_tutorial.py

# The digits example with a progress bar and PyTorch's twin beside it, then
# the same training in Rust on the data the Python script exports (the same
# numbers); then a checkpoint saved in Rust and resumed in Python.
train-demo: $(STAMP_EXT)
	$(PY) examples/train_digits.py --torch
	$(PY) examples/train_digits.py --export target/digits.safetensors
	cargo run --release --quiet --example train_digits -- target/digits.safetensors
	cargo run --release --quiet --example resume_training -- --stop --checkpoint target/resume.safetensors
	$(PY) examples/resume_training.py --resume target/resume.safetensors

test: test-rust test-python

# An abi3 wheel of flodl alone in target/wheels: libtorch stays in the torch
# wheel, which the extension finds by a relative run path.
WHEELS := $(CURDIR)/target/wheels
wheel: $(STAMP_VENV)
	maturin build --release --quiet --out $(WHEELS)

# flodl against PyTorch eager (docs/benchmarks.md), then the Rust floor.
bench: $(STAMP_EXT) $(STAMP_EXAMPLE)
	$(PY) bench/compare_torch.py
	$(PY) bench/custom_functions.py
	$(PY) bench/train_vs_torch.py
	cargo run --release --quiet --example bench_overhead

# 10,000 training steps of each example model: RSS and live handles must
# stay flat (exit status 1 if they grow).
train-memory: $(STAMP_EXT)
	$(PY) bench/train_memory.py

# The fuzz tests at length (make test runs short profiles): FLODL_FUZZ_EXAMPLES
# random op sequences against PyTorch, seed FLODL_FUZZ_SEED; then
# FLODL_FUZZ_API_CALLS calls of the public API with hostile arguments for
# each seed of FLODL_FUZZ_API_SEEDS (tests/python/test_fuzz_api.py). Both
# run; the target fails if either finds something.
FLODL_FUZZ_EXAMPLES ?= 10000
FLODL_FUZZ_SEED ?= 20261126
FLODL_FUZZ_API_CALLS ?= 20000
FLODL_FUZZ_API_SEEDS ?= 1,2,3
fuzz: $(STAMP_EXT)
	status=0; \
	FLODL_FUZZ_EXAMPLES=$(FLODL_FUZZ_EXAMPLES) FLODL_FUZZ_SEED=$(FLODL_FUZZ_SEED) \
		$(PY) -m pytest -q tests/python/test_fuzz.py --hypothesis-show-statistics || status=1; \
	$(PY) tests/python/test_fuzz_api.py --calls $(FLODL_FUZZ_API_CALLS) \
		--seeds $(FLODL_FUZZ_API_SEEDS) || status=1; \
	exit $$status

test-rust: $(STAMP_VENV)
	cargo test --release -p flodl -p flodl-downstream
	cargo run --release --quiet -p flodl-downstream

test-python: $(STAMP_EXT) $(STAMP_EXAMPLE)
	$(PY) -m pytest -q

$(STAMP_VENV): requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(STAMP_EXT): $(STAMP_VENV) $(RUST_SRC) $(shell find python -type f -not -path '*/__pycache__/*')
	maturin develop --release --quiet
	touch $@

# The example of a Python extension of your own, on flodl's python feature
# (examples/rust_extension); tests/python/test_rust_extension.py imports it.
$(STAMP_EXAMPLE): $(STAMP_EXT) $(shell find examples/rust_extension -type f -not -path '*/target/*')
	maturin develop --release --quiet -m examples/rust_extension/Cargo.toml
	touch $@

# The stubs, the op tables of docs/ops.md and the name lists of
# python/flodl/__init__.py, written from the op declarations of the built
# module. `make lint` fails while a checked-in copy is stale.
stubs: $(STAMP_EXT)
	$(PY) tools/generate.py

lint: $(STAMP_EXT)
	cargo fmt --all --check
	cargo clippy --release --all-targets --features python -- -D warnings
	cargo clippy --release -p flodl_swish -- -D warnings
	$(VENV)/bin/ruff check python tests examples bench tools
	$(VENV)/bin/ruff format --check python tests examples bench tools
	$(PY) tools/generate.py --check

fmt: $(STAMP_VENV)
	cargo fmt --all
	$(VENV)/bin/ruff format python tests examples bench tools

clean:
	cargo clean
	rm -rf $(VENV)

endif

# A folder for a machine with Python and torch but no Rust and no network (a
# GPU machine; build it with the TORCH that machine has: make gpu-bundle
# TORCH=2.11): the wheel, the Python tests, the benchmarks, wheels of their
# Python dependencies (CPython 3.12 and this Python) and run.sh
# (tools/gpu_run.sh), which prints one line per check. `sh run.sh` here runs
# its CPU parts.
GPU_BUNDLE := $(CURDIR)/target/gpu-bundle-$(TORCH)
BUNDLE_DEPS := numpy pytest hypothesis safetensors
.PHONY: gpu-bundle
gpu-bundle: wheel
	rm -rf $(GPU_BUNDLE)
	mkdir -p $(GPU_BUNDLE)/wheels $(GPU_BUNDLE)/tests $(GPU_BUNDLE)/python/flodl
	cp $(WHEELS)/flodl-*.whl $(GPU_BUNDLE)/wheels/
	$(PY) -m pip download --quiet --only-binary=:all: --python-version 3.12 --implementation cp \
		--platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
		--platform manylinux2014_x86_64 --dest $(GPU_BUNDLE)/wheels $(BUNDLE_DEPS)
	$(PY) -m pip download --quiet --only-binary=:all: --dest $(GPU_BUNDLE)/wheels $(BUNDLE_DEPS)
	cp -r tests/python tests/spec_ops.txt $(GPU_BUNDLE)/tests/
	cp -r bench docs examples $(GPU_BUNDLE)/
	cp python/flodl/_flodl.pyi $(GPU_BUNDLE)/python/flodl/
	cp tools/gpu_run.sh $(GPU_BUNDLE)/run.sh
	find $(GPU_BUNDLE) -name __pycache__ -prune -exec rm -rf {} +
	du -sh $(GPU_BUNDLE)
