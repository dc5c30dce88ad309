"""scikit-learn's side of the k-means benchmark rows (bench/cases/kmeans.ts), on the same inputs.

Usage: python3 bench/sklearn_kmeans.py INPUT_DIR OUT_JSON [--quick] [--threads 1,2]
INPUT_DIR holds the synthetic matrices written by `node dist/bench/kernels.js --sklearn` (raw
little-endian f64, shapes in inputs.json); the real components are read from ../shared. Each case
runs at 1 and at 2 threads (OpenMP and BLAS alike; --threads to choose) and reports the better
median, as the README's tables do. On a loaded machine OpenMP's spinning makes 2 threads far slower
than 1: --threads 1 then gives scikit-learn its best figure in a fraction of the time.
"""
import json
import os
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits
from sklearn.cluster import KMeans
from sklearn.cluster._k_means_lloyd import lloyd_iter_chunked_dense
from sklearn.cluster._kmeans import _kmeans_plusplus

here = os.path.dirname(os.path.abspath(__file__))
in_dir, out_path = sys.argv[1], sys.argv[2]
quick = "--quick" in sys.argv
thread_counts = [int(t) for t in (sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1,2").split(",")]
real_csv = os.path.join(here, "..", "..", "shared", "reference", "seed-pipeline", "pca_output.csv")

shapes = json.load(open(os.path.join(in_dir, "inputs.json")))
inputs = {
    label: np.fromfile(os.path.join(in_dir, s["file"]), dtype="<f8").reshape(s["rows"], s["cols"])
    for label, s in shapes["inputs"].items()
}
inputs["4,067×6 UCI PCs"] = np.loadtxt(real_csv, delimiter=",", skiprows=1)[:, 1:].copy()


def median_ms(fn, min_time=0.3 if quick else 1.0, min_samples=3 if quick else 10):
    fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_samples or time.perf_counter() - start < min_time:
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
        if len(times) >= 500:
            break
    return float(np.median(times)), len(times)


def lloyd_iteration(x, k):
    def run():
        centers = x[:k].copy()
        new = np.empty_like(centers)
        weight = np.zeros(k)
        labels = np.full(x.shape[0], -1, dtype=np.int32)
        shift = np.zeros(k)
        lloyd_iter_chunked_dense(x, sw, centers, new, weight, labels, shift, threads)

    sw = np.ones(x.shape[0])
    return run


def seeding(x, k):
    norms = (x * x).sum(axis=1)
    return lambda: _kmeans_plusplus(x, k, norms, np.random.RandomState(0))


def fit(x, **kw):
    return lambda: KMeans(algorithm="lloyd", random_state=0, **kw).fit(x)


cases = []
for size in ["100,000×16 blobs", "1,000,000×16 blobs", "4,067×6 UCI PCs"]:
    cases.append(("lloyd iteration k=8", size, lambda x=size: lloyd_iteration(inputs[x], 8)))
for size in ["1,000,000×16 blobs", "4,067×6 UCI PCs"]:
    cases.append(("k-means++ seeding k=8", size, lambda x=size: seeding(inputs[x], 8)))
for size, k in [("4,067×6 blobs", 3), ("4,067×6 UCI PCs", 3), ("100,000×16 blobs", 8)]:
    cases.append(("kmeans fit nInit 10", size, lambda x=size, k=k: fit(inputs[x], n_clusters=k, n_init=10)))
fits = [
    ("kmeans fit k=3 k-means++ nInit 10 maxIter 100", "4,067×6 blobs", dict(n_clusters=3, n_init=10, max_iter=100)),
    ("kmeans fit k=8 random nInit 50 maxIter 1000", "4,067×6 blobs (8)", dict(n_clusters=8, init="random", n_init=50, max_iter=1000)),
    ("kmeans fit k=8 k-means++ nInit 50", "4,067×6 blobs (8)", dict(n_clusters=8, n_init=50)),
]
for name, synthetic, kw in fits:
    for size in [synthetic, "4,067×6 UCI PCs"]:
        cases.append((name, size, lambda x=size, kw=kw: fit(inputs[x], **kw)))

rows = []
for kernel, size, make in cases:
    best = None
    for threads in thread_counts:
        with threadpool_limits(limits=threads):
            fn = make()
            ms, samples = median_ms(fn)
        sys.stderr.write(f"  {kernel} {size} scikit-learn {threads}t {ms:10.3f} ms ({samples} samples)\n")
        if best is None or ms < best["medianMs"]:
            best = {"kernel": kernel, "size": size, "impl": "scikit-learn", "medianMs": ms, "samples": samples, "threads": threads}
    rows.append(best)

import sklearn

json.dump({"suite": "kernels-sklearn", "sklearn": sklearn.__version__, "numpy": np.__version__, "rows": rows}, open(out_path, "w"), indent=1)
