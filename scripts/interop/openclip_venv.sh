#!/usr/bin/env bash
# A Python environment with PyTorch (CPU), OpenCLIP and safetensors for the test-only interop check
# (check_openclip_export.py): ./run-tests makes it under target/ when no such Python is at hand. Never a runtime
# dependency. Usage: scripts/interop/openclip_venv.sh DIR   -> DIR/bin/python
# torchvision is not installed (it is large and OpenCLIP's model code only imports it): a stub package stands in.
set -euo pipefail
dir=${1:?usage: openclip_venv.sh DIR}
python3 -m venv "$dir"
pip=("$dir/bin/pip" install -q --retries 0 --timeout 10)
"${pip[@]}" 'torch>=2.1' numpy ftfy regex safetensors tqdm huggingface-hub
"${pip[@]}" --no-deps open_clip_torch timm
site=$("$dir/bin/python" -c 'import site; print(site.getsitepackages()[0])')
stub="$site/torchvision"
mkdir -p "$stub/transforms/functional" "$stub/ops"

cat > "$stub/__init__.py" <<'PY'
"""Stub: OpenCLIP imports torchvision; the interop check uses none of it."""
from . import ops, transforms
PY

cat > "$stub/transforms/__init__.py" <<'PY'
from . import functional


class _Stub:
    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, x):
        return x


class InterpolationMode:
    BICUBIC = "bicubic"
    BILINEAR = "bilinear"
    NEAREST = "nearest"


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return _Stub
PY

cat > "$stub/transforms/functional/__init__.py" <<'PY'
def _noop(*args, **kwargs):
    return None


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return _noop
PY

: > "$stub/ops/__init__.py"
cat > "$stub/ops/misc.py" <<'PY'
class FrozenBatchNorm2d:
    pass
PY

"$dir/bin/python" -c 'import open_clip, safetensors, torch; print("openclip_venv:", "open_clip", open_clip.__version__, "torch", torch.__version__)'
