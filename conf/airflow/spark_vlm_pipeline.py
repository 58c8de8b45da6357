"""spark-vlm as an Airflow DAG: one SparkSubmitOperator per stage, wired as the pipeline's map.

For Airflow 3 (airflow.sdk). Needs apache-airflow-providers-apache-spark and the Spark connection `spark_default`
(CONN_ID below) whose host is the cluster's master and whose extras name the deploy mode; the shaded jar
(`mvn -DskipTests package` -> cli/target/spark-vlm.jar) on storage the Spark client can read. The stages and
their overrides are data in spark_vlm_stages.py.

Reruns: every run writes under `params.run_root`/<logical time>. Training stages run with resume=true, so a retry
continues from the newest complete checkpoint; ingest skips the download shards whose stats exist. A job exits 2
on bad arguments or configuration (not worth retrying: the same command fails the same way), 1 when the job
failed. See docs/airflow.md for what exit code 2 becomes under each deploy mode.
"""
from datetime import datetime, timedelta

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import DAG, Param

from spark_vlm_stages import STAGES, application_args

# The Airflow connection to the Spark master (conn_id is not a templated field of SparkSubmitOperator).
CONN_ID = "spark_default"

# Settings every stage's job gets from spark-submit (docs/airflow.md says why each one is there).
SPARK_CONF = {
    # Training keeps one data-parallel worker per task slot for a whole epoch; ingest's shards hold open downloads.
    "spark.dynamicAllocation.enabled": "false",
    # A speculative copy of a training task would be a second worker averaging the same slice.
    "spark.speculation": "false",
    # ND4J and OpenCV allocate off-heap through JavaCPP: room for it beside the heap.
    "spark.executor.memoryOverhead": "{{ params.executor_memory_overhead }}",
    "spark.executor.extraJavaOptions": "-Dorg.bytedeco.javacpp.maxbytes={{ params.javacpp_max_bytes }}"
    " -Dorg.bytedeco.javacpp.maxphysicalbytes={{ params.javacpp_max_physical_bytes }}",
}

default_args = {
    "owner": "spark-vlm",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": True,
}

with DAG(
    dag_id="spark_vlm_pipeline",
    description="ingest -> CLIP round 0 + LM -> CapFilt -> CLIP round 1 -> align -> instruct -> eval",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=default_args,
    max_active_runs=1,
    params={
        "jar": Param("s3a://my-bucket/spark-vlm/spark-vlm.jar", type="string", description="the shaded jar"),
        "config": Param("classpath:conf/pipeline.conf", type="string", description="the run's HOCON config"),
        "run_root": Param("s3a://my-bucket/spark-vlm/runs", type="string", description="runs are written below"),
        "input": Param("s3a://my-bucket/laion/part-00000.parquet", type="string", description="URL-caption rows"),
        "input_format": Param("parquet", type="string", description="parquet, csv, tsv, jsonl, ..."),
        "clip_preset": Param("tiny", type="string", description="CLIP preset (conf/models)"),
        "lm_preset": Param("lm-tiny", type="string", description="LM preset (conf/models)"),
        "executor_memory_overhead": Param("4g", type="string"),
        "javacpp_max_bytes": Param("8G", type="string"),
        "javacpp_max_physical_bytes": Param("12G", type="string"),
    },
    tags=["spark-vlm"],
) as dag:
    tasks = {}
    for stage in STAGES:
        tasks[stage["task_id"]] = SparkSubmitOperator(
            task_id=stage["task_id"],
            application="{{ params.jar }}",
            java_class=stage["java_class"],
            conn_id=CONN_ID,
            conf=SPARK_CONF,
            application_args=application_args(stage),
            name="spark-vlm-" + stage["task_id"],
        )
    for stage in STAGES:
        for upstream in stage["upstream"]:
            tasks[upstream] >> tasks[stage["task_id"]]
