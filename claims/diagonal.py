"""Claims KR1–KR6: kernel and rich regimes of diagonal networks (Woodworth et al. 2020).

The numerical side integrates the network's own gradient flow (:mod:`numerics.diagonal`,
automatic differentiation of ½‖Xβ − y‖²); the theory side is :mod:`theory.diagonal`, looked
up at call time (``diagonal.q``, ``diagonal.implicit_bias_dual`` …), so a replaced theory
function is what gets checked. The symbolic identities a claim relies on come from
``diagonal.identities_of`` (derived once per theory version, cached).

KR1 and KR6 also certify themselves (``--certify``): see
:mod:`flowcert.claims.diagonal_certificates`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

import heyoka as hy
import mpmath
import numpy as np
import sympy as sp
from scipy.optimize import brentq

from flowcert.claims.base import ClaimClass, PrecisionRun, RateFit
from flowcert.claims.builders import (
    Finding,
    NullModel,
    exact_claim,
    fit_sentence,
    qualitative_claim,
    symbolic_checks,
)
from flowcert.claims.comparison import Comparison
from flowcert.claims.rates import fit_rate
from flowcert.claims.statistics import base_seed
from flowcert.claims.tolerances import theory_precision, trajectory_tolerance
from flowcert.numerics.certificate import Certificate
from flowcert.numerics.diagonal import (
    DiagonalNetwork,
    LogWeightNetwork,
    MatrixSensing,
    diagonal_measurements,
    min_l1_interpolant,
    min_l2_interpolant,
    random_instance,
    train_to_interpolation,
)
from flowcert.numerics.flows import VectorField
from flowcert.numerics.integrate import integrate
from flowcert.numerics.monte_carlo import generator
from flowcert.numerics.precision import FLOAT64_BITS, unit_roundoff
from flowcert.theory import diagonal

SOURCE = ("Woodworth, Gunasekar, Lee, Moroshko, Savarese, Golan, Soudry & Srebro (2020), "
          "Kernel and rich regimes in overparametrized models; flowcert seed 004")

#: Error amplification A of the KR trajectory budgets (see claims.tolerances): as for DL,
#: the flows contract towards the interpolant set and products of D weights add their
#: relative errors (D ≤ 4); A = 100 covers both with margin.
TRAJECTORY_AMPLIFICATION = 100.0


def _mp(value) -> mpmath.mpf:
    """A decimal parameter (string) or a float (exact) as mpf at the current precision."""
    return mpmath.mpf(value) if isinstance(value, str) else mpmath.mpf(float(value))


def _grid(end, points: int) -> list:
    return [end * k / (points - 1) for k in range(points)]


def _instance(n_samples: int, dimension: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """X, y of :func:`numerics.diagonal.random_instance` as exact mpf object arrays."""
    instance = random_instance(n_samples, dimension, seed)
    to_mpf = np.vectorize(lambda v: mpmath.mpf(float(v)), otypes=[object])
    return to_mpf(instance.X), to_mpf(instance.y)


def _mpf_row(values) -> np.ndarray:
    return np.array([mpmath.mpf(v) for v in values], dtype=object)


def _max_abs(values) -> mpmath.mpf:
    return max((abs(v) for v in values), default=mpmath.mpf(0))


def _norm(values) -> mpmath.mpf:
    return mpmath.sqrt(sum(mpmath.mpf(v) ** 2 for v in values))


def _identities(claim_id: str, _series: dict | None = None) -> Finding:
    """The claim's symbolic identities (theory.diagonal.identities_of), one line each."""
    results = diagonal.identities_of(claim_id)
    finding = symbolic_checks(results)
    finding.evidence += [f"{'ok' if ok else 'FAILED'}: {name}" for name, ok in results.items()]
    return finding


# ----------------------------------------------------------------------------- KR1

_REDUCED_FIELDS: dict[tuple, VectorField] = {}


def reduced_residual_field(n_samples: int, dimension: int, depth: int) -> VectorField:
    """KR1's N-dimensional ODE dR/dt = X α^D h_D(Xᵀν(R)) − y from theory's SymPy expression.

    Runtime parameters: X row-major, y, α. The expressions are built from the theory at
    every call; the heyoka field (and with it the compiled integrator, keyed by a counter
    per distinct expression) is reused only for identical expressions, so a changed theory
    never reuses a stale one. For D ≤ 4 the exponents −D/(D−2) are the integers −3, −2 (no
    float64 constant enters the field).
    """
    system = diagonal.integrated_residual_ode(n_samples, dimension, depth)
    memo = (n_samples, dimension, depth, tuple(system["rhs"]))
    if memo not in _REDUCED_FIELDS:
        symbols = list(system["X"]) + list(system["y"]) + [system["alpha"]]
        mapping = {symbol: hy.par[index] for index, symbol in enumerate(symbols)}
        variables = [hy.expression(str(r)) for r in system["state"]]
        mapping |= dict(zip(system["state"], variables, strict=True))
        rhs = tuple(hy.from_sympy(expression, mapping) for expression in system["rhs"])
        key = (f"theory-KR1-R:N={n_samples}:d={dimension}:D={depth}:"
               f"expression-{len(_REDUCED_FIELDS)}")
        _REDUCED_FIELDS[memo] = VectorField(key=key, variables=tuple(variables), rhs=rhs,
                                            n_params=len(symbols))
    return _REDUCED_FIELDS[memo]


#: The 2×4 instance (network state 10) runs at every precision; the 3×6 one (state 15, the
#: costlier 256-bit Taylor runs) at 53 and 113 bits, where it adds a wider X.
KR1_INSTANCES = ({"n_samples": 2, "dimension": 4, "seed": 11, "max_bits": None},
                 {"n_samples": 3, "dimension": 6, "seed": 11, "max_bits": 113})
KR1_CASES = (
    {"depth": 2, "alpha": "0.5", "horizon": "2"},
    {"depth": 3, "alpha": "0.6", "horizon": "2"},
    {"depth": 4, "alpha": "0.75", "horizon": "2"},
)
KR1_POINTS = 11


def _kr1_case(case: dict, X, y, bits: int) -> dict:
    depth, alpha = case["depth"], _mp(case["alpha"])
    n_samples, dimension = X.shape
    network = DiagonalNetwork(n_samples, dimension, depth)
    grid = _grid(_mp(case["horizon"]), KR1_POINTS)
    weights = integrate(network.vector_field, network.initial_state(alpha), grid,
                        network.flow_parameters(X, y, 1), bits=bits)
    reduced = integrate(reduced_residual_field(n_samples, dimension, depth), [0] * n_samples,
                        grid, list(X.ravel()) + list(y) + [alpha], bits=bits)
    numeric, predicted, integrated, residuals = [], [], [], []
    for state, residual in zip(weights.states, reduced.states, strict=True):
        state, residual = _mpf_row(state), _mpf_row(residual)
        numeric.append(network.regressor(state))
        predicted.append(diagonal.trajectory_regressor(residual, X, alpha, depth))
        integrated.append(network.integrated_residual(state))
        residuals.append(residual)
    return {"numeric": numeric, "predicted": predicted, "integrated": integrated,
            "reduced": residuals, "steps": weights.steps + reduced.steps,
            "sensitivity": _kr1_sensitivity(residuals, predicted, X, alpha, depth),
            "times": [float(t) for t in weights.times]}


