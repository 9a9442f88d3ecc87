#!/usr/bin/env python3
"""PyTorch's side of scripts/compare-with-pytorch: the same measurements as `nabla bench`, printed as JSON.

Run with Debian's python3-torch, with OPENBLAS_NUM_THREADS=1 and 2 torch threads (PyTorch's best setting here).
GEMM uses numpy (Debian's OpenBLAS) for the BLAS reference, with OPENBLAS_NUM_THREADS as given.
"""
import json
import os
import resource
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

threads = int(os.environ.get("TORCH_THREADS", "2"))
torch.set_num_threads(threads)
steps = int(os.environ.get("BENCH_STEPS", "40"))
SHAPES = [(1024, 1024, 1024, 0), (100352, 32, 9, 0), (25088, 64, 288, 0), (128, 128, 3136, 1), (288, 25088, 64, 0),
          (64, 288, 25088, 1), (128, 3136, 128, 0), (3136, 128, 128, 1)]


def median_time(fn, reps):
    for _ in range(max(3, reps // 3)):
        fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def gemm(m, n, k, trans):
    a = np.random.rand(m, k).astype(np.float32)
    b = np.random.rand(n, k).astype(np.float32).T if trans else np.random.rand(k, n).astype(np.float32)
    flop = 2.0 * m * n * k
    reps = int(max(3, min(200, 3e10 / flop)))
    return flop / median_time(lambda: a @ b, reps) / 1e9


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "torch-golden"))
from gen_nn import ReferenceCNN as CNN  # noqa: E402  (the same model the golden tests use)


def train_step_ms():
    torch.manual_seed(0)
    m = CNN()
    opt = torch.optim.Adam(m.parameters(), lr=1e-3, weight_decay=1e-4)
    x, y = torch.randn(128, 1, 28, 28), torch.randint(0, 10, (128,))

    def step():
        opt.zero_grad()
        F.cross_entropy(m(x), y).backward()
        opt.step()
    return 1e3 * median_time(step, steps)


def inference():
    m = CNN().eval()
    x = torch.randn(256, 1, 28, 28)
    with torch.no_grad():
        return 256 / median_time(lambda: m(x), steps)


def epoch_s():
    import gzip
    with gzip.open("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open("/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    x = (torch.from_numpy(images.astype(np.float32)) / 255 - 0.2860) / 0.3530
    y = torch.from_numpy(labels.astype(np.int64))
    torch.manual_seed(0)
    m = CNN()
    opt = torch.optim.Adam(m.parameters(), lr=1e-3, weight_decay=1e-4)
    perm = torch.randperm(len(y))
    t0 = time.perf_counter()
    for i in range(0, len(y), 128):
        idx = perm[i:i + 128]
        opt.zero_grad()
        F.cross_entropy(m(x[idx]), y[idx]).backward()
        opt.step()
    return time.perf_counter() - t0


if "--gemm-only" in sys.argv:  # the OpenBLAS reference column: numpy with OPENBLAS_NUM_THREADS as given
    print(json.dumps({f"{m}x{n}x{k}{'T' if t else ''}": gemm(m, n, k, t) for m, n, k, t in SHAPES}))
    sys.exit(0)
r = {"threads": threads, "torch": torch.__version__,
     "gemm_gflops": {f"{m}x{n}x{k}{'T' if t else ''}": gemm(m, n, k, t) for m, n, k, t in SHAPES},
     "train_step_ms": train_step_ms(), "inference_images_per_s": inference()}
if "--epoch" in sys.argv:
    r["epoch_s"] = epoch_s()
r["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print(json.dumps(r))
