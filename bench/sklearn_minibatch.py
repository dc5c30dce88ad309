"""scikit-learn's side of bench/minibatch.ts: MiniBatchKMeans (its defaults: batch_size 1024,
n_init 3, max_no_improvement 10, reassignment_ratio 0.01, tol 0) on the same blobs, one thread.

Usage: python3 bench/sklearn_minibatch.py INPUTS_JSON OUT_JSON
INPUTS_JSON (written by `node dist/bench/minibatch.js --sklearn`) names raw little-endian f64 files
and their shapes. Each fit runs once, as on custseg's side.
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.cluster import MiniBatchKMeans
from threadpoolctl import threadpool_limits

spec = json.load(open(sys.argv[1]))
rows = []
with threadpool_limits(1):
    for s in spec["inputs"]:
        x = np.fromfile(s["file"], dtype="<f8").reshape(s["rows"], s["cols"])
        t = time.perf_counter()
        km = MiniBatchKMeans(n_clusters=spec["k"], n_init=3, random_state=spec["seed"]).fit(x)
        ms = (time.perf_counter() - t) * 1000
        rows.append({"rows": s["rows"], "cols": s["cols"], "k": spec["k"], "impl": "scikit-learn MiniBatchKMeans", "wallMs": ms, "inertia": float(km.inertia_), "nIter": int(km.n_iter_), "nSteps": int(km.n_steps_), "nInit": 3})
        print(f"  {s['rows']} rows: scikit-learn MiniBatchKMeans {ms / 1000:.2f} s, inertia {km.inertia_:.6e}, {km.n_steps_} steps", file=sys.stderr)
        del x
json.dump({"suite": "sklearn-minibatch", "sklearn": sklearn.__version__, "numpy": np.__version__, "threads": 1, "rows": rows}, open(sys.argv[2], "w"), indent=1)
