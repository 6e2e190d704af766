#!/usr/bin/env python3
"""Reference values for perfkit's statistics, computed with SciPy / NumPy.

Writes test/fixtures/stats-reference.json: every case holds its inputs and SciPy's results,
so the TypeScript tests compare against independently computed numbers without needing Python.

    python3 scripts/make-stats-fixtures.py     # SciPy >= 1.17, NumPy >= 2

Inputs are drawn from seeded NumPy generators and rounded, so the file is reproducible
byte for byte. Non-finite numbers are written as the strings "NaN", "Infinity", "-Infinity"
(JSON has no literal for them). Where SciPy raises instead of returning a value (linregress
with all x equal, quantile of nothing), the case records the NaN result perfkit returns and a
`note` saying so. Where a comparison cannot be relative (p-values that underflow below ~1e-300,
results that are exactly 0), the case carries an `absTolerance` and a note with the reason.
"""
import json
import math
import os
import warnings

import numpy as np
import scipy
from scipy import optimize, special, stats

warnings.simplefilter("ignore")  # SciPy warns on the degenerate cases; they are deliberate.

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "stats-reference.json")


def num(x):
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def sample(rng, n, loc=0.0, scale=1.0, decimals=6):
    return [round(float(v), decimals) for v in rng.normal(loc, scale, n)]


def lognormal(rng, n, median, sigma, decimals=4):
    return [round(float(v), decimals) for v in rng.lognormal(math.log(median), sigma, n)]


# ---------------------------------------------------------------- Welch's t-test
def welch_case(name, a, b, note=None, abs_tolerance=None):
    r = stats.ttest_ind(a, b, equal_var=False)
    expected = {"t": num(r.statistic), "df": num(r.df), "pValue": num(r.pvalue)}
    if math.isnan(float(r.statistic)) or math.isinf(float(r.statistic)):
        # SciPy substitutes df = 1 when the variance terms are 0/0 or NaN; perfkit reports NaN.
        if len(a) < 2 or len(b) < 2 or (np.var(a) == 0 and np.var(b) == 0):
            expected["df"] = "NaN"
            note = (note + " " if note else "") + f"SciPy reports df={float(r.df)} here (a placeholder); perfkit reports NaN."
    case = {"name": name, "a": a, "b": b, "expected": expected}
    if note:
        case["note"] = note
    if abs_tolerance is not None:
        case["absTolerance"] = abs_tolerance
    return case


def welch_tail(rng, na, nb, target_p, seed_note):
    """Samples 0 + s·N(0, 1) and 1 + s·N(0, 1) with s tuned so that SciPy's p-value is near
    target_p. Not rounded: a spread of 1e-14 around 1 must keep its last digits."""
    base_a = rng.normal(0, 1, na)
    base_b = rng.normal(0, 1, nb)

    def make(log_s):
        s = 10.0 ** log_s
        return [float(v * s) for v in base_a], [float(1 + v * s) for v in base_b]

    def logp(log_s):
        a, b = make(log_s)
        p = stats.ttest_ind(a, b, equal_var=False).pvalue
        return math.log10(p) if p > 0 else -400.0

    log_s = optimize.brentq(lambda s: logp(s) - math.log10(target_p), -15.0, 1.0, xtol=1e-9)
    a, b = make(log_s)
    return welch_case(f"tail p~{target_p:g} ({seed_note})", a, b)


