"""scikit-learn's IsolationForest beside the kernel benchmark's isolation forest rows.

Usage: python3 bench/sklearn_forest.py [--threads 1,2]
Grows scikit-learn 1.2's default forest (100 trees of 256 rows) and scores every row, on the UCI
customers' 15 features before outlier removal (../shared/reference/seed-pipeline/
customer_features_pre_outlier.csv, 4,282 rows) and on 100,000×16 standard normal rows; prints the
median of 7 (3 for the large input) runs per n_jobs, in milliseconds.
"""
import os
import sys
import time

import numpy as np
from sklearn.ensemble import IsolationForest

here = os.path.dirname(os.path.abspath(__file__))
thread_counts = [int(t) for t in (sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1,2").split(",")]
real_csv = os.path.join(here, "..", "..", "shared", "reference", "seed-pipeline", "customer_features_pre_outlier.csv")

inputs = [("100,000×16 normal rows", np.random.default_rng(1).normal(size=(100_000, 16)), 3)]
if os.path.exists(real_csv):
    inputs.insert(0, ("4,282×15 UCI features", np.loadtxt(real_csv, delimiter=",", skiprows=1)[:, 1:], 7))
else:
    print(f"skipping the UCI features: {real_csv} is absent", file=sys.stderr)

for label, x, runs in inputs:
    for jobs in thread_counts:
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            IsolationForest(n_estimators=100, max_samples=256, random_state=0, n_jobs=jobs).fit(x).score_samples(x)
            times.append(1000 * (time.perf_counter() - t))
        print(f"isolation forest  {label}  n_jobs={jobs}  {sorted(times)[len(times) // 2]:.1f} ms")
