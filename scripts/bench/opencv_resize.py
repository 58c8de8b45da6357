"""Side-by-side reference for `vlm bench ingest`: what img2dataset's resizer (OpenCV) does per core on the same JPEGs.

Decode, border-resize to 256 (INTER_AREA down, Lanczos up, white padding, as img2dataset's resizer), encode JPEG quality 95,
on one thread. Usage (after `./vlm bench ingest`, which writes the JPEGs):
    pip install opencv-python-headless
    python3 scripts/bench/opencv_resize.py work/bench/ingest/jpegs-500 work/bench/ingest/jpegs-1600
Not a dependency of spark-vlm: a measuring stick only.
"""
import glob
import statistics
import sys
import time

import cv2
import numpy as np

cv2.setNumThreads(1)


def border_resize(img, size=256):
    h, w = img.shape[:2]
    scale = size / max(h, w)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LANCZOS4
    img = cv2.resize(img, (nw, nh), interpolation=interp)
    top, left = (size - nh) // 2, (size - nw) // 2
    return cv2.copyMakeBorder(img, top, size - nh - top, left, size - nw - left, cv2.BORDER_CONSTANT, value=[255, 255, 255])


for folder in sys.argv[1:]:
    files = sorted(glob.glob(folder + "/*.jpg"))
    data = [open(f, "rb").read() for f in files]
    rates = []
    for _ in range(3):
        start = time.perf_counter()
        for b in data:
            img = cv2.imdecode(np.frombuffer(b, np.uint8), cv2.IMREAD_COLOR)
            out = border_resize(img)
            ok, enc = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, 95])
        rates.append(len(data) / (time.perf_counter() - start))
    print(f"{folder}: {len(data)} images, OpenCV {cv2.__version__} decode+border-resize+encode: "
          f"{statistics.median(rates):.0f} images/s on one core")
