"""OpenCLIP itself loads what `vlm export openclip` wrote, and reproduces the fixtures' embeddings (issue 16).

    python scripts/interop/check_openclip_export.py [EXPORTS]

EXPORTS (default cli/target/openclip-export, written by the cli module's InteropCommandsTest) holds NAME/export/,
an exported folder, for each fixture of interop/src/test/resources/openclip (imported, then exported), and for a CLIP
made by spark-vlm with its own tokenizer, whose embeddings spark-vlm wrote to NAME/expected.safetensors. Each export
is loaded with open_clip.create_model("local-dir:NAME/export") (a strict state-dict load: a missing or unexpected
tensor fails), then its image and text embeddings and logits on the inputs are compared with the expected ones:
OpenCLIP's from the original weights for a fixture, spark-vlm's for its own model. Prints one line per fixture; exits 1 if any differs by 1e-4 or more
(largest difference over the largest value).
"""
import os
import sys

import torch
from safetensors.torch import load_file

import open_clip

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FIXTURES = os.path.join(ROOT, "interop", "src", "test", "resources", "openclip")
RELATIVE = 1e-4


def relative(a, b):
    return float((a - b).abs().max() / b.abs().max())


def main():
    exports = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "cli", "target", "openclip-export")
    names = sorted(os.listdir(exports)) if os.path.isdir(exports) else []
    if not names:
        print(f"check_openclip_export: no exports under {exports} (the cli module's tests write them): not checked")
        return 0
    failed = 0
    print(f"{'model':<16} {'image':>10} {'text':>10} {'logits':>10}  open_clip {open_clip.__version__}")
    for name in names:
        model = open_clip.create_model("local-dir:" + os.path.join(exports, name, "export")).eval()
        own = os.path.join(exports, name, "expected.safetensors")
        e = load_file(own if os.path.exists(own) else os.path.join(FIXTURES, name, "expected.safetensors"))
        with torch.no_grad():
            image = model.encode_image(e["images"])
            text = model.encode_text(e["tokens"].long())
            u = image / image.norm(dim=-1, keepdim=True)
            v = text / text.norm(dim=-1, keepdim=True)
            logits = model.logit_scale.exp() * u @ v.T
        errors = [relative(image, e["image_features"]), relative(text, e["text_features"]),
                  relative(logits, e["logits_per_image"])]
        ok = all(x < RELATIVE for x in errors)
        failed += 0 if ok else 1
        print(f"{name:<16} {errors[0]:>10.2e} {errors[1]:>10.2e} {errors[2]:>10.2e}  {'ok' if ok else 'DIFFERS'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
