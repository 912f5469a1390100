"""scikit-learn side of latent's benchmarks (run by bench/run.mjs with /usr/bin/python3 and 1 BLAS thread).

Usage: sklearn_bench.py DIR, where DIR holds meta.json and the raw little-endian float64 .bin files that
bench/run.mjs wrote (data and fixed initial parameters). For every case it times the fit at n_lo and n_hi
iterations (tol=0, alternating rounds of one fit each, ≥ `repeats` rounds and ≥ 1 s, after one warm-up) and prints one JSON object on stdout:
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


def alternating_ms(fit, lo, hi, repeats, min_seconds=1.0, max_rounds=50):
    """Alternating rounds of one fit(lo) and one fit(hi), at least `repeats` rounds and `min_seconds` of fitting:
    medians of T(lo), T(hi) and of the per-round differences (a slow phase of the machine hits both ends of a round)."""
    t_lo, t_hi, diffs = [], [], []
    out_lo = out_hi = None
    while len(diffs) < repeats or (sum(t_lo) + sum(t_hi) < min_seconds * 1e3 and len(diffs) < max_rounds):
        t0 = time.perf_counter()
        out_lo = fit(lo)
        t1 = time.perf_counter()
        out_hi = fit(hi)
        t2 = time.perf_counter()
        t_lo.append((t1 - t0) * 1e3)
        t_hi.append((t2 - t1) * 1e3)
        diffs.append(t_hi[-1] - t_lo[-1])
    return statistics.median(t_lo), statistics.median(t_hi), statistics.median(diffs), out_lo, out_hi


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
        t_lo, t_hi, diff, (it_lo, _, _), (it_hi, value, params) = alternating_ms(fit, lo, hi, repeats, min_s)
        cases[case["name"]] = {
            "tLo": t_lo,
            "tHi": t_hi,
            "diff": diff,
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
