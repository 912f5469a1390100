"""scikit-learn side of latent's benchmarks (run by bench/run.mjs with /usr/bin/python3 and 1 BLAS thread).

Usage: sklearn_bench.py DIR, where DIR holds meta.json and the raw little-endian float64 .bin files that
bench/run.mjs wrote (data and fixed initial parameters). For every case it times the fit at n_lo and n_hi
iterations (tol=0, median of ≥ `repeats` runs and ≥ 1 s, after one warm-up) and prints one JSON object on stdout:
{ sklearn, numpy, python, blas, cases: { name: { tLo, tHi, nIterLo, nIterHi, valueHi, paramsHi } } }
with times in ms; value is lower_bound_ (GMM) or inertia_ (k-means), params the means / cluster centres.
"""
import json
import os
import platform
import statistics
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


def median_ms(fit, max_iter, repeats, min_seconds=1.0, max_runs=50):
    """Median wall time (ms) of at least `repeats` fits, continuing until `min_seconds` have passed."""
    times = []
    out = None
    while len(times) < repeats or (sum(times) < min_seconds * 1e3 and len(times) < max_runs):
        t0 = time.perf_counter()
        out = fit(max_iter)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), out


def main():
    directory = sys.argv[1]
    with open(os.path.join(directory, "meta.json")) as f:
        meta = json.load(f)
    warnings.simplefilter("ignore", ConvergenceWarning)
    lo, hi, repeats, min_s = meta["nLo"], meta["nHi"], meta["repeats"], meta.get("minSeconds", 1.0)
    cases = {}
    for case in meta["cases"]:
        print(f"  sklearn {case['name']} …", file=sys.stderr, flush=True)
        fit = make_fit(case, directory, meta["regCovar"])
        fit(lo)  # warm-up (imports, caches)
        t_lo, (it_lo, _, _) = median_ms(fit, lo, repeats, min_s)
        t_hi, (it_hi, value, params) = median_ms(fit, hi, repeats, min_s)
        cases[case["name"]] = {
            "tLo": t_lo,
            "tHi": t_hi,
            "nIterLo": int(it_lo),
            "nIterHi": int(it_hi),
            "valueHi": value,
            "paramsHi": np.asarray(params).ravel().tolist(),
        }
    json.dump(
        {
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
            "blas": blas_info(),
            "cases": cases,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
