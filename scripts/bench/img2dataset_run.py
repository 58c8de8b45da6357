"""Side-by-side reference for `vlm ingest` end to end: img2dataset's own code on the same URL list and web.

img2dataset is not on the package stores reachable here, and four of its imports are not either; run its source
(a checkout of github.com/rom1504/img2dataset, `img2dataset/` inside it) with stand-ins written to a temporary
folder: albumentations' four transforms its resizer calls, as the same cv2 calls (sizes rounded as albumentations
does, centred constant padding); exifread, webdataset, fire and wandb, which these options never call (no EXIF,
parquet output, the Python API, no wandb). Needs opencv-python-headless, pyarrow, pandas, fsspec and tqdm.

    python3 scripts/bench/img2dataset_run.py IMG2DATASET_CHECKOUT URLS.tsv OUT [THREADS] [PER_SHARD]

Prints img2dataset's own progress lines and the wall time of its `download` call. Not a dependency of spark-vlm:
a measuring stick only (docs/stages/ingest.md, "End to end against img2dataset").
"""
import os
import shutil
import sys
import tempfile
import time

ALBUMENTATIONS = '''
import cv2


class _MaxSize:
    def __init__(self, max_size, interpolation, pick):
        self.max_size, self.interpolation, self.pick = max_size, interpolation, pick

    def __call__(self, image):
        h, w = image.shape[:2]
        scale = self.max_size / float(self.pick(h, w))
        if scale != 1.0:
            image = cv2.resize(image, (int(round(w * scale)), int(round(h * scale))), interpolation=self.interpolation)
        return {"image": image}


def LongestMaxSize(max_size, interpolation, p=1.0):
    return _MaxSize(max_size, interpolation, max)


def SmallestMaxSize(max_size, interpolation, p=1.0):
    return _MaxSize(max_size, interpolation, min)


class CenterCrop:
    def __init__(self, height, width, p=1.0):
        self.h, self.w = height, width

    def __call__(self, image):
        y, x = (image.shape[0] - self.h) // 2, (image.shape[1] - self.w) // 2
        return {"image": image[y:y + self.h, x:x + self.w]}


class PadIfNeeded:
    def __init__(self, min_height, min_width, border_mode, value, p=1.0):
        self.h, self.w, self.mode, self.value = min_height, min_width, border_mode, value

    def __call__(self, image):
        dh, dw = max(0, self.h - image.shape[0]), max(0, self.w - image.shape[1])
        return {"image": cv2.copyMakeBorder(image, dh // 2, dh - dh // 2, dw // 2, dw - dw // 2, self.mode,
                                            value=self.value)}
'''

UNUSED = {"exifread.py": "def process_file(*args, **kwargs):\n    return {}\n",
          "fire.py": "def Fire(*args, **kwargs):\n    return None\n", "webdataset.py": "", "wandb.py": ""}


def main():
    checkout, urls, out = sys.argv[1:4]
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 16
    per_shard = int(sys.argv[5]) if len(sys.argv) > 5 else 1000
    stand_ins = tempfile.mkdtemp(prefix="img2dataset-stand-ins-")
    os.makedirs(os.path.join(stand_ins, "albumentations"))
    with open(os.path.join(stand_ins, "albumentations", "__init__.py"), "w") as f:
        f.write(ALBUMENTATIONS)
    for name, text in UNUSED.items():
        with open(os.path.join(stand_ins, name), "w") as f:
            f.write(text)
    sys.path[:0] = [stand_ins, checkout]
    # img2dataset's worker processes start fresh interpreters: they find the modules through the environment
    os.environ["PYTHONPATH"] = os.pathsep.join([stand_ins, checkout, os.environ.get("PYTHONPATH", "")])
    from img2dataset import download  # noqa: E402 (after the stand-ins are on the path)

    shutil.rmtree(out, ignore_errors=True)
    start = time.time()
    download(url_list=urls, input_format="tsv", url_col="url", caption_col="caption", output_format="parquet",
             output_folder=out, processes_count=2, thread_count=threads, image_size=256, resize_mode="border",
             encode_quality=95, number_sample_per_shard=per_shard, distributor="multiprocessing", enable_wandb=False,
             extract_exif=False, timeout=10, retries=0)
    print(f"img2dataset: {time.time() - start:.1f} s for download() ({threads} threads x 2 processes, "
          f"{per_shard} per shard)")
    shutil.rmtree(stand_ins, ignore_errors=True)


if __name__ == "__main__":
    main()