def _kr1_sensitivity(residuals, predicted, X, alpha, depth) -> float:
    """κ = max_t c_D α^D max_i h_D′(s_i) · max_i Σ_n |X_ni| · max|R| / max|β|: a relative error
    ε of R becomes at most κε, relative to max|β|, in the closed form α^D h_D(Xᵀν(R))."""
    factor = diagonal.dual_scale(depth, alpha) * alpha**depth
    column = max(sum(abs(X[n, i]) for n in range(X.shape[0])) for i in range(X.shape[1]))
    r_scale = max(_max_abs(r) for r in residuals)
    b_scale = max(_max_abs(b) for b in predicted)
    slopes = []
    for residual in residuals:
        nu = diagonal.dual_from_integrated_residual(residual, alpha, depth)
        correlations = [sum(X[n, i] * nu[n] for n in range(X.shape[0]))
                        for i in range(X.shape[1])]
        slopes.append(max(diagonal.h_derivative(c, depth) for c in correlations))
    return float(factor * max(slopes) * column * r_scale / b_scale)


def _measure_kr1(bits: int, series: dict) -> PrecisionRun:
    """β of the network against the closed form on R from the reduced ODE (scale
    κ·max|β|), and R of the network against R of the reduced ODE (scale max|R|)."""
    comparison, steps = Comparison(bits), 0
    with theory_precision(bits):
        for instance in KR1_INSTANCES:
            if instance["max_bits"] is not None and bits > instance["max_bits"]:
                continue
            X, y = _instance(instance["n_samples"], instance["dimension"], instance["seed"])
            for case in KR1_CASES:
                result = _kr1_case(case, X, y, bits)
                beta_scale = (max(_max_abs(b) for b in result["predicted"])
                              * max(1.0, result["sensitivity"]))
                r_scale = max(_max_abs(r) for r in result["reduced"])
                for numeric, predicted in zip(result["numeric"], result["predicted"],
                                              strict=True):
                    comparison.extend(numeric, predicted, [beta_scale] * len(predicted))
                for integrated, reduced in zip(result["integrated"], result["reduced"],
                                               strict=True):
                    comparison.extend(integrated, reduced, [r_scale] * len(reduced))
                steps = max(steps, result["steps"])
                if bits == 53 and instance["max_bits"] is not None:
                    series[f"D{case['depth']}"] = case | {
                        "times": result["times"],
                        "numeric": [[float(v) for v in b] for b in result["numeric"]],
                        "predicted": [[float(v) for v in b] for b in result["predicted"]],
                        "sensitivity": result["sensitivity"]}
    return comparison.run(trajectory_tolerance(bits, steps, TRAJECTORY_AMPLIFICATION), steps)


# ----------------------------------------------------------------------------- KR2

#: α across four decades for D = 2, 3, 4; the small-α cases use the 2×5 instance, whose
#: 256-bit flows take seconds (the 3×6 one needs 10⁵-fold longer plateaus at D = 3). Every
#: case runs at 53 and 113 bits; at 256 bits (each flow 1–6 s there) the four marked with
#: max_bits None: every depth, α < 1 and α > 1, both instances.
KR2_CASES = (
    {"instance": (2, 5, 4), "depth": 2, "alpha": "0.01", "max_bits": 113},
    {"instance": (2, 5, 4), "depth": 2, "alpha": "0.1", "max_bits": None},
    {"instance": (3, 6, 1), "depth": 2, "alpha": "1", "max_bits": 113},
    {"instance": (3, 6, 1), "depth": 2, "alpha": "10", "max_bits": None},
    {"instance": (2, 5, 4), "depth": 3, "alpha": "0.1", "max_bits": None},
    {"instance": (3, 6, 1), "depth": 3, "alpha": "3", "max_bits": 113},
    {"instance": (2, 5, 4), "depth": 4, "alpha": "0.3", "max_bits": 113},
    {"instance": (2, 5, 4), "depth": 4, "alpha": "2", "max_bits": None},
)


def _null_projection(X, vector) -> list:
    """P_null(X) v = v − Xᵀ(XXᵀ)⁻¹Xv in mpmath."""
    data = mpmath.matrix(X.tolist())
    column = mpmath.matrix(list(vector))
    return list(column - data.T * mpmath.lu_solve(data * data.T, data * column))


def stationarity_gap(beta, X, alpha, depth: int) -> tuple[mpmath.mpf, mpmath.mpf]:
    """(‖P_null(X) ∇Q(β)‖₂, max_i q″(β_i/α^D)/α^D) with ∇Q_i = q_D′(β_i/α^D).

    Both derivatives are taken of ``theory.diagonal.q`` itself by mpmath.diff, so a wrong q
    shows here. At the constrained minimiser of Q (KR2) the projection vanishes.
    """
    scale = alpha**depth
    points = [b / scale for b in beta]
    gradient = [mpmath.diff(lambda v: diagonal.q(v, depth), p) for p in points]
    curvature = [mpmath.diff(lambda v: diagonal.q(v, depth), p, 2) for p in points]
    return _norm(_null_projection(X, gradient)), max(curvature) / scale


def _kr2_case(case: dict, bits: int, comparison: Comparison) -> dict:
    """Adds |β_flow − β_dual| per coordinate and the stationarity gap (predicted 0), both in
    units of the weight terms; returns the run's figures."""
    X, y = _instance(*case["instance"])
    depth, alpha = case["depth"], _mp(case["alpha"])
    network = DiagonalNetwork(X.shape[0], X.shape[1], depth)
    flow = train_to_interpolation(network, X, y, alpha, bits=bits)
    beta = _mpf_row(flow.beta)
    dual = diagonal.implicit_bias_dual(X, y, alpha, depth).beta
    term_scale = mpmath.mpf(flow.weight_amplification) * _max_abs(beta)
    comparison.extend(beta, dual, [term_scale] * len(dual))
    projection, curvature = stationarity_gap(beta, X, alpha, depth)
    stationarity_scale = math.sqrt(X.shape[1]) * curvature * term_scale
    comparison.add(projection, mpmath.mpf(0), stationarity_scale)
    return {"absolute_error": float(_max_abs(beta - dual)),
            "beta_error": float(_max_abs(beta - dual) / term_scale),
            "relative_error": float(_max_abs(beta - dual) / _max_abs(dual)),
            "stationarity": float(projection / stationarity_scale),
            "convergence": flow.convergence_gain * flow.residual_norm / float(term_scale),
            "steps": flow.steps, "time": flow.time, "residual": flow.residual_norm,
            "flow": [float(b) for b in beta], "dual": [float(b) for b in dual]}


def _measure_kr2(bits: int, series: dict) -> PrecisionRun:
    comparison, results = Comparison(bits), []
    with theory_precision(bits):
        for case in KR2_CASES:
            if case["max_bits"] is None or bits <= case["max_bits"]:
                results.append(case | _kr2_case(case, bits, comparison))
    steps = max(r["steps"] for r in results)
    tolerance = (trajectory_tolerance(bits, steps, TRAJECTORY_AMPLIFICATION)
                 + max(r["convergence"] for r in results))
    series.setdefault("cases", {})[bits] = [
        {k: v for k, v in r.items() if k not in ("flow", "dual") or bits == 53}
        for r in results]
    return comparison.run(tolerance, steps)


def _kr2_notes(series: dict) -> Finding:
    notes = []
    for bits, cases in sorted(series.get("cases", {}).items()):
        for case in cases:
            notes.append(f"{bits} bits, D={case['depth']}, α={case['alpha']}, instance "
                         f"{case['instance']}: |β_flow − β_dual|∞/‖β‖∞ = "
                         f"{case['relative_error']:.3g}, in weight-term units "
                         f"{case['beta_error']:.3g}, stationarity {case['stationarity']:.3g} "
                         f"(flow to t = {case['time']:.4g}, ‖Xβ−y‖ = {case['residual']:.2g})")
    return Finding(True, notes)


# ----------------------------------------------------------------------------- KR3

