#!/usr/bin/env bash
# LLaVA's prefix fusion against Flamingo's gated cross-attention, on the same data and steps.
#
# Runs align (stage 1) + instruct (stage 2) + eval model once per variant, from the round-1 CLIP and the LM of a
# finished `./vlm demo` run, with the demo's step budgets, then prints a table and writes fusion.json:
# VQA accuracy (official metric), CIDEr-D of the captions, trainable parameters per stage, samples/s per stage.
#
#   scripts/bench/compare_fusion.sh DEMO_OUT [RESULTS_DIR]
#   ALIGN_SEED=7 INSTRUCT_SEED=8 scripts/bench/compare_fusion.sh DEMO_OUT DEMO_OUT/fusion-seed-7-8
#
# ALIGN_SEED and INSTRUCT_SEED (optional) set align.seed and instruct.seed, for a second pair of training seeds;
# unset, each stage keeps its reference.conf seed (42 and 43), as the demo does.
# DEMO_OUT is the demo's output folder (it holds synth/, pairs/, clip-r1/, lm/). Variants are written under
# RESULTS_DIR (default DEMO_OUT/fusion); an existing RESULTS_DIR is replaced. Needs the built jar (./vlm builds it).
set -euo pipefail
demo=${1:?usage: compare_fusion.sh DEMO_OUT [RESULTS_DIR]}
demo=$(cd "$demo" && pwd)
results=${2:-$demo/fusion}
for d in synth pairs clip-r1 lm; do
  [[ -d $demo/$d ]] || { echo "compare_fusion: $demo/$d is missing: run ./vlm demo first" >&2; exit 2; }
done
for seed in ALIGN_SEED INSTRUCT_SEED; do
  value=${!seed:-}
  [[ -z $value || $value =~ ^[0-9]+$ ]] || { echo "compare_fusion: $seed must be a whole number, got '$value'" >&2; exit 2; }
done
here=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$results"
mkdir -p "$results"

# name | align/instruct overrides
variants=(
  "prefix-mlp2x_gelu|align.connector=mlp2x_gelu align.fusion=prefix"
  "prefix-resampler|align.connector=resampler align.fusion=prefix"
  "cross-attention-resampler|align.connector=resampler align.fusion=cross-attention align.cross-attention-every=1"
)
# the demo's settings for these stages (cli/.../Demo.java)
common=(paths.root="$results" paths.synth="$demo/synth" align.input="$demo/pairs" align.clip="$demo/clip-r1"
  align.lm="$demo/lm" align.epochs=3 align.checkpoint-every-steps=50 instruct.root="$demo/synth"
  instruct.epochs=6 instruct.checkpoint-every-steps=50 instruct.optimiser.learning-rate=3e-3
  'instruct.vqa.instruction="One word."' 'eval.model.generation.vqa-instruction="One word."' output.overwrite=true)
[[ -n ${ALIGN_SEED:-} ]] && common+=(align.seed="$ALIGN_SEED")
[[ -n ${INSTRUCT_SEED:-} ]] && common+=(instruct.seed="$INSTRUCT_SEED")

for v in "${variants[@]}"; do
  name=${v%%|*}
  extra=(${v#*|})
  out=$results/$name
  confs=()
  for kv in "${common[@]}" "${extra[@]}" align.output="$out/align" instruct.from="$out/align" \
      instruct.output="$out/instruct" eval.model.checkpoint="$out/instruct" eval.model.report="$out/report"; do
    confs+=(--conf "$kv")
  done
  echo "== $name"
  for stage in align instruct "eval model"; do
    # shellcheck disable=SC2086
    VLM_SKIP_BUILD=${VLM_SKIP_BUILD:-} "$here/vlm" $stage "${confs[@]}" 2>&1 | tee -a "$out.log" \
      | grep -E "done in|model .* parameters|accuracy|CIDEr" || true
    export VLM_SKIP_BUILD=1
  done
done

python3 - "$results" "${variants[@]%%|*}" <<'EOF'
import json, pathlib, re, statistics, sys
root = pathlib.Path(sys.argv[1])
rows = []
for name in sys.argv[2:]:
    d = root / name
    m = json.loads((d / "report" / "metrics.json").read_text())
    log = (root / (name + ".log")).read_text()
    params = dict(re.findall(r"(align|instruct): model \S+ \(\d+ parameters, (\d+) trainable\)", log))
    row = {"variant": name, "vqa": m["vqa/questions_test/accuracy"],
           "cider_d": round(m["captioning/captions_test/CIDEr"], 3)}
    for stage in ("align", "instruct"):
        steps = [json.loads(l) for l in (d / stage / "metrics.jsonl").read_text().splitlines() if l.strip()]
        rates = [s["samples_per_s"] for s in steps if "samples_per_s" in s]
        row[stage + "_steps"] = steps[-1]["step"]
        row[stage + "_samples_per_s"] = round(statistics.median(rates), 1)
        row[stage + "_trainable_params"] = int(params[stage]) if stage in params else None
    for t in ("what color is the", "what shape is the", "how many", "is there a"):
        row["vqa/" + t] = m.get("vqa/questions_test/question_type/" + t)
    rows.append(row)
(root / "fusion.json").write_text(json.dumps(rows, indent=2) + "\n")
cols = list(rows[0])
print("| " + " | ".join(cols) + " |")
print("|" + " --- |" * len(cols))
for r in rows:
    print("| " + " | ".join(str(r[c]) for c in cols) + " |")
print("written", root / "fusion.json")
EOF
