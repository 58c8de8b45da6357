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
printf '"""Stub: OpenCLIP imports torchvision; the interop check uses none of it."""\nfrom . import ops, transforms\n' \
  > "$stub/__init__.py"
printf 'from . import functional\n\n\nclass _Stub:\n    def __init__(self, *args, **kwargs):\n        pass\n\n    def __call__(self, x):\n        return x\n\n\nclass InterpolationMode:\n    BICUBIC = "bicubic"\n    BILINEAR = "bilinear"\n    NEAREST = "nearest"\n\n\ndef __getattr__(name):\n    if name.startswith("__"):\n        raise AttributeError(name)\n    return _Stub\n' \
  > "$stub/transforms/__init__.py"
printf 'def _noop(*args, **kwargs):\n    return None\n\n\ndef __getattr__(name):\n    if name.startswith("__"):\n        raise AttributeError(name)\n    return _noop\n' \
  > "$stub/transforms/functional/__init__.py"
printf '' > "$stub/ops/__init__.py"
printf 'class FrozenBatchNorm2d:\n    pass\n' > "$stub/ops/misc.py"
"$dir/bin/python" -c 'import open_clip, safetensors, torch; print("openclip_venv:", "open_clip", open_clip.__version__, "torch", torch.__version__)'