def welch_cases():
    rng = np.random.default_rng(20240501)
    cases = [
        welch_case("textbook", [1, 2, 3], [4, 5, 6]),
        welch_case("unequal sizes and variances", sample(rng, 12, 10, 1), sample(rng, 30, 11, 3)),
        welch_case("b smaller", sample(rng, 40, 105, 12), sample(rng, 25, 98, 4)),
        welch_case("lognormal latencies", lognormal(rng, 200, 120, 0.3), lognormal(rng, 180, 126, 0.3)),
        welch_case("large samples, 1% shift", sample(rng, 4000, 100, 10), sample(rng, 4000, 101, 10)),
        welch_case("nearly equal means", [10.0, 10.2, 9.8, 10.1, 9.9], [10.05, 9.95, 10.0, 10.1, 9.91],
                   note="t is close to 0, where the mean difference cancels."),
        welch_case("one sample constant", [5, 5, 5, 5], sample(rng, 10, 6, 1)),
        welch_case("two values each", [1, 2], [3, 5]),
        welch_case("n = 1 in a", [1], [2, 3, 4], note="Fewer than 2 values: NaN."),
        welch_case("empty b", [1, 2, 3], [], note="Fewer than 2 values: NaN."),
        welch_case("both constant, equal", [3, 3, 3], [3, 3, 3], note="Zero variance in both samples, equal means: NaN."),
        welch_case("both constant, different", [1, 1, 1], [2, 2, 2], note="Zero variance in both samples, different means: t = -inf, p = 0."),
    ]
    for target in [1e-10, 1e-50, 1e-100, 1e-200, 1e-300]:
        cases.append(welch_tail(rng, 60, 50, target, "n 60 vs 50"))
    for target in [1e-30, 1e-100, 1e-160]:
        cases.append(welch_tail(rng, 8, 7, target, "n 8 vs 7, small df"))
    cases.append(welch_tail(rng, 16, 15, 1e-290, "n 16 vs 15"))
    # Far past the double range: SciPy's p underflows to 0; only "< 1e-300" is meaningful.
    c = welch_case("underflow", [float(v) for v in rng.normal(0, 1e-9, 40)], [float(v) for v in rng.normal(1, 1e-9, 40)],
                   note="p underflows below the double range; compared absolutely.", abs_tolerance=1e-300)
    cases.append(c)
    return cases


# ---------------------------------------------------------------- Mann-Whitney U
def mw_case(name, a, b, note=None, abs_tolerance=None):
    r = stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic")
    case = {"name": name, "a": a, "b": b, "expected": {"u": num(r.statistic), "pValue": num(r.pvalue)}}
    if note:
        case["note"] = note
    if abs_tolerance is not None:
        case["absTolerance"] = abs_tolerance
    return case


def mw_cases():
    rng = np.random.default_rng(20240502)
    ints = lambda n, lo, hi: [int(v) for v in rng.integers(lo, hi, n)]  # noqa: E731
    cases = [
        mw_case("textbook", [1, 2, 3], [4, 5, 6]),
        mw_case("continuous", sample(rng, 20, 0, 1), sample(rng, 25, 0.8, 1)),
        mw_case("heavy ties", ints(50, 0, 5), ints(60, 1, 6)),
        mw_case("ties across samples", [1, 2, 2, 3, 3, 3], [2, 3, 3, 4, 4]),
        mw_case("lognormal latencies", lognormal(rng, 300, 100, 0.4), lognormal(rng, 250, 110, 0.4)),
        mw_case("unequal sizes", sample(rng, 5, 0, 1), sample(rng, 200, 0.5, 1)),
        mw_case("first larger", sample(rng, 40, 2, 1), sample(rng, 40, 0, 1)),
        mw_case("single values", [1], [4]),
        mw_case("u at the mean", [1, 4], [2, 3]),
        mw_case("all tied", [1, 1, 1], [1, 1, 1], note="All values tied: p = 1 (SciPy clips 2·sf(-inf) to 1)."),
        mw_case("empty a", [], [1, 2], note="Empty sample: NaN."),
    ]
    for n in [20, 100, 300, 600, 800, 880]:
        # Completely separated samples: |z| ≈ √(3n/2), p from ~1e-8 down to ~1e-290.
        a = sample(rng, n, 0, 1)
        b = [round(v + 100, 6) for v in sample(rng, n, 0, 1)]
        cases.append(mw_case(f"separated, n = {n} each", a, b))
    a = sample(rng, 900, 0, 1)
    b = [round(v + 100, 6) for v in sample(rng, 1000, 0, 1)]
    cases.append(mw_case("separated past the double range", a, b,
                         note="p underflows below ~1e-300; compared absolutely.", abs_tolerance=1e-300))
    return cases


# ---------------------------------------------------------------- linregress
def lr_case(name, xs, ys, note=None, abs_tolerance=None):
    case = {"name": name, "points": [[x, y] for x, y in zip(xs, ys)]}
    try:
        r = stats.linregress(xs, ys)
        case["expected"] = {
            "slope": num(r.slope), "intercept": num(r.intercept), "r": num(r.rvalue), "r2": num(r.rvalue ** 2),
            "pValue": num(r.pvalue), "stderr": num(r.stderr), "interceptStderr": num(r.intercept_stderr),
        }
    except ValueError as e:
        case["expected"] = {k: "NaN" for k in ["slope", "intercept", "r", "r2", "pValue", "stderr", "interceptStderr"]}
        note = (note + " " if note else "") + f"SciPy raises ({e}); perfkit returns NaN fields."
    if note:
        case["note"] = note
    if abs_tolerance is not None:
        case["absTolerance"] = abs_tolerance
    return case


