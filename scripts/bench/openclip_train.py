"""OpenCLIP trained on a spark-vlm pairs dataset, as a peer for `vlm pretrain clip` on the same data and steps.

Usage (a Python with torch and open_clip: ../shared/peers/openclip-env.sh DIR makes one):
  python scripts/bench/openclip_train.py --pairs work/demo/pairs --world work/demo/synth --preset tiny \
      --steps 800 --eval-every 100 [--batch 64] [--lr 2e-3] [--warmup 20] [--threads 2] [--json out.json]

What it does, to compare like with like:
- the successful rows of the pairs dataset (Parquet: caption, image bytes), decoded with PIL, a random square crop
  of at least 0.9 of the side (spark-vlm's augment.min-crop-scale), resized to the preset's size, CLIP's mean and
  deviation;
- OpenCLIP's own CLIP model of the preset's shape (conf/models; a preset's patch-max image pooling replaces
  OpenCLIP's class-token pick), its ClipLoss, AdamW (weight decay 0.2 on matrices
  only), warmup then cosine, the logit scale clamped to ln(100) after each step, as OpenCLIP's main does;
- a word-level vocabulary from the training captions (the preset's vocabulary size; the end token has the
  highest id, so OpenCLIP's argmax pooling finds it);
- every --eval-every steps: zero-shot accuracy on the world's eval/zeroshot/*.json (class embedding = renormalised
  mean of the template embeddings) and mean retrieval recall@1/@5 on eval/retrieval/test.jsonl, as `vlm pretrain
  clip`'s in-training evaluation computes them.
Prints a JSON line per evaluation and writes them all to --json.
"""
import argparse
import glob
import io
import json
import math
import os
import re
import time

import numpy as np
import pyarrow.parquet as pq
import torch
import torch.nn.functional as F
import open_clip
from open_clip.loss import ClipLoss
from PIL import Image

SHAPES = {  # conf/models/*.conf
    "tiny": dict(embed_dim=128, vision=dict(image_size=64, patch_size=8, width=128, layers=4, head_width=32),
                 text=dict(context_length=32, vocab_size=2048, width=128, heads=4, layers=4)),
    "tiny-patch-max": dict(embed_dim=128, vision=dict(image_size=64, patch_size=8, width=128, layers=4, head_width=32),
                           text=dict(context_length=32, vocab_size=2048, width=128, heads=4, layers=4),
                           pool="patch-max"),
    "bench": dict(embed_dim=256, vision=dict(image_size=64, patch_size=8, width=256, layers=6, head_width=32),
                  text=dict(context_length=32, vocab_size=8192, width=256, heads=8, layers=6)),
}
MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)
PAD, SOT = 0, 1


def words(text):
    return re.findall(r"[a-z0-9]+", text.lower())


class Vocab:
    def __init__(self, captions, size):
        counts = {}
        for c in captions:
            for w in words(c):
                counts[w] = counts.get(w, 0) + 1
        kept = sorted(counts, key=lambda w: (-counts[w], w))[: size - 4]
        self.ids = {w: i + 3 for i, w in enumerate(kept)}   # 0 pad, 1 start, 2 unknown
        self.eot = size - 1

    def encode(self, text, context):
        ids = [SOT] + [self.ids.get(w, 2) for w in words(text)][: context - 2] + [self.eot]
        return ids + [PAD] * (context - len(ids))


def load_image(data, size, rng=None, min_scale=0.9):
    img = Image.open(io.BytesIO(data)).convert("RGB")
    if rng is not None:
        side = min(img.size)
        crop = int(round(side * rng.uniform(min_scale, 1.0)))
        x = rng.integers(0, img.size[0] - crop + 1)
        y = rng.integers(0, img.size[1] - crop + 1)
        img = img.crop((x, y, x + crop, y + crop))
    img = img.resize((size, size), Image.BICUBIC)
    a = (np.asarray(img, dtype=np.float32) / 255.0 - MEAN) / STD
    return torch.from_numpy(a.transpose(2, 0, 1).copy())


def successful_pairs(folder):
    rows = []
    for f in sorted(glob.glob(os.path.join(folder, "*.parquet"))):
        t = pq.read_table(f, columns=["key", "caption", "image", "status"]).to_pylist()
        rows += [r for r in t if r["status"] == "success" and r["image"]]
    rows.sort(key=lambda r: r["key"])
    return rows


def embed_texts(model, vocab, texts, context):
    tok = torch.tensor([vocab.encode(t, context) for t in texts])
    return F.normalize(model.encode_text(tok), dim=-1)


def embed_images(model, world, paths, size):
    out = []
    for i in range(0, len(paths), 128):
        batch = torch.stack([load_image(open(os.path.join(world, p), "rb").read(), size) for p in paths[i:i + 128]])
        out.append(F.normalize(model.encode_image(batch), dim=-1))
    return torch.cat(out)


