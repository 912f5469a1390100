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
A worker: it prints one JSON line of versions, then answers each request line until stdin closes:
  {"op": "fit", "case", "n", "result"?} -> {"ms", and with result: "logLik", "means", "startProb"}: one fit of a fresh
      model (built outside the timer) timed by time.perf_counter; logLik = sum of model.log_probability over the
      sequences after the fit;
  {"op": "viterbi", "case"} -> {"ms", "logProb", "states"}: model.viterbi per sequence with the generating
      parameters in case['truth'] (median of >= `repeats` runs).
bench/hmm-run.mjs interleaves the fits with its own in the same rounds.
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
    cases = {}
    for case in meta["cases"]:
        cov = case["covType"]
        params = (
            load(directory, case["startProb"], (k,)),
            load(directory, case["transMat"], (k, k)),
            load(directory, case["means"], (k, d)),
            load(directory, case["covars"], (k, d, d) if cov == "full" else (k, d)),
        )
        cases[case["name"]] = (case, cov, params)
    print(json.dumps({"pomegranate": pomegranate.__version__, "numpy": np.__version__, "python": platform.python_version()}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        case, cov, params = cases[req["case"]]
        if req["op"] == "viterbi":
            out = viterbi(case, directory, sequences, k, d, meta["repeats"], meta["minSeconds"])
        else:
            model = build(cov, *params)
            t0 = time.perf_counter()
            fit(model, sequences, req["n"])
            out = {"ms": (time.perf_counter() - t0) * 1e3}
            if req.get("result"):
                out["logLik"] = float(sum(model.log_probability(s) for s in sequences))
                out["means"] = state_means(model, cov, k)
                out["startProb"] = [float(v) for v in model.dense_transition_matrix()[model.start_index, :k]]
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
