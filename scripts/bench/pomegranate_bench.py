#!/usr/bin/python3
"""pomegranate 0.14 side of latent's Gaussian HMM benchmark (run by bench/hmm-run.mjs with /usr/bin/python3,
Debian's python3-pomegranate, and OMP/OPENBLAS/MKL_NUM_THREADS=1).

Usage: pomegranate_bench.py DIR, where DIR holds meta.json and the raw little-endian float64 .bin files that
bench/hmm-run.mjs wrote: the concatenated sequences X (N x D, row-major), and per case the fixed initial
parameters (startProb K, transMat K x K, means K x D, covars K x D x D or K x D variances).

For every case it builds the HMM (one State per hidden state, named s0..s{K-1} so that bake() keeps the order;
start probabilities as transitions from model.start; no transitions to model.end, so the likelihood is the plain
p(x_0 .. x_{T-1})), full covariance as MultivariateGaussianDistribution, diag as an
IndependentComponentsDistribution of NormalDistributions, and times

    model.fit(sequences, algorithm='baum-welch', max_iterations=n - 1, min_iterations=n - 1,
              stop_threshold=-inf, n_jobs=1, verbose=False, multiple_check_input=False)

pomegranate's loop is: [E] then n_iter x [M, E] then a final M before it breaks, so max_iterations = n - 1
gives exactly n E-steps and n M-steps -- the same work as latent's maxIter = n (whose final E-step is setup).
T(n_lo) and T(n_hi) are timed in `repeats` alternating rounds (fresh model each time, built outside the timer);
the per-iteration time is the median of the rounds' differences.
Also times Viterbi decoding (model.viterbi per sequence) with the generating parameters of each case.

Prints one JSON object on stdout:
{ pomegranate, numpy, python,
  cases: { name: { tLo, tHi, nLo, nHi, logLikHi, meansHi, startProbHi, viterbi: { ms, logProb, states } } } }
with times in ms; logLikHi = sum of model.log_probability over the sequences after n_hi M-steps.
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import json
import platform
import statistics
import sys
import time

import numpy as np
import pomegranate
from pomegranate import (
    HiddenMarkovModel,
    IndependentComponentsDistribution,
    MultivariateGaussianDistribution,
    NormalDistribution,
    State,
)


def load(directory, name, shape):
    return np.fromfile(os.path.join(directory, name), dtype="<f8").reshape(shape)


def build(cov_type, start, trans, means, covars):
    k, d = means.shape
    model = HiddenMarkovModel(name="bench-" + cov_type)
    states = []
    for s in range(k):
        if cov_type == "full":
            dist = MultivariateGaussianDistribution(means[s].copy(), covars[s].copy())
        else:
            dist = IndependentComponentsDistribution(
                [NormalDistribution(float(means[s, j]), float(np.sqrt(covars[s, j]))) for j in range(d)]
            )
        states.append(State(dist, name="s%d" % s))
    model.add_states(states)
    for s in range(k):
        model.add_transition(model.start, states[s], float(start[s]))
    for i in range(k):
        for j in range(k):
            model.add_transition(states[i], states[j], float(trans[i, j]))
    model.bake()
    names = [st.name for st in model.states[:k]]
    assert names == ["s%d" % s for s in range(k)], names
    return model


def fit(model, sequences, n):
    return model.fit(
        sequences,
        algorithm="baum-welch",
        max_iterations=n - 1,
        min_iterations=n - 1,
        stop_threshold=float("-inf"),
        n_jobs=1,
        verbose=False,
        multiple_check_input=False,
    )


def median_ms(make, run, repeats, min_seconds, max_runs=30):
    times = []
    out = None
    while len(times) < repeats or (sum(times) < min_seconds * 1e3 and len(times) < max_runs):
        obj = make()
        t0 = time.perf_counter()
        out = run(obj)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), out


def alternating_ms(make, run_lo, run_hi, repeats):
    """`repeats` alternating rounds of one run_lo and one run_hi (fresh model each, built outside the timer): medians
    of T(lo), T(hi) and of the per-round differences."""
    t_lo, t_hi, diffs = [], [], []
    out_hi = None
    for _ in range(repeats):
        a = make()
        t0 = time.perf_counter()
        run_lo(a)
        t_lo.append((time.perf_counter() - t0) * 1e3)
        b = make()
        t0 = time.perf_counter()
        out_hi = run_hi(b)
        t_hi.append((time.perf_counter() - t0) * 1e3)
        diffs.append(t_hi[-1] - t_lo[-1])
    return statistics.median(t_lo), statistics.median(t_hi), statistics.median(diffs), out_hi


def state_means(model, cov_type, k):
    out = []
    for s in range(k):
        dist = model.states[s].distribution
        if cov_type == "full":
            out.append([float(v) for v in dist.parameters[0]])
        else:
            out.append([float(c.parameters[0]) for c in dist.parameters[0]])
    return out


def viterbi(case, directory, sequences, k, d, repeats, min_s):
    """Times model.viterbi over every sequence with the generating parameters in case['truth']."""
    cov, t = case["covType"], case["truth"]
    model = build(
        cov,
        load(directory, t["startProb"], (k,)),
        load(directory, t["transMat"], (k, k)),
        load(directory, t["means"], (k, d)),
        load(directory, t["covars"], (k, d, d) if cov == "full" else (k, d)),
    )
    print("pomegranate %s viterbi ..." % case["name"], file=sys.stderr, flush=True)

    def decode(_):
        lp = 0.0
        states = []
        for s in sequences:
            logp, path = model.viterbi(s)
            lp += logp
            # the path includes the silent start (and end) states; keep the emitting ones, named s0..s{K-1}
            states.extend(int(st.name[1:]) for _, st in path if st.distribution is not None)
        return lp, states

    ms, (lp, states) = median_ms(lambda: None, decode, max(repeats, 5), min_s)
    return {"ms": ms, "logProb": lp, "states": states}


def main():
    directory = sys.argv[1]
    with open(os.path.join(directory, "meta.json")) as f:
        meta = json.load(f)
    n, d, k = meta["n"], meta["d"], meta["k"]
    X = load(directory, meta["x"], (n, d))
    sequences = []
    at = 0
    for length in meta["lengths"]:
        sequences.append(np.ascontiguousarray(X[at : at + length]))
        at += length
    n_lo, n_hi, repeats, min_s = meta["nLo"], meta["nHi"], meta["repeats"], meta["minSeconds"]

    result = {
        "pomegranate": pomegranate.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "cases": {},
    }
    for case in meta["cases"]:
        cov = case["covType"]
        params = (
            load(directory, case["startProb"], (k,)),
            load(directory, case["transMat"], (k, k)),
            load(directory, case["means"], (k, d)),
            load(directory, case["covars"], (k, d, d) if cov == "full" else (k, d)),
        )
        make = lambda: build(cov, *params)
        print("pomegranate %s n=%d, %d ..." % (case["name"], n_lo, n_hi), file=sys.stderr, flush=True)
        t_lo, t_hi, diff, m_hi = alternating_ms(make, lambda m: fit(m, sequences, n_lo), lambda m: fit(m, sequences, n_hi), repeats)
        log_lik = float(sum(m_hi.log_probability(s) for s in sequences))
        start_hi = [float(v) for v in m_hi.dense_transition_matrix()[m_hi.start_index, :k]]
        result["cases"][case["name"]] = {
            "tLo": t_lo,
            "tHi": t_hi,
            "diff": diff,
            "nLo": n_lo,
            "nHi": n_hi,
            "logLikHi": log_lik,
            "meansHi": state_means(m_hi, cov, k),
            "startProbHi": start_hi,
            "viterbi": viterbi(case, directory, sequences, k, d, repeats, min_s),
        }

    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
