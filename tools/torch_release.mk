# flodl against another torch release than the default one: the Makefile
# includes this file instead of its own rules when TORCH is set to a release
# other than 2.13, e.g.
#
#     make test TORCH=2.11
#
# torch-sys declares `links = "tch"`, so the tch that pairs with that torch
# cannot be a second dependency of Cargo.toml. tools/torch_tree.py writes a
# build tree of its own, target/torch-$(TORCH)/tree, whose manifests pin that
# tch and torch (sources symlinked, tests copied: see that script). It builds
# into target/torch-$(TORCH)/target with .venv-$(TORCH), both apart from the
# default build's target/release and .venv, which no command here touches.

# The releases known here: torch's pin and the tch built against it.
TORCH_PIN_2.11 := 2.11.0
TCH_2.11       := 0.24

TORCH_PIN := $(TORCH_PIN_$(TORCH))
TCH       := $(TCH_$(TORCH))
ifeq ($(TORCH_PIN),)
$(error TORCH=$(TORCH): known releases are 2.13 (the default) and 2.11)
endif

VENV   := $(CURDIR)/.venv-$(TORCH)
PY     := $(VENV)/bin/python
PYTHON ?= python3
TREE   := $(CURDIR)/target/torch-$(TORCH)/tree
export PATH := $(VENV)/bin:$(PATH)
export VIRTUAL_ENV := $(VENV)
export LIBTORCH_USE_PYTORCH := 1
# The tests in the tree call cargo and maturin themselves (test_rust_layers.py,
# test_wheel.py): this keeps them on the same warm target directory.
export CARGO_TARGET_DIR := $(CURDIR)/target/torch-$(TORCH)/target

STAMP_VENV    := $(VENV)/.deps-installed
STAMP_EXT     := $(VENV)/.flodl-installed
STAMP_EXAMPLE := $(VENV)/.rust-extension-installed
RUST_SRC      := $(shell find src csrc -type f) build.rs Cargo.toml pyproject.toml
PY_SRC        := $(shell find python -type f -not -path '*/__pycache__/*' -not -name '*.so')

.PHONY: demo test test-rust test-python wheel torch-tree clean

demo: $(STAMP_EXT)
	$(PY) examples/autograd_tutorial.py

test: test-rust test-python

# Brings the tree up to date on every run (cheap; unchanged files are left
# as they are, so cargo and the stamps below see nothing new).
torch-tree:
	$(PYTHON) tools/torch_tree.py --torch $(TORCH_PIN) --tch $(TCH) --out $(TREE)

test-rust: $(STAMP_VENV) | torch-tree
	cd $(TREE) && cargo test --release -p flodl -p flodl-downstream
	cd $(TREE) && cargo run --release --quiet -p flodl-downstream

test-python: $(STAMP_EXT) $(STAMP_EXAMPLE) | torch-tree
	cd $(TREE) && $(PY) -m pytest -q $(PYTEST_ARGS)

WHEELS := $(CURDIR)/target/torch-$(TORCH)/wheels
wheel: $(STAMP_VENV) | torch-tree
	cd $(TREE) && maturin build --release --quiet --out $(WHEELS)

$(STAMP_VENV): requirements-dev.txt tools/torch_tree.py | torch-tree
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r $(TREE)/requirements-dev.txt
	touch $@

# maturin develop writes the module into the tree's python/flodl (its own
# folder, whose sources are symlinks), never into python/flodl.
$(STAMP_EXT): $(STAMP_VENV) $(RUST_SRC) $(PY_SRC) | torch-tree
	cd $(TREE) && maturin develop --release --quiet
	touch $@

$(STAMP_EXAMPLE): $(STAMP_EXT) $(shell find examples/rust_extension -type f -not -path '*/target/*') | torch-tree
	cd $(TREE) && maturin develop --release --quiet -m examples/rust_extension/Cargo.toml
	touch $@

clean:
	rm -rf $(CURDIR)/target/torch-$(TORCH) $(VENV)
