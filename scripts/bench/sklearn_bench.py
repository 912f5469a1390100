"""scikit-learn side of latent's benchmarks (run by bench/run.mjs with /usr/bin/python3 and 1 BLAS thread).

Usage: sklearn_bench.py DIR, where DIR holds meta.json and the raw little-endian float64 .bin files that
bench/run.mjs wrote (data and fixed initial parameters). A worker: it prints one JSON line of versions, then answers
each request line {"case", "n", "params"?} with one fit of n iterations (tol=0) as {"ms", "nIter", "value", "params"?}
(ms: time.perf_counter around the fit alone; value: lower_bound_ for GMM, inertia_ for k-means; params: the means /
cluster centres), until stdin closes. bench/run.mjs interleaves these fits with its own in the same rounds.
"""
import json
import os
import platform
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture


def load(directory, name, shape):
    return np.fromfile(os.path.join(directory, name), dtype="<f8").reshape(shape)


def blas_info():
    try:
        from threadpoolctl import threadpool_info

        return "; ".join(
            f"{p.get('internal_api')} {p.get('version')} ({p.get('num_threads')} thread(s), {p.get('user_api')})"
            for p in threadpool_info()
        )
    except Exception as e:  # threadpoolctl missing or failing: not fatal
        return f"unknown ({e})"


def make_fit(case, directory, reg_covar):
    n, d, k = case["n"], case["d"], case["k"]
    X = load(directory, case["x"], (n, d))
    if case["kind"] == "kmeans":
        centers = load(directory, case["centers"], (k, d))

        def fit(max_iter):
            m = KMeans(n_clusters=k, init=centers, n_init=1, tol=0, max_iter=max_iter, algorithm="lloyd").fit(X)
            return m.n_iter_, float(m.inertia_), m.cluster_centers_

        return fit
    cov = case["covType"]
    weights = load(directory, case["weights"], (k,))
    means = load(directory, case["means"], (k, d))
    precisions = load(directory, case["precisions"], (k, d, d) if cov == "full" else (k, d))

    def fit(max_iter):
        m = GaussianMixture(
            n_components=k,
            covariance_type=cov,
            tol=0,
            max_iter=max_iter,
            reg_covar=reg_covar,
            weights_init=weights,
            means_init=means,
            precisions_init=precisions,
            init_params="random_from_data",  # cheap setup; overridden by the *_init parameters
            random_state=0,
        ).fit(X)
        return m.n_iter_, float(m.lower_bound_), m.means_

    return fit


def serve(directory, meta):
    """The worker loop described above."""
    fits = {case["name"]: make_fit(case, directory, meta["regCovar"]) for case in meta["cases"]}
    versions = {"sklearn": sklearn.__version__, "numpy": np.__version__, "python": platform.python_version(), "blas": blas_info()}
    print(json.dumps(versions), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        t0 = time.perf_counter()
        n_iter, value, params = fits[req["case"]](req["n"])
        ms = (time.perf_counter() - t0) * 1e3
        out = {"ms": ms, "nIter": int(n_iter), "value": value}
        if req.get("params"):
            out["params"] = np.asarray(params).ravel().tolist()
        print(json.dumps(out), flush=True)


def main():
    directory = sys.argv[1]
    with open(os.path.join(directory, "meta.json")) as f:
        meta = json.load(f)
    warnings.simplefilter("ignore", ConvergenceWarning)
    serve(directory, meta)


if __name__ == "__main__":
    main()