def lr_cases():
    rng = np.random.default_rng(20240503)
    x = list(range(50))
    cases = [
        lr_case("textbook", [1, 2, 3, 4, 5], [2, 4, 5, 4, 5]),
        lr_case("noisy rise", x, [round(3 + 0.5 * i + float(e), 6) for i, e in zip(x, rng.normal(0, 2, 50))]),
        lr_case("noisy fall", x, [round(100 - 1.5 * i + float(e), 6) for i, e in zip(x, rng.normal(0, 5, 50))]),
        lr_case("no relation", x, sample(rng, 50, 10, 1)),
        lr_case("perfect fit", [0, 1, 2, 3], [1, 3, 5, 7], note="r = 1: SciPy's TINY keeps t finite."),
        lr_case("strong correlation, far tail", list(range(400)),
                [round(0.25 * i + float(e), 6) for i, e in zip(range(400), rng.normal(0, 8, 400))]),
        lr_case("timestamps in ms", [1.7e12 + 10_000 * i for i in range(60)],
                [round(200 + 0.003 * i + float(e), 6) for i, e in zip(range(60), rng.normal(0, 0.05, 60))],
                note="x near 1.7e12: the intercept is a difference of large numbers (ȳ − slope·x̄)."),
        lr_case("two points", [1, 3], [2, 6]),
        lr_case("two points, equal y", [1, 3], [2, 2]),
        lr_case("constant y", [1, 2, 3, 4], [7, 7, 7, 7]),
        lr_case("one point", [1], [2]),
        lr_case("all x equal", [2, 2, 2], [1, 2, 3]),
    ]
    return cases


# ---------------------------------------------------------------- quantile
def q_cases():
    rng = np.random.default_rng(20240504)
    qs = [0, 0.001, 0.1, 0.25, 1 / 3, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1]
    inputs = {
        "four values": [1, 2, 3, 4],
        "one value": [42],
        "two values": [10, 20],
        "ties": [5, 1, 5, 5, 2, 9, 9],
        "negative and unsorted": [3.5, -1.25, 0, -7, 12.75, 2],
        "lognormal latencies": lognormal(rng, 1001, 80, 0.5),
        "normal": sample(rng, 256, 0, 1),
    }
    cases = []
    for name, values in inputs.items():
        cases.append({"name": name, "values": values, "q": qs,
                      "expected": [num(np.quantile(np.asarray(values, dtype=float), q)) for q in qs]})
    cases.append({"name": "empty", "values": [], "q": [0.5], "expected": ["NaN"],
                  "note": "NumPy raises on an empty array; perfkit returns NaN."})
    return cases


# ---------------------------------------------------------------- distribution tails
def dist_cases():
    normal = [{"z": z, "sf": num(stats.norm.sf(z))} for z in
              [-40, -8, -1, 0, 0.3, 1, 1.96, 3, 5, 8, 12, 20, 26, 30, 35, 37, 37.4]]
    t = [{"t": tv, "df": df, "sf": num(stats.t.sf(tv, df))} for tv, df in [
        (0, 5), (0.5, 3), (-2, 10), (2, 10), (10, 5), (3, 1.5), (50, 30), (300, 100), (1e3, 1.0001), (1e20, 1),
        (1e30, 10), (1e15, 20), (25, 200), (40, 1000), (5, 1e5), (8, 1e4), (36, 1e8), (1.5, 0.5), (12, 2.5)]]
    f = [{"f": fv, "d1": d1, "d2": d2, "sf": num(stats.f.sf(fv, d1, d2))} for fv, d1, d2 in [
        (0.5, 2, 10), (3, 2, 20), (100, 1, 1000), (1e4, 3, 200), (2, 5, 5), (1e6, 1, 50)]]
    ppf = [{"p": p, "z": num(stats.norm.ppf(p))} for p in [1e-300, 1e-50, 1e-10, 0.001, 0.025, 0.3, 0.5, 0.7, 0.975, 0.999999]]
    return {"normalSf": normal, "studentTSf": t, "fSf": f, "normalQuantile": ppf}


def main():
    doc = {
        "generatedBy": "scripts/make-stats-fixtures.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "welch": welch_cases(),
        "mannWhitney": mw_cases(),
        "linregress": lr_cases(),
        "quantile": q_cases(),
        "distributions": dist_cases(),
    }
    with open(OUT, "w") as fh:
        json.dump(doc, fh, indent=None, separators=(",", ":"))
        fh.write("\n")
    print(f"wrote {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