@torch.no_grad()
def evaluate(model, vocab, world, size, context):
    model.eval()
    out = {}
    for f in sorted(glob.glob(os.path.join(world, "eval/zeroshot/*.json"))):
        task = json.load(open(f))
        classes = []
        for c in task["classes"]:
            e = embed_texts(model, vocab, [t.format(c) for t in task["templates"]], context).mean(0)
            classes.append(F.normalize(e, dim=-1))
        classes = torch.stack(classes)
        samples = task["samples"]
        img = embed_images(model, world, [s["image"] for s in samples], size)
        pred = (img @ classes.T).argmax(1)
        labels = torch.tensor([s["label"] for s in samples])
        out[f"zeroshot/{task['task']}/acc1"] = (pred == labels).float().mean().item()
    items = [json.loads(line) for line in open(os.path.join(world, "eval/retrieval/test.jsonl"))]
    img = embed_images(model, world, [it["image"] for it in items], size)
    texts, owner = [], []
    for i, it in enumerate(items):
        texts += it["captions"]
        owner += [i] * len(it["captions"])
    txt = embed_texts(model, vocab, texts, context)
    owner = torch.tensor(owner)
    sim = img @ txt.T
    for k in (1, 5):
        i2t = (owner[sim.topk(k, dim=1).indices] == torch.arange(len(items))[:, None]).any(1).float().mean()
        t2i = (sim.T.topk(k, dim=1).indices == owner[:, None]).any(1).float().mean()
        out[f"retrieval/mean_recall@{k}"] = ((i2t + t2i) / 2).item()
    model.train()
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pairs", required=True)
    p.add_argument("--world", required=True)
    p.add_argument("--preset", default="tiny", choices=sorted(SHAPES))
    p.add_argument("--steps", type=int, default=800)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--weight-decay", type=float, default=0.2)
    p.add_argument("--eval-every", type=int, default=100)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--json", default="openclip_train.json")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    s = SHAPES[a.preset]
    size, context = s["vision"]["image_size"], s["text"]["context_length"]
    model = open_clip.model.CLIP(s["embed_dim"], open_clip.model.CLIPVisionCfg(**s["vision"], mlp_ratio=4.0),
                                 open_clip.model.CLIPTextCfg(**s["text"], mlp_ratio=4.0))
    if s.get("pool", "class-token") == "patch-max":
        # model.vision.pool = patch-max: ln_post on every token, each channel's maximum over the patches (the class
        # token left out), projection; OpenCLIP has no such pool_type, so its pooling method is replaced
        model.visual._global_pool = lambda x: (x[:, 1:].amax(dim=1), x[:, 1:])
    rows = successful_pairs(a.pairs)
    vocab = Vocab([r["caption"] or "" for r in rows], s["text"]["vocab_size"])
    tokens = torch.tensor([vocab.encode(r["caption"] or "", context) for r in rows])
    decay = [q for n, q in model.named_parameters() if q.ndim >= 2 and "embedding" not in n and "logit" not in n
             and "class_embedding" not in n and "positional" not in n]
    rest = [q for n, q in model.named_parameters() if all(q is not d for d in decay)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay}, {"params": rest, "weight_decay": 0}],
                            lr=a.lr, betas=(0.9, 0.98), eps=1e-6)
    loss_fn = ClipLoss()
    per_epoch = len(rows) // a.batch
    print(json.dumps({"pairs": len(rows), "steps_per_epoch": per_epoch, "params":
                      sum(q.numel() for q in model.parameters())}), flush=True)
    results, order, start = [], [], time.time()
    for step in range(a.steps):
        if step % per_epoch == 0:
            order = rng.permutation(len(rows))
        idx = order[(step % per_epoch) * a.batch:(step % per_epoch + 1) * a.batch]
        lr = a.lr * (step + 1) / a.warmup if step < a.warmup else \
            0.5 * (1 + math.cos(math.pi * (step - a.warmup) / max(1, a.steps - a.warmup))) * a.lr
        for g in opt.param_groups:
            g["lr"] = lr
        img = torch.stack([load_image(rows[i]["image"], size, rng) for i in idx])
        f_img, f_txt, scale = model(img, tokens[idx])[:3]
        loss = loss_fn(f_img, f_txt, scale)
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        if (step + 1) % a.eval_every == 0 or step + 1 == a.steps:
            line = {"step": step + 1, "loss": round(loss.item(), 4), "seconds": round(time.time() - start, 1)}
            line.update({k: round(v, 4) for k, v in evaluate(model, vocab, a.world, size, context).items()})
            print(json.dumps(line), flush=True)
            results.append(line)
    with open(a.json, "w") as f:
        json.dump({"args": vars(a), "torch": torch.__version__, "open_clip": open_clip.__version__,
                   "evaluations": results}, f, indent=1)


if __name__ == "__main__":
    main()
