#!/bin/sh
# flodl's checks on a machine with Python and torch but no Rust and no
# network (a GPU machine): `sh run.sh` in the folder `make gpu-bundle`
# builds. It installs the bundled flodl wheel (and whichever of numpy,
# pytest, hypothesis, safetensors the Python lacks) into ./site, next to a
# link to the machine's torch, then prints one line per check and a closing
# count for each part:
#   1. every op-info sample forward and backward on CUDA against torch, mixed
#      devices, out of memory, float16/bfloat16 (tests/python/test_devices.py);
#   2. the rest of the Python test suite (what needs cargo or scikit-learn
#      stays on the build machine: the examples, the Rust twins and extension);
#   3. bench/compare_torch.py --device cuda (skipped without CUDA).
# PYTHON picks the interpreter (default python3). Exit status: the number of
# parts that failed.
set -u
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
rm -rf site && mkdir site || exit 9
$PY -m pip install --quiet --no-index --find-links wheels --no-deps --target site flodl || exit 9
for module in numpy pytest hypothesis safetensors; do
    $PY -c "import $module" 2>/dev/null ||
        $PY -m pip install --quiet --no-index --find-links wheels --target site "$module" || exit 9
done
# The extension finds libtorch at ../torch/lib from itself, as in site-packages.
torch_dir=$($PY -c "import importlib.util, os; print(os.path.dirname(importlib.util.find_spec('torch').origin))") || exit 9
ln -s "$torch_dir" site/torch
export PYTHONPATH="$PWD/site"
$PY -c "import flodl, torch; print('flodl', flodl.__version__, 'from', flodl.__file__, '| torch', torch.__version__, '| cuda', flodl.cuda_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')" || exit 9
failed=0
echo "== 1. op-info parity, device errors, OOM, half precision on CUDA"
FLODL_TEST_DEVICES=cuda $PY -m pytest -v -p no:cacheprovider tests/python/test_devices.py || failed=$((failed + 1))
echo "== 2. the Python test suite"
$PY -m pytest -q -p no:cacheprovider tests/python --ignore=tests/python/test_devices.py \
    --ignore=tests/python/test_rust_layers.py --ignore=tests/python/test_wheel.py \
    --ignore=tests/python/test_examples.py --ignore=tests/python/test_rust_extension.py \
    --ignore=tests/python/test_rust_twins.py || failed=$((failed + 1))
echo "== 3. flodl against torch on CUDA"
if $PY -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"; then
    # floDl's workloads in their four configurations first (fp32 and bf16,
    # eager and one graphed step), then the whole table.
    $PY bench/compare_torch.py --device cuda --gpu-workloads-only || failed=$((failed + 1))
    $PY bench/compare_torch.py --device cuda || failed=$((failed + 1))
else
    echo "no CUDA here: skipped"
fi
echo "== parts failed: $failed"
exit $failed
