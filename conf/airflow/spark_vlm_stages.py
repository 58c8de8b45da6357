"""The spark-vlm pipeline as data: one entry per stage, in the order of the map (docs/architecture.md).

Each stage is one Spark job: its main class in the shaded jar, the `--conf KEY=VALUE` overrides it gets on top of
the run's config file, and the stages it waits for. Values are Airflow (Jinja) templates: `params.*` are the DAG's
params, `run_root` is the run's folder (`params.run_root` and the run's logical time, so every run writes apart).
spark_vlm_pipeline.py builds the DAG from this table; `python3 spark_vlm_stages.py` prints it as JSON, which the
project's tests check against the jar (every main class and config key must exist). No Airflow import here.
"""
import json
import sys

RUN_ROOT = "{{ params.run_root }}/{{ ts_nodash }}"
CHECKPOINTS = RUN_ROOT + "/checkpoints"

# What every stage gets: the run's root (every default path hangs from it) and the master-independent settings.
# every stage skips itself when its outputs are complete, so rerunning a whole DAG run redoes only what had not
# finished (training stages resume instead: resume=true below)
COMMON_CONF = {"paths.root": RUN_ROOT, "output.skip-complete": "true"}

STAGES = [
    {
        "task_id": "ingest",
        "java_class": "io.sparkvlm.ingest.IngestJob",
        "conf": {"ingest.input.path": "{{ params.input }}", "ingest.input.format": "{{ params.input_format }}"},
        "upstream": [],
    },
    {
        "task_id": "pretrain_clip_round0",
        "java_class": "io.sparkvlm.pretrain.PretrainClipJob",
        "conf": {
            "pretrain.clip.model": "{{ params.clip_preset }}",
            "pretrain.clip.output": CHECKPOINTS + "/clip-r0",
            "pretrain.clip.resume": "true",
        },
        "upstream": ["ingest"],
    },
    {
        "task_id": "pretrain_lm",
        "java_class": "io.sparkvlm.pretrain.PretrainLmJob",
        "conf": {
            "pretrain.lm.model": "{{ params.lm_preset }}",
            "pretrain.lm.output": CHECKPOINTS + "/lm",
            "pretrain.lm.resume": "true",
        },
        "upstream": ["ingest"],
    },
    {
        "task_id": "filter",
        "java_class": "io.sparkvlm.filter.FilterJob",
        "conf": {
            "filter.clip": CHECKPOINTS + "/clip-r0",
            "filter.lm": CHECKPOINTS + "/lm",
            "filter.captioner.resume": "true",
            "filter.matcher.resume": "true",
        },
        "upstream": ["pretrain_clip_round0", "pretrain_lm"],
    },
    {
        "task_id": "pretrain_clip_round1",
        "java_class": "io.sparkvlm.pretrain.PretrainClipJob",
        "conf": {
            "pretrain.clip.model": "{{ params.clip_preset }}",
            "pretrain.clip.input": RUN_ROOT + "/bootstrapped",
            "pretrain.clip.output": CHECKPOINTS + "/clip-r1",
            "pretrain.clip.resume": "true",
        },
        "upstream": ["filter"],
    },
    {
        "task_id": "align",
        "java_class": "io.sparkvlm.instruct.AlignJob",
        "conf": {
            "align.clip": CHECKPOINTS + "/clip-r1",
            "align.lm": CHECKPOINTS + "/lm",
            "align.output": CHECKPOINTS + "/align",
            "align.resume": "true",
        },
        "upstream": ["pretrain_clip_round1", "pretrain_lm"],
    },
    {
        "task_id": "instruct",
        "java_class": "io.sparkvlm.instruct.InstructJob",
        "conf": {
            "instruct.from": CHECKPOINTS + "/align",
            "instruct.output": CHECKPOINTS + "/instruct",
            "instruct.resume": "true",
        },
        "upstream": ["align"],
    },
    {
        "task_id": "eval_model",
        "java_class": "io.sparkvlm.eval.EvalJob",
        "conf": {
            "eval.model.checkpoint": CHECKPOINTS + "/instruct",
            "eval.model.report": RUN_ROOT + "/reports/model",
        },
        "upstream": ["instruct"],
    },
    {
        "task_id": "detect_train",
        "java_class": "io.sparkvlm.detect.TrainDetectorJob",
        "conf": {
            "detect.train.clip": CHECKPOINTS + "/clip-r1",
            "detect.train.output": CHECKPOINTS + "/detector",
            "detect.train.resume": "true",
        },
        "upstream": ["pretrain_clip_round1"],
    },
    {
        "task_id": "detect_dataset",
        "java_class": "io.sparkvlm.detect.DetectJob",
        "conf": {
            "detect.dataset.checkpoint": CHECKPOINTS + "/detector",
            "detect.dataset.output": RUN_ROOT + "/reports/detection-results",
        },
        "upstream": ["detect_train"],
    },
]


def application_args(stage):
    """The job's command line: the run's config file, then every override (later wins, as on the CLI)."""
    args = ["--config", "{{ params.config }}"]
    for key, value in {**COMMON_CONF, **stage["conf"]}.items():
        args += ["--conf", f"{key}={value}"]
    return args


if __name__ == "__main__":
    json.dump([{**s, "application_args": application_args(s)} for s in STAGES], sys.stdout, indent=1)
    print()