KR3_NEAR_ZERO_DEPTHS = (2, 3, 4, 5)
KR3_QUADRATURE = ((2, "3"), (3, "0.5"), (3, "5"), (4, "0.5"), (4, "5"))
#: |c₄/c₂| of q_D = c₂z² + c₄z⁴ + … is 1/48 = 0.021 for D = 2 (q₂ = z²/4 − z⁴/192 + …) and
#: 0.046, 0.0625, 0.073 for D = 3, 4, 5 (theory.diagonal.series_at_zero): at
#: z = 2^(−⌊bits/2⌋) the relative truncation of q(z)/z² − c₂ is ≤ 0.074·2^(1−bits) = 0.074·u.
KR3_LARGE_Z = ("1e4", "1e8", "1e16")


def _near_zero_point(bits: int) -> mpmath.mpf:
    return mpmath.ldexp(1, -(bits // 2))


def _coefficient(value) -> mpmath.mpf:
    """A SymPy rational as mpf at the current precision."""
    return mpmath.mpf(int(value.p)) / int(value.q)


def _measure_kr3(bits: int, series: dict) -> PrecisionRun:
    """q_D(z)/z² at z = 2^(−bits/2) against the stated c_D (D = 2: 1/4; D ≥ 3: (D−2)/(4D)),
    and the tanh–sinh quadrature of h_D⁻¹ against q_D (relative errors). At 53 bits q_D is
    also evaluated through its float interface (float in → float out): correctly rounded,
    its relative error is ≤ 2⁻⁵³, half the rung's budget u = 2⁻⁵²."""
    comparison = Comparison(bits)
    with theory_precision(bits):
        point = _near_zero_point(bits)
        for depth in KR3_NEAR_ZERO_DEPTHS:
            coefficient = _coefficient(diagonal.near_zero_coefficient(depth))
            comparison.add(diagonal.q(point, depth) / point**2, coefficient)
            if bits == FLOAT64_BITS:
                comparison.add(diagonal.q(float(point), depth) / point**2, coefficient)
        for depth, end in KR3_QUADRATURE:
            end = mpmath.mpf(end)
            # tanh–sinh: at 288 bits its nodes cost far less than Gauss–Legendre's
            integral = mpmath.quad(lambda u, d=depth: diagonal.h_inverse(u, d), [0, end],
                                   method="tanh-sinh")
            comparison.add(integral, diagonal.q(end, depth))
            if bits == FLOAT64_BITS:
                comparison.add(integral, diagonal.q(float(end), depth))
    return comparison.run(unit_roundoff(bits))


def _measure_kr3_uncorrected(bits: int, _series: dict) -> PrecisionRun:
    """The superseded statement: (D−2)z²/(4D) at D = 2, i.e. q₂(z)/z² against 0 (relative
    to the measured value)."""
    comparison = Comparison(bits)
    with theory_precision(bits):
        point = _near_zero_point(bits)
        observed = diagonal.q(point, 2) / point**2
        uncorrected = diagonal.STATED_NEAR_ZERO_COEFFICIENT.subs(diagonal.k, 0)
        comparison.add(observed, _coefficient(uncorrected), observed)
    return comparison.run(unit_roundoff(bits))


def _q_curves(series: dict) -> Finding:
    """q_D on [−6, 6] for D = 2, 3, 4 (figure data only)."""
    points = [float(v) for v in np.linspace(-6, 6, 121)]
    series["curves"] = {"z": points, **{f"D{depth}": [diagonal.q(v, depth) for v in points]
                                        for depth in (2, 3, 4)}}
    return Finding(True, [])


def _kr3_large_z(_series: dict) -> Finding:
    """D = 2: the remainder r(z) = q(z) − (|z|ln|z| − |z| + 2) is O(1/|z|) when |z|·r(z)
    settles to a finite limit: equal at |z| = 1e8 and 1e16 to 1e-6 relative (its next term is
    O(1/z²); with a wrong constant |z|·r would grow like |z|). D > 2: the large-z form of
    series_at_infinity (derived here) has a remainder shrinking like z^(2/D−1)."""
    evidence, passed = [], True
    with mpmath.workprec(200):
        scaled = {}
        for text in KR3_LARGE_Z:
            zed = mpmath.mpf(text)
            scaled[text] = [zed * (diagonal.q(sign * zed, 2) - (zed * mpmath.log(zed) - zed + 2))
                            for sign in (1, -1)]
        settled = all(abs(a - b) <= mpmath.mpf("1e-6") * abs(b) for a, b in
                      zip(scaled[KR3_LARGE_Z[2]], scaled[KR3_LARGE_Z[1]], strict=True))
        passed &= settled
        values = ", ".join(f"{float(v[0]):.9f}" for v in scaled.values())
        evidence.append(f"D=2: |z|·(q(z) − (|z|ln|z| − |z| + 2)) at |z| = 1e4, 1e8, 1e16: "
                        f"{values} (same for −z); " + ("settles: the remainder is O(1/|z|) "
                                                      "(limit −1)" if settled else
                                                      "does NOT settle"))
        for depth in (3, 4):
            form = sp.lambdify(diagonal.z, diagonal.series_at_infinity(depth), "mpmath")
            gaps = [abs(diagonal.q(mpmath.mpf(text), depth) - form(mpmath.mpf(text)))
                    for text in KR3_LARGE_Z[1:]]
            ratio = mpmath.mpf(KR3_LARGE_Z[2]) / mpmath.mpf(KR3_LARGE_Z[1])
            expected = ratio ** (mpmath.mpf(2) / depth - 1)
            shrinks = gaps[1] <= 2 * expected * gaps[0]
            passed &= shrinks
            evidence.append(f"D={depth}: $q_D - (z - (D\\/2) z^(2\\/D) + (D-2)(1 - "
                            f"2^(-D\\/(D-2))))$ at "
                            f"z = 1e8, 1e16: {float(gaps[0]):.3g}, {float(gaps[1]):.3g} "
                            f"(ratio {float(gaps[1] / gaps[0]):.3g}, $z^(2\\/D-1)$ predicts "
                            f"{float(expected):.3g}; derived here)")
    return Finding(bool(passed), evidence)


def _kr3_correction_record(_series: dict) -> Finding:
    return Finding(True, [
        "record of a correction: the catalogue first stated q_D ≈ (D−2)z²/(4D) for every D, "
        "which is 0 at D = 2, while q₂(z)/z² → 1/4 (h₂′(0) = 2, and (D−2)/(4D) → 0 because "
        "the D > 2 normalisation has h_D′(0) = 2D/(D−2) → ∞ as D → 2); the statement now "
        "has q₂ ≈ z²/4 at D = 2 and (D−2)z²/(4D) for D ≥ 3, both checked above; the old D = 2 "
        "form is kept as a null model that must fail"])


# ----------------------------------------------------------------------------- KR4

#: A 3×6 instance with a unique min-ℓ1 interpolant on which every off-support coordinate's
#: next-order terms are at least first order in α at D = 2 (κ_i ≥ 1.09, see
#: theory.diagonal.rich_next_order), so the fits' α correction term models them.
KR4_INSTANCE = (3, 6, 3)
KR4_LARGE = tuple(2**j for j in range(3, 11))
#: The flow's own limits at 113 bits; D = 3 stops at α = 2^8, where the error α^−6 is still
#: 10⁴ times the weight-cancellation budget (n·u·A·D·2α^D/|β|).
KR4_FLOW_LARGE = {2: KR4_LARGE, 3: KR4_LARGE[:6]}
KR4_FLOW_BITS = 113
#: α → 0 tails: the next-order terms are relatively O(α^{κ}) with κ ≥ 1 (D = 2, this
#: instance) and κ = D − 2 (D ≥ 3), ≤ 1e-3 and ≤ 1e-2 at the first point.
KR4_SMALL = {2: tuple(10 ** (-j / 2) for j in range(6, 17)),
             3: tuple(10 ** (-j / 2) for j in range(4, 15)),
             4: tuple(10 ** (-j / 2) for j in range(4, 15))}
KR4_RICH_FLOW_BITS = 53
#: The α → 0 flows cross plateaus of length ∝ ln(1/α): thousands of DOP853 steps each;
#: heyoka's compiled float64 Taylor engine (tolerance 2^−52) takes them in 1/20 of the time.
KR4_RICH_FLOW_ENGINE = "taylor"
#: Working precision of the KR2 dual and the limits: the smallest error fitted, α^−8 at
#: α = 2^10 (D = 4), is 2^−80, so 240 bits resolve it to 2^−160 (the dual adds D·log₂(1/α)
#: bits of its own for α < 1).
KR4_DUAL_BITS = 240
KR4_PATH_ALPHAS = tuple(10 ** (j / 4) for j in range(-12, 9))


def _relative_gap(beta, reference) -> float:
    difference = [mpmath.mpf(a) - mpmath.mpf(b) for a, b in zip(beta, reference, strict=True)]
    return float(_norm(difference) / _norm(reference))


def _dual_path(X, y, alphas, depth) -> list[np.ndarray]:
    """β_α from the KR2 dual along ``alphas``, each solve started from the previous ν."""
    betas, start = [], None
    for alpha in alphas:
        solution = diagonal.implicit_bias_dual(X, y, _mp(alpha), depth, start=start)
        betas.append(solution.beta)
        start = solution.nu
    return betas


def _flow_beta(X, y, alpha, depth, bits, engine=None) -> np.ndarray:
    network = DiagonalNetwork(X.shape[0], X.shape[1], depth)
    return train_to_interpolation(network, X, y, _mp(alpha), bits=bits, engine=engine).beta


def _kr4_kernel_fit(depth: int, source: str) -> RateFit:
    """‖β_α − X⁺y‖/‖X⁺y‖ against α → ∞, from the KR2 dual or the flow (113 bits);
    predicted slope theory.diagonal.kernel_exponent(D) = −2D."""
    X, y = _instance(*KR4_INSTANCE)
    with mpmath.workprec(KR4_DUAL_BITS):
        l2 = min_l2_interpolant(X, y, KR4_DUAL_BITS)
        if source == "dual":
            alphas = KR4_LARGE
            errors = [_relative_gap(beta, l2) for beta in _dual_path(X, y, alphas, depth)]
            name = f"D={depth}, ‖β_α − X⁺y‖/‖X⁺y‖ (KR2 dual)"
        else:
            alphas = KR4_FLOW_LARGE[depth]
            errors = [_relative_gap(_flow_beta(X, y, a, depth, KR4_FLOW_BITS), l2)
                      for a in alphas]
            name = f"D={depth}, ‖β_α − X⁺y‖/‖X⁺y‖ (flow, {KR4_FLOW_BITS} bits)"
    return fit_rate(name, "α", alphas, errors, float(diagonal.kernel_exponent(depth)),
                    "infinity")


def _kr4_rich(series: dict) -> Finding:
    """α → 0: every off-support coordinate at D = 2 (KR2 dual and the flow) and the relative
    error at D = 3, 4 (dual) against the exponents of theory.diagonal.rich_exponents, whose
    ℓ1 limit and certificate come from the theory's own enumeration of basic solutions
    (the flow's reference is the numerics' linear programme); then the claim's qualitative
    part: every α → 0 slope > 0, and the D = 2 error (its slowest coordinate) slower than
    the D = 3 and D = 4 errors."""
    X, y = _instance(*KR4_INSTANCE)
    fits, evidence = [], []
    with mpmath.workprec(KR4_DUAL_BITS):
        limit = diagonal.l1_limit(X, y)
        programme = min_l1_interpolant(X, y, KR4_DUAL_BITS)
        agree = (programme.support == limit.support and _max_abs(programme.beta - limit.beta)
                 <= mpmath.ldexp(1, 8 - KR4_DUAL_BITS) * _max_abs(limit.beta))
        evidence.append(f"min-ℓ1 interpolant: theory (basic solutions) and numerics (linprog, "
                        f"polished) {'agree' if agree else 'DISAGREE'} (support "
                        f"{limit.support}, certificate margin {float(limit.margin):.4f} < 1: "
                        f"unique)")
        exponents = {depth: diagonal.rich_exponents(limit, depth) for depth in (2, 3, 4)}
        next_order = diagonal.rich_next_order(limit, 2)
        # the fits' correction term c·α models a relative next-order term α^κ only for κ ≥ 1
        # (a κ < 1 term would dominate it and bias the fitted slope)
        modelled = all(kappa >= 1 for kappa in next_order.values())
        evidence.append("D=2, off-support coordinates i with |c_i| = |(Xᵀλ)_i|: predicted "
                        "exponent 2(1 − |c_i|), next-order exponent κ_i: "
                        + "; ".join(f"i = {i}: |c_i| = {float(abs(limit.correlations[i])):.4f}, "
                                    f"exponent {float(r):.4f}, κ_i = {float(next_order[i]):.3f}"
                                    for i, r in exponents[2].items())
                        + ("; every κ_i ≥ 1: the fits' α term models them" if modelled else
                           "; some κ_i < 1: the fits' α term does NOT model the next order"))
        for depth in (2, 3, 4):
            alphas = KR4_SMALL[depth]
            betas = _dual_path(X, y, alphas, depth)
            if depth == 2:
                fits += [fit_rate(f"D=2, |β_α,{i}| (KR2 dual)", "α", alphas,
                                  [float(abs(b[i])) for b in betas], float(rate), "zero")
                         for i, rate in exponents[2].items()]
            else:
                fits.append(fit_rate(f"D={depth}, ‖β_α − β_ℓ1‖/‖β_ℓ1‖ (KR2 dual)", "α",
                                     alphas, [_relative_gap(b, limit.beta) for b in betas],
                                     float(min(exponents[depth].values())), "zero"))
        flows = [_flow_beta(X, y, a, 2, KR4_RICH_FLOW_BITS, KR4_RICH_FLOW_ENGINE)
                 for a in KR4_SMALL[2]]
        fits += [fit_rate(f"D=2, |β_α,{i}| (flow, {KR4_RICH_FLOW_BITS} bits)", "α",
                          KR4_SMALL[2], [abs(float(b[i])) for b in flows], float(rate), "zero")
                 for i, rate in exponents[2].items()]
        series["limits"] = {"l1": [float(v) for v in limit.beta],
                            "l2": [float(v) for v in min_l2_interpolant(X, y, KR4_DUAL_BITS)],
                            "margin": float(limit.margin)}
    evidence += [fit_sentence(fit) for fit in fits]
    slowest = min((fit for fit in fits if fit.name.startswith("D=2") and "dual" in fit.name),
                  key=lambda fit: fit.slope)
    deep = [fit for fit in fits if fit.name.startswith(("D=3", "D=4"))]
    slower = all(slowest.high < fit.low for fit in deep)
    decreasing = all(fit.low > 0 for fit in fits)
    evidence.append(f"α → 0: every error decreases (all slope intervals > 0: {decreasing}); "
                    f"the D=2 error goes like its slowest coordinate, slope {slowest.slope:.3f}, "
                    f"vs D=3 {deep[0].slope:.3f}, D=4 {deep[1].slope:.3f}: D=2 "
                    f"{'much slower' if slower else 'NOT slower'}")
    evidence.append("the D=2 error β_α − β_ℓ1 lies in null(X) and equals $sum_(i in.not S) "
                    "beta_(alpha,i) u_i$ "
                    "($u_i = e_i - X_S^(-1) X_i$ on $S$), so the off-support coordinates are its "
                    "coordinates; its norm is not fitted, since coordinates with different "
                    "exponents make a relative correction $alpha^(2(|c_1| - |c_2|))$ that the "
                    "fit's "
                    "α term does not model")
    passed = (agree and modelled and slower and decreasing and all(fit.passed for fit in fits))
    return Finding(bool(passed), evidence, fits=fits)


def _kr4_path(series: dict) -> Finding:
    """β_α along α (figure data only)."""
    X, y = _instance(*KR4_INSTANCE)
    with mpmath.workprec(53 + 40):
        series["path"] = {f"D{depth}": {"alpha": list(KR4_PATH_ALPHAS), "beta": [
            [float(v) for v in beta] for beta in _dual_path(X, y, KR4_PATH_ALPHAS, depth)]}
            for depth in (2, 3)}
    return Finding(True, [])


# ----------------------------------------------------------------------------- KR5

#: KR5 instances: 4×16 problems drawn from the base seed's "KR5" stream, keeping the first
#: two with a large ℓ1/ℓ2 gap, ‖b_ℓ2‖₁ ≥ (1 + g)‖b_ℓ1‖₁ and ‖b_ℓ1 − b_ℓ2‖² ≥ g‖b_ℓ2‖² with
#: g = 0.3 (about 9 draws in 10 qualify): the null models (b_ℓ2 or b_ℓ1 for every α) then
#: violate every cell's conclusion (ε ≤ 0.2) by a factor ≥ 1.5. y is scaled to ‖b_ℓ1‖₁ = 3
#: and 30: at 3 the rich threshold is its term exp(−d/(ε‖b‖₁)), at 30 its first term
#: (2(1+ε)‖b‖₁)^(−(2+ε)/(2ε)), for every ε used.
KR5_SHAPE = (4, 16)
KR5_L1_NORMS = (3.0, 30.0)
KR5_GAP = 0.3
KR5_MAX_DRAWS = 50
KR5_EPSILONS = (0.05, 0.1, 0.2)
#: Precision of the KR2 dual in the threshold search (53 + 40 bits, plus the dual's own
#: D·log₂(1/α) for α < 1) and its resolution in log α.
KR5_SEARCH_XTOL = 1e-3


def _kr5_problem(seed: int, l1_norm: float) -> dict:
    """The 4×16 instance of ``seed`` with y scaled so that ‖b_ℓ1‖₁ ≈ ``l1_norm``, its
    interpolants and its gaps."""
    instance = random_instance(*KR5_SHAPE, seed)
    unscaled = np.abs(min_l1_interpolant(instance.X, instance.y).beta).sum()
    targets = instance.y * (l1_norm / unscaled)
    l2 = min_l2_interpolant(instance.X, targets)
    l1 = min_l1_interpolant(instance.X, targets).beta
    norms = {"l2_norm": float(np.linalg.norm(l2)), "l1_norm": float(np.abs(l1).sum())}
    return {"seed": seed, "X": instance.X, "y": targets, "l2": l2, "l1": l1, **norms,
            "l1_gap": float(np.abs(l2).sum()) / norms["l1_norm"] - 1,
            "l2_gap": float(np.sum((l1 - l2) ** 2)) / norms["l2_norm"] ** 2}


def _kr5_problems() -> list[dict]:
    """One problem per entry of KR5_L1_NORMS: the first draws of the "KR5" stream under the
    base seed whose gaps are both ≥ KR5_GAP (a degenerate ℓ1 vertex is skipped too)."""
    stream = generator(base_seed(), "KR5")
    problems = []
    for _ in range(KR5_MAX_DRAWS):
        seed = int(stream.integers(2**32))
        try:
            problem = _kr5_problem(seed, KR5_L1_NORMS[len(problems)])
        except ValueError:
            continue
        if min(problem["l1_gap"], problem["l2_gap"]) >= KR5_GAP:
            problems.append(problem)
            if len(problems) == len(KR5_L1_NORMS):
                return problems
    raise RuntimeError(f"fewer than {len(KR5_L1_NORMS)} of {KR5_MAX_DRAWS} KR5 draws have an "
                       f"ℓ1/ℓ2 gap ≥ {KR5_GAP}")


def _kernel_excess(problem: dict, beta) -> float:
    """‖β − b_ℓ2‖²/‖b_ℓ2‖² (KR5's kernel conclusion is ≤ ε)."""
    return float(np.sum((np.asarray(beta, dtype=float) - problem["l2"]) ** 2)
                 / problem["l2_norm"] ** 2)


def _rich_excess(problem: dict, beta) -> float:
    """‖β‖₁/‖b_ℓ1‖₁ − 1 (KR5's rich conclusion is ≤ ε)."""
    return float(np.abs(np.asarray(beta, dtype=float)).sum() / problem["l1_norm"] - 1)


def _flow_limit(problem: dict, alpha: float) -> np.ndarray:
    """The D = 2 flow's limit at 53 bits, integrated in u = ln w (numerics.diagonal.
    LogWeightNetwork) by the float64 Taylor engine. At the rich thresholds (α down to 1e-47)
    the weights fall far below 1e-16, where an engine's absolute tolerance on w loses their
    relative accuracy: integrated in w, the limit was off by up to 3 % (relative to max|β|)
    from the KR2 dual; in ln w it agrees to 1e-14."""
    network = LogWeightNetwork(*KR5_SHAPE, 2)
    return train_to_interpolation(network, problem["X"], problem["y"], alpha,
                                  engine="taylor").beta


class _DualLimits:
    """β_α from the KR2 dual (D = 2, 53 + 40 bits, rounded to float) for one KR5 instance,
    each solve started from the ν of the nearest α solved before (same maximiser, fewer
    Newton steps along the threshold search)."""

    def __init__(self, problem: dict):
        self.problem, self.solved = problem, {}

    def __call__(self, alpha: float) -> np.ndarray:
        nearest = min(self.solved, key=lambda a: abs(math.log(a / alpha)), default=None)
        with mpmath.workprec(53 + 40):
            solution = diagonal.implicit_bias_dual(
                self.problem["X"], self.problem["y"], alpha, 2,
                start=None if nearest is None else self.solved[nearest])
        self.solved[alpha] = solution.nu
        return np.array([float(b) for b in solution.beta])


def _crossing(excess, epsilon: float, low: float, high: float) -> float:
    """α in [low, high] where excess(α) = ε, by Brent's method in log α."""
    def gap(log_alpha: float) -> float:
        return excess(math.exp(log_alpha)) - epsilon
    return math.exp(brentq(gap, math.log(low), math.log(high), xtol=KR5_SEARCH_XTOL))


def _memoised(function):
    """``function`` of α evaluated once per α (the ε cells of one instance share their scan
    points)."""
    values: dict[float, float] = {}

    def cached(alpha: float) -> float:
        if alpha not in values:
            values[alpha] = function(alpha)
        return values[alpha]
    return cached


def _kernel_threshold(excess, epsilon: float, stated: float) -> float:
    """The smallest α* with excess(α) ≤ ε for all α ≥ α* (excess decreases with α): down
    from the stated threshold through α = 2^j to a bracket, then Brent. 0.0 when the
    conclusion holds down to 2^−30, inf when it fails up to 2^30·stated."""
    if excess(stated) > epsilon:
        low = stated
        for _ in range(30):
            if excess(2 * low) <= epsilon:
                return _crossing(excess, epsilon, low, 2 * low)
            low *= 2
        return math.inf
    high = stated
    for power in range(math.ceil(math.log2(stated)) - 1, -31, -1):
        if excess(2.0**power) > epsilon:
            return _crossing(excess, epsilon, 2.0**power, high)
        high = 2.0**power
    return 0.0


def _rich_threshold(excess, epsilon: float, stated: float) -> float:
    """The largest α* with excess(α) ≤ ε for all α ≤ α* (excess grows with α): down from
    α = 1 through α = 10^(−j/2) to a bracket (never below the stated threshold), then Brent.
    inf when the conclusion already holds at α = 1, 0.0 when it fails down to the stated α."""
    high = 1.0
    if excess(high) <= epsilon:
        return math.inf
    for step in range(1, 200):
        low = max(10 ** (-step / 2), stated)
        if excess(low) <= epsilon:
            return _crossing(excess, epsilon, low, high)
        if low == stated:
            break
        high = low
    return 0.0


def _observe_kr5(null: str | None = None) -> list[dict]:
    """The D = 2 flow's limit at each stated threshold, and the true thresholds α* from the
    KR2 dual. ``null``: "l2" or "l1" replaces every β_α (flow and dual) by that interpolant
    (a null model)."""
    observation = []
    for problem in _kr5_problems():
        if null is None:
            limit, characterised = partial(_flow_limit, problem), _DualLimits(problem)
        else:
            constant = problem[null]
            limit = characterised = (lambda _alpha, beta=constant: beta)
        kernel = _memoised(lambda a, p=problem, f=characterised: _kernel_excess(p, f(a)))
        rich = _memoised(lambda a, p=problem, f=characterised: _rich_excess(p, f(a)))
        cells = []
        for epsilon in KR5_EPSILONS:
            large = diagonal.kernel_sufficient_alpha(epsilon, problem["l2_norm"])
            small = diagonal.rich_sufficient_alpha(epsilon, problem["l1_norm"], KR5_SHAPE[1])
            cells.append({
                "epsilon": epsilon, "alpha_l2": large, "alpha_l1": small,
                "l2_ratio": _kernel_excess(problem, limit(large)) / epsilon,
                "l1_ratio": _rich_excess(problem, limit(small)) / epsilon,
                "alpha_l2_tight": _kernel_threshold(kernel, epsilon, large),
                "alpha_l1_tight": _rich_threshold(rich, epsilon, small)})
        observation.append({key: problem[key] for key in ("seed", "l2_norm", "l1_norm",
                                                           "l1_gap", "l2_gap")}
                           | {"cells": cells})
    return observation


def _check_kr5(observation: list[dict]) -> Finding:
    """Each stated condition's conclusion holds for the flow at the stated α (achieved /
    allowed ≤ 1), and the stated α is on the safe side of the true threshold α* from the
    KR2 dual (kernel: α ≥ α*, rich: α ≤ α*), so the conclusion holds on the whole half-line.
    The ratios say how loose the constants are (not a failure)."""
    evidence = [f"instance seed {instance['seed']}: ‖b_ℓ2‖₁/‖b_ℓ1‖₁ − 1 = "
                f"{instance['l1_gap']:.3f}, ‖b_ℓ1 − b_ℓ2‖²/‖b_ℓ2‖² = {instance['l2_gap']:.3f} "
                f"(the null models' excesses)" for instance in observation]
    rows, passed, violated = [], True, 0
    for instance in observation:
        for cell in instance["cells"]:
            kernel = cell["l2_ratio"] <= 1 and cell["alpha_l2"] >= cell["alpha_l2_tight"]
            rich = cell["l1_ratio"] <= 1 and cell["alpha_l1"] <= cell["alpha_l1_tight"]
            passed &= kernel and rich
            violated += (not kernel) + (not rich)
            rows.append({"seed": instance["seed"]} | cell)
            evidence.append(
                f"instance seed {instance['seed']} (‖b_ℓ2‖ = {instance['l2_norm']:.3g}, "
                f"‖b_ℓ1‖₁ = {instance['l1_norm']:.3g}), ε = {cell['epsilon']}: kernel α ≥ "
                f"{cell['alpha_l2']:.4g} ⇒ ‖β−b_ℓ2‖²/(ε‖b_ℓ2‖²) = {cell['l2_ratio']:.3g} "
                f"({'holds' if kernel else 'VIOLATED'}; the conclusion holds from α* = "
                f"{cell['alpha_l2_tight']:.4g}: stated/true = "
                f"{_ratio(cell['alpha_l2'], cell['alpha_l2_tight'])}); rich α ≤ "
                f"{cell['alpha_l1']:.3g} ⇒ (‖β‖₁/‖b_ℓ1‖₁ − 1)/ε = {cell['l1_ratio']:.3g} "
                f"({'holds' if rich else 'VIOLATED'}; the conclusion holds up to α* = "
                f"{cell['alpha_l1_tight']:.3g}: "
                f"{_decades(cell['alpha_l1'], cell['alpha_l1_tight'])})")
    evidence.append(f"{violated} of {2 * len(rows)} implications violated")
    if passed:
        kernel_loose = [r["alpha_l2"] / r["alpha_l2_tight"] for r in rows]
        rich_loose = [math.log10(r["alpha_l1_tight"] / r["alpha_l1"]) for r in rows]
        evidence.append(
            f"constants not tight: the stated kernel α is {min(kernel_loose):.3g}–"
            f"{max(kernel_loose):.3g} times the true threshold (the flow reaches "
            f"{max(r['l2_ratio'] for r in rows):.2g} of the allowed error at most), the stated "
            f"rich α {min(rich_loose):.1f}–{max(rich_loose):.1f} decades below it (at most "
            f"{max(r['l1_ratio'] for r in rows):.2g} of the allowed excess): valid sufficient "
            f"conditions, far from necessary")
    return Finding(bool(passed), evidence, {"rows": rows})


def _ratio(stated: float, tight: float) -> str:
    if tight == 0:
        return "∞ (holds at every α scanned)"
    return "— (never holds)" if math.isinf(tight) else f"{stated / tight:.3g}"


def _decades(stated: float, tight: float) -> str:
    if math.isinf(tight):
        return "holds at every α ≤ 1"
    if tight == 0:
        return "never holds down to the stated α"
    return f"stated α {math.log10(tight / stated):.1f} decades below"


# ----------------------------------------------------------------------------- KR6

KR6_INSTANCE = {"n_samples": 2, "dimension": 4, "seed": 6}
KR6_ALPHA = "0.6"
KR6_HORIZON = "1.5"
KR6_POINTS = 7


def _measure_kr6(bits: int, series: dict) -> PrecisionRun:
    """W_ii against the network's β_i and the closed form, W_ij (i ≠ j) against 0, all over
    max|closed form| over the run."""
    comparison = Comparison(bits)
    with theory_precision(bits):
        X, y = _instance(**KR6_INSTANCE)
        n_samples, dimension = X.shape
        alpha, grid = _mp(KR6_ALPHA), _grid(_mp(KR6_HORIZON), KR6_POINTS)
        sensing = MatrixSensing(n_samples, dimension)
        matrices = integrate(sensing.vector_field, sensing.initial_state(alpha), grid,
                             sensing.flow_parameters(diagonal_measurements(X), y), bits=bits)
        network = DiagonalNetwork(n_samples, dimension, 2)
        weights = integrate(network.vector_field, network.initial_state(alpha), grid,
                            network.flow_parameters(X, y), bits=bits)
        reduced = integrate(reduced_residual_field(n_samples, dimension, 2),
                            [0] * n_samples, grid, list(X.ravel()) + list(y) + [alpha],
                            bits=bits)
        pairs, off_diagonal, scale, record = [], [], mpmath.mpf(0), []
        for w_state, d_state, r_state in zip(matrices.states, weights.states, reduced.states,
                                             strict=True):
            matrix = sensing.matrix(_mpf_row(w_state))
            diagonal_entries = [matrix[i, i] for i in range(dimension)]
            network_beta = network.regressor(_mpf_row(d_state))
            closed = diagonal.trajectory_regressor(_mpf_row(r_state), X, alpha, 2)
            off_diagonal += [matrix[i, j] for i in range(dimension) for j in range(dimension)
                             if i != j]
            pairs += list(zip(diagonal_entries, network_beta, strict=True))
            pairs += list(zip(diagonal_entries, closed, strict=True))
            scale = max(scale, _max_abs(closed))
            record.append({"diag": [float(v) for v in diagonal_entries],
                           "closed": [float(v) for v in closed]})
        for observed, predicted in pairs:
            comparison.add(observed, predicted, scale)
        for entry in off_diagonal:
            comparison.add(entry, mpmath.mpf(0), scale)
    steps = matrices.steps + weights.steps + reduced.steps
    series.setdefault("off_diagonal", {})[bits] = float(_max_abs(off_diagonal))
    if bits == 53:
        series["trajectory"] = {"times": [float(t) for t in grid], "points": record}
    return comparison.run(trajectory_tolerance(bits, steps, TRAJECTORY_AMPLIFICATION), steps)


def _kr6_notes(series: dict) -> Finding:
    values = series.get("off_diagonal", {})
    return Finding(True, [f"max |W_ij|, i ≠ j, over the run at {bits} bits: {value:.3g}"
                          for bits, value in sorted(values.items())])


# ----------------------------------------------------------------------------- claims


def _domain_trajectory():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({"depth": st.integers(2, 4), "alpha": st.floats(0.3, 1.5),
                                  "seed": st.integers(0, 2**32 - 1)})


def _domain_limit():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({"depth": st.integers(2, 4),
                                  "log10_alpha": st.floats(-1.0, 1.0),
                                  "seed": st.integers(0, 2**32 - 1)})


def _domain_q():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({"depth": st.integers(2, 6),
                                  "z": st.floats(-1e6, 1e6, allow_nan=False)})


def _domain_kr5():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({"epsilon": st.floats(0.01, 0.2),
                                  "seed": st.integers(0, 2**32 - 1)})


_BUDGET = ("n·ε·A with n the steps taken, ε the engine's local tolerance (DOP853 rtol 2.5e-14 "
           "at 53 bits, unit roundoff $2^(1-\"bits\")$ above) and A = 100")

exact = partial(exact_claim, source=SOURCE)


def _certifier(claim_id: str) -> Callable[[int], Certificate]:
    """KRk's ``certify(bits)`` from :mod:`flowcert.claims.diagonal_certificates`, imported
    when it first runs (that module imports this one's cases)."""
    def certify(bits: int) -> Certificate:
        from flowcert.claims.diagonal_certificates import CERTIFIERS
        return CERTIFIERS[claim_id](bits)
    return certify


CLAIMS = (
    exact(
        id="KR1", title="Diagonal networks: $beta(t) = alpha^D h_D (X^T nu(t))$, $nu prop "
                        "integral (X beta - y)$",
        provenance="P+D",
        statement="beta(t) = alpha^D h_D (X^T nu(t)), quad nu = -4 R quad (D = 2), quad "
                  "nu = -alpha^(D-2) D (D-2) R quad (D > 2), quad R(t) = integral_0^t "
                  "(X beta - y) dif s",
        theory="theory.diagonal.trajectory_regressor on R(t) from the N-dimensional ODE "
               "$dif R \\/ dif t = X alpha^D h_D (X^T nu(R)) - y$ "
               "(theory.diagonal.integrated_residual_ode, "
               "integrated as its own vector field); symbolic checks of the weight solution "
               "(theory.diagonal.identities_of)",
        experiment="the diagonal network $beta = w_+^D - w_-^D$ (loss $1\\/2 norm(X beta - "
                   "y)^2$, autodiff gradient) "
                   "from w± = α·1, D = 2, 3, 4 with α = 0.5, 0.6, 0.75, 11 times on [0, 2], "
                   "state augmented by ∫(Xβ − y); on a random 2×4 instance (seed 11) at every "
                   "precision and a random 3×6 one (seed 11) at 53 and 113 bits. Certificate: "
                   "the 2×4 instance's three cases in Arb balls (validated Taylor enclosure of "
                   "the network's flow, t > 0 of the grid): $beta = w_+^D - w_-^D$ against "
                   "$alpha^D h_D (X^T nu)$ at the network's own enclosed R, and that R against "
                   "the enclosure of the reduced ODE itself",
        comparison="every $beta_\"net\"$ against the closed form over $kappa max|beta|$, $kappa "
                   "= max(1, \"sensitivity\""
                   " \"of the closed form to a relative error of\" R)$, and every $R_\"net\"$ "
                   "against $R_\"ODE\"$ over $max|R|$, within " + _BUDGET + " (n: steps of both "
                   "integrations); must shrink with precision",
        parameters={"instances": KR1_INSTANCES, "cases": KR1_CASES},
        measure=_measure_kr1, checks=(partial(_identities, "KR1"),),
        certify=_certifier("KR1"), domain=_domain_trajectory),
    exact(
        id="KR2", title="The flow's limit minimises $Q_alpha^D$ among interpolants",
        provenance="P",
        statement="beta_infinity = op(\"argmin\")_(X beta = y) Q_alpha^D (beta), quad "
                  "Q_alpha^D (beta) = alpha^D sum_i q_D (beta_i / alpha^D), quad "
                  "q_D (z) = integral_0^z h_D^(-1)(u) dif u",
        theory="theory.diagonal.implicit_bias_dual (Newton with backtracking on the concave "
               "dual $max_nu y^T nu - alpha^D sum_i H_D ((X^T nu)_i)$, in mpmath); stationarity "
               "of Q built from "
               "theory.diagonal.q (derivatives by mpmath.diff); symbolic checks of $H_D$ and "
               "the Legendre form",
        experiment="the flow integrated until ‖Xβ − y‖ ≤ $2^8 dot.c 2^(1-\"bits\") dot.c "
                   "(norm(y) + norm(X)_F norm(w_+^D + w_-^D))$, "
                   "end time found adaptively (doubling the horizon); 8 cases on random "
                   "2×5 (seed 4) and 3×6 (seed 1) instances: D = 2 with α = 0.01, 0.1, 1, 10; "
                   "D = 3 with α = 0.1, 3; D = 4 with α = 0.3, 2; at 256 bits the four cases "
                   "D = 2 with α = 0.1, 10, D = 3 with α = 0.1, D = 4 with α = 2",
        comparison="every $beta_(\"flow\",i)$ against $beta_(\"dual\",i)$ and the stationarity gap "
                   "$norm(P_(\"null\"(X)) nabla Q(beta_\"flow\"))$ against 0 (per coordinate, over "
                   "$max q''\\/alpha^D$), both in units of the weight terms "
                   "$max_i D(|w_(+,i)|^D + |w_(-,i)|^D)$; tolerance " + _BUDGET + " plus the "
                   "unfinished convergence $sqrt(k_max \\/ lambda_min (X K X^T)) norm(X beta - y)$ "
                   "(tangent kernel K, first order in the residual); must shrink with precision",
        parameters={"cases": KR2_CASES}, measure=_measure_kr2,
        checks=(_kr2_notes, partial(_identities, "KR2")), domain=_domain_limit),
    exact(
        id="KR3", title="Properties of the potential $q_D$",
        provenance="D",
        statement="q' = op(\"arcsinh\")(z/2), quad q(0) = 0, quad q'' = 1/sqrt(4+z^2), quad "
                  "q_2 approx z^2/4, quad q_D approx (D-2) z^2 / (4D) quad (D >= 3), quad "
                  "q = |z| ln|z| - |z| + 2 + O(1/|z|)",
        theory="theory.diagonal.self_checks (SymPy: derivatives, limits at 0 and ∞, Legendre "
               "envelope, $h_D$ odd and increasing, also for symbolic D > 2; cached per theory "
               "version) and theory.diagonal.near_zero_coefficient",
        experiment="$q_D (z)\\/z^2$ at $z = 2^(-\"bits\"\\/2)$ for $D = 2, 3, 4, 5$; $q_D$ "
                   "(Legendre form, "
                   "Newton) against tanh–sinh quadrature (mpmath.quad) of $h_D^(-1)$ for "
                   "(D, z) = (2, 3), (3, 0.5), (3, 5), (4, 0.5), (4, 5), at 53 bits also "
                   "through q's float interface (float in, float out: rounding ≤ u/2); "
                   "large-|z| remainders at 1e4 … 1e16",
        comparison="symbolic identities must hold exactly; numeric relative gaps ≤ "
                   "$u = 2^(1-\"bits\")$ (32 guard bits; the near-zero truncation is ≤ 0.074·u) "
                   "and shrink "
                   "with precision; the D = 2 remainder times |z| settles (1e-6) between 1e8 "
                   "and 1e16; the superseded D = 2 form (D−2)z²/(4D) = 0 must fail the same "
                   "near-zero comparison",
        parameters={"near_zero_depths": KR3_NEAR_ZERO_DEPTHS, "quadrature": KR3_QUADRATURE,
                    "large_z": KR3_LARGE_Z},
        measure=_measure_kr3,
        checks=(partial(_identities, "KR3"), _kr3_large_z, _kr3_correction_record,
                _q_curves),
        null_models=(NullModel(
            "uncorrected D = 2 form", "the catalogue's first statement applied (D−2)z²/(4D) "
            "at D = 2 as well, predicting q₂(z)/z² → 0 instead of 1/4",
            _measure_kr3_uncorrected),),
        domain=_domain_q),
    exact(
        id="KR4", title="Kernel ($alpha -> infinity$) and rich ($alpha -> 0$) limits and their "
                        "rates",
        claim_class=ClaimClass.ASYMPTOTIC, provenance="P+D",
        statement="alpha -> infinity: norm(beta_alpha - X^+ y) prop alpha^(-2D), quad "
                  "alpha -> 0: beta_alpha -> op(\"argmin\")_(X beta = y) norm(beta)_1",
        theory="the KR2 characterisation (theory.diagonal.implicit_bias_dual at 240 bits); "
               "predicted slopes theory.diagonal.kernel_exponent = −2D and, for α → 0, "
               "theory.diagonal.rich_exponents (derived here): $2(1 - |(X^T lambda)_i|)$ for the "
               "off-support coordinate i at D = 2 (λ the ℓ1 certificate of "
               "theory.diagonal.l1_limit), D at D ≥ 3",
        experiment="3×6 instance (seed 3) with a unique min-ℓ1 interpolant; $alpha = 2^3 … 2^10$ "
                   "(KR2 dual, D = 2, 3, 4; the flow at 113 bits, D = 2 and D = 3 up to $2^8$); "
                   "$alpha = 10^(-3) … 10^(-8)$ (D = 2: the dual and the flow at 53 bits, float64 "
                   "Taylor engine) and "
                   "$10^(-2) … 10^(-7)$ (D = 3, 4: the dual)",
        comparison="fitted log-log slopes with a correction term, whose 99% Student-t "
                   "intervals must contain the theory's exponents and exclude them ± 0.25; "
                   "α → 0: every slope > 0 and the D = 2 error's interval below the D = 3 and "
                   "D = 4 intervals",
        parameters={"instance": KR4_INSTANCE, "large": KR4_LARGE, "small": KR4_SMALL},
        fits=(partial(_kr4_kernel_fit, 2, "dual"), partial(_kr4_kernel_fit, 3, "dual"),
              partial(_kr4_kernel_fit, 4, "dual"), partial(_kr4_kernel_fit, 2, "flow"),
              partial(_kr4_kernel_fit, 3, "flow")),
        checks=(_kr4_rich, _kr4_path), domain=_domain_limit),
    qualitative_claim(
        id="KR5", title="Sufficient $alpha$ for the kernel and rich regimes ($D = 2$)",
        provenance="P, constants unverified", source=SOURCE,
        statement="alpha >= sqrt(2(1+epsilon)(1+2/epsilon) norm(b^*_(ell_2))) => "
                  "norm(beta_alpha - b^*_(ell_2))^2 <= epsilon norm(b^*_(ell_2))^2, quad "
                  "alpha <= min{(2(1+epsilon) norm(b^*_(ell_1))_1)^(-(2+epsilon)/(2 epsilon)),"
                  " e^(-d/(epsilon norm(b^*_(ell_1))_1))} => norm(beta_alpha)_1 <= "
                  "(1+epsilon) norm(b^*_(ell_1))_1",
        theory="the stated thresholds (theory.diagonal.kernel_sufficient_alpha, "
               "rich_sufficient_alpha); the true thresholds from the KR2 dual "
               "(theory.diagonal.implicit_bias_dual at 53 + 40 bits, each solve started from "
               "the nearest one before) by Brent's method in log α",
        experiment="the D = 2 flow's limit (53 bits, integrated in ln w, whose weights fall "
                   "to 1e-50 and below, by the float64 Taylor engine) at exactly the "
                   "stated α, ε = 0.05, 0.1, 0.2, on two random 4×16 instances from the base "
                   "seed with a large ℓ1/ℓ2 gap (both ≥ 0.3), scaled to $norm(b_(ell_1))_1 = 3$ "
                   "and 30 "
                   "(each term of the rich threshold's min is active on one)",
        comparison="each implication's conclusion must hold for the flow at the stated α, "
                   "and the stated α must lie on the safe side of the true threshold α*; "
                   "$alpha_\"stated\"\\/alpha^*$ (kernel) and $log_10 "
                   "(alpha^*\\/alpha_\"stated\")$ (rich) say how loose the "
                   "constants are",
        parameters={"shape": KR5_SHAPE, "l1_norms": KR5_L1_NORMS, "gap": KR5_GAP,
                    "epsilons": KR5_EPSILONS},
        observe=_observe_kr5, check=_check_kr5,
        null_models=(
            NullModel("ℓ2 interpolant for every α", "β_α = b*ℓ2 = X⁺y at every α (no rich "
                      "regime): the rich conclusion must fail", partial(_observe_kr5, "l2")),
            NullModel("ℓ1 interpolant for every α", "β_α = b*ℓ1 at every α (no kernel "
                      "regime): the kernel conclusion must fail", partial(_observe_kr5, "l1"))),
        domain=_domain_kr5),
    exact(
        id="KR6", title="Diagonal matrix sensing follows the $D = 2$ network",
        provenance="D",
        statement="W = U U^T - V V^T, quad U(0) = V(0) = alpha I, quad "
                  "chevron.l op(\"diag\")(x_n), W chevron.r = y_n => W(t) = "
                  "op(\"diag\")(beta(t)), quad beta(t) = 2 alpha^2 sinh(X^T nu(t))",
        theory="KR1's closed form for D = 2 with R(t) from the reduced ODE",
        experiment="gradient flow of $1\\/2 sum_n (chevron.l A_n, U U^T - V V^T chevron.r - "
                   "y_n)^2$ in the 32 entries of U, V "
                   "(autodiff), $A_n = op(\"diag\")(x_n)$, random 2×4 instance (seed 6), α = "
                   "0.6, 7 times on [0, 1.5]; the D = 2 diagonal network on the same data. "
                   "Certificate: a 2×3 instance of the same seed (18 entries of U, V) in Arb "
                   "balls (validated Taylor enclosures, t > 0 of the grid): $W_(i i)$ against "
                   "$2 alpha^2 sinh(X^T nu)$ at R of the enclosed reduced ODE and against "
                   "$beta_i$ of the enclosed D = 2 network; $W_(i j)$ ($i != j$) enclosed "
                   "around 0",
        comparison="every $W_(i j)$ ($i != j$) against 0, $W_(i i)$ against $beta_i$ of the "
                   "network and against "
                   "the closed form, over max|β|; " + _BUDGET + "; must shrink with precision",
        parameters={"instance": KR6_INSTANCE, "alpha": KR6_ALPHA, "horizon": KR6_HORIZON},
        measure=_measure_kr6, checks=(_kr6_notes,), certify=_certifier("KR6"),
        domain=_domain_trajectory),
)
