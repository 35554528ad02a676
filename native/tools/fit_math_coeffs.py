#!/usr/bin/env python3
"""Fits the polynomial coefficients of native/src/isa/math.inc. Written for softac: no
coefficient table was taken from another library.

  expm1_poly:  e^r - 1   ~ r + r^2 * q(r),   r in [-ln2/2, ln2/2] (plus the reduction's slack)
  log1p_poly:  log(1+f)  ~ f + f^2 * p(f),   f in [sqrt(1/2) - 1, sqrt(2) - 1]

Each fit minimises the max RELATIVE error over 8001 Chebyshev-distributed points with
Lawson's algorithm (iteratively reweighted least squares, which converges to the minimax
fit). The coefficients are then rounded to float32 one at a time, lowest order first, the
remaining ones refitted after each rounding so they absorb it. The references are numpy's
double expm1/log1p (errors ~1e-16, far below the ~1e-9 fit errors).
Prints each fit's max relative error in units of 2^-24 (half an ulp of float at 1) and a
C++ initialiser. Run: python3 native/tools/fit_math_coeffs.py
"""
import numpy as np


def lawson(A, b, iters=200):
    """Coefficients c minimising max |A c - b| (Lawson's weighted least squares)."""
    w = np.full(len(b), 1.0 / len(b))
    best, best_err = None, np.inf
    for _ in range(iters):
        sw = np.sqrt(w)
        c, *_ = np.linalg.lstsq(A * sw[:, None], b * sw, rcond=None)
        e = np.abs(A @ c - b)
        if e.max() < best_err:
            best, best_err = c, e.max()
        w = w * e
        w /= w.sum()
    return best, best_err


def fit(F, powers, lo, hi):
    """F(x) ~ x + sum_i c_i x^powers[i] on [lo, hi], minimax relative error, float32 c_i."""
    x = np.cos(np.linspace(0.0, np.pi, 8001)) * (hi - lo) / 2 + (hi + lo) / 2
    x = x[x != 0.0]
    Fx = F(x)
    fixed = []
    for k in range(len(powers)):
        known = x + sum(c * x ** p for c, p in zip(fixed, powers))
        A = np.stack([x ** p / Fx for p in powers[k:]], axis=1)
        c, _ = lawson(A, (Fx - known) / Fx)
        fixed.append(float(np.float32(c[0])))
    y = x + sum(c * x ** p for c, p in zip(fixed, powers))
    return fixed, float(np.max(np.abs((y - Fx) / Fx)))


def report(name, F, powers, lo, hi):
    co, err = fit(F, powers, lo, hi)
    print(f"// {name}: degree {powers[-1]}, max relative error {err / 2**-24:.4f} * 2^-24")
    print("   ", ", ".join(hexf(c) for c in co))


def hexf(c):
    """A C hex float literal, e.g. 0x1.00001ep-1f."""
    m, e = float(c).hex().split("p")
    return f"{m.rstrip('0').rstrip('.')}p{e}f"


if __name__ == "__main__":
    ln2 = float(np.log(2.0))
    # math.inc uses degree 6 (0.23 * 2^-24); degree 5 is too coarse (7.6 * 2^-24) and
    # degree 7 would cost a multiply-add per element in tanh for accuracy it cannot show.
    # round(y / ln 2) is computed in float: r may land a hair outside [-ln2/2, ln2/2].
    for deg in (5, 6, 7):
        report("expm1", np.expm1, list(range(2, deg + 1)), -ln2 / 2 - 1e-4, ln2 / 2 + 1e-4)
    # math.inc uses degree 11 (0.013 * 2^-24; degree 10 reaches only 0.07 * 2^-24).
    report("log1p", np.log1p, list(range(2, 12)), np.sqrt(0.5) - 1 - 1e-6, np.sqrt(2.0) - 1 + 1e-6)
