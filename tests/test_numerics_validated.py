"""numerics.validated / ball_expressions / certificate: honesty tests of the Arb enclosures.

Every reference here is independent of the validated integrator: heyoka's 256-bit Taylor
trajectory (flowcert.numerics.integrate), closed forms evaluated with mpmath at 100 digits,
and DL1's logistic solution written out below (not imported from theory). An enclosure
passes only if the reference lies *inside* its balls, and is useful only if the balls are
narrow, so both are asserted.

Budgets:
* heyoka's 256-bit Taylor error is ~1e-74 relative (tolerance 2^-255 per step, ≲ 1e3 steps),
  so it is compared with enclosures computed at 128 bits (balls ~1e-37), which must contain
  it — a 256-bit enclosure would be as narrow as heyoka's own error;
* mpmath at 100 digits is exact to ~1e-100 ≪ any ball radius at 128 bits (~1e-37);
* "near rounding level": radius ≤ 1e-35 at 128 bits, i.e. ≲ 3e3 units of 2^-128 ≈ 2.9e-39
  (one rounding per operation, a few hundred steps).
"""

from __future__ import annotations

import math

import heyoka as hy
import mpmath
import numpy as np
import pytest
import sympy
from flint import arb, arb_mat, arb_series, fmpq

from flowcert.numerics.ball_expressions import (
    BranchError,
    compile_expressions,
    heyoka_program,
    jacobian,
    to_ball,
    to_rational,
    working_precision,
)
from flowcert.numerics.certificate import INCONCLUSIVE_RELATIVE_RADIUS, certify
from flowcert.numerics.deep_linear import DeepLinearNetwork
from flowcert.numerics.flows import Crossing, VectorField
from flowcert.numerics.integrate import integrate
from flowcert.numerics.logistic import LogisticModel
from flowcert.numerics.validated import EnclosureError, enclose

DL1 = DeepLinearNetwork((1, 1, 1))
REFERENCE_DIGITS = 100
X = hy.expression("x")


def product(variables):
    return variables[0] * variables[1]


def dl1_closed_form(s, u0, tau, offset="0"):
    """u(t) = s / (1 + (s/u0 − 1) e^{−2st/τ}) (+ offset), as a function of a time ball; the
    decimals become balls when it is called (certify runs it at the enclosure's precision)."""

    def u(t: arb) -> arb:
        s_, u0_, tau_, offset_ = (to_ball(v) for v in (s, u0, tau, offset))
        return s_ / (1 + (s_ / u0_ - 1) * (-2 * s_ * t / tau_).exp()) + offset_

    return u


def dl1_start(u0: str, bits: int) -> list[arb]:
    """w1 = w2 = √u0 as balls (u0 read exactly from its decimal)."""
    with working_precision(bits):
        root = to_ball(u0).sqrt()
    return [root, root]


def _mp(value: fmpq) -> mpmath.mpf:
    """An exact rational time as mpf at the current mpmath precision."""
    return mpmath.mpf(int(value.p)) / int(value.q)


def scalar_field(key: str, rhs: hy.expression) -> VectorField:
    return VectorField(key=key, variables=(X,), rhs=(rhs,), n_params=0)


def contains(ball: arb, value) -> bool:
    """The exact ``value`` (an mpf of ≤ 400 bits here) lies in ``ball``: converted at 1024
    bits, the reference is an exact point, not a rounded ball of its own."""
    with working_precision(1024):
        return ball.contains(to_ball(value))


# ----------------------------------------------------------------------------- numbers


def test_exact_conversions():
    assert to_rational("0.01") == fmpq(1, 100)
    assert to_rational("-3/7") == fmpq(-3, 7)
    assert to_rational(0.1) == fmpq(3602879701896397, 2**55)  # the double, not 1/10
    assert to_rational(mpmath.mpf("0.1")) == fmpq(3602879701896397, 2**55)
    assert to_rational(sympy.Float(0.1)) == fmpq(3602879701896397, 2**55)
    assert to_rational(sympy.Rational(2, 3)) == fmpq(2, 3)
    with working_precision(256):
        ball = to_ball("0.01")
        assert ball.contains(arb(fmpq(1, 100)))
        assert 0 < float(ball.rad()) < 1e-78
    for bad in ("abc", math.nan, math.inf, mpmath.inf, True, object()):
        with pytest.raises(ValueError):
            to_rational(bad)


# ----------------------------------------------------------------------------- expressions

x_, y_ = sympy.symbols("x y")
EXPRESSIONS = [
    x_ + y_, x_ - 2 * y_, x_ * y_ / 3, x_**sympy.Rational(2, 3), sympy.sqrt(x_) / x_**2,
    sympy.exp(x_) * sympy.log(y_), sympy.tanh(x_), sympy.sinh(x_), sympy.cosh(x_),
    sympy.asinh(x_), sympy.atanh(x_ / 2), sympy.acosh(x_ + 1), sympy.atan(x_),
    sympy.LambertW(x_), sympy.LambertW(-x_ / 4, -1), sympy.Ei(x_), sympy.pi * x_, x_**y_,
    sympy.Float(0.1) * x_, 1 / (1 + sympy.exp(-x_)), sympy.log(1 + sympy.exp(x_)),
    sympy.Abs(x_ - 1), sympy.erf(x_), sympy.gamma(x_), sympy.loggamma(x_), x_**3, x_**-2,
    x_**1.5, -1.0 * x_ * y_,
]
BALL_ONLY = [sympy.hyper([1, 2], [3], x_ / 2), sympy.polygamma(0, x_)]
POINT = (mpmath.mpf(7) / 10, mpmath.mpf(13) / 10)


def _mp_values(expressions, x, y):
    return sympy.lambdify([x_, y_], expressions, "mpmath")(x, y)


def _mp_function(expression):
    return sympy.lambdify([x_, y_], expression, "mpmath")


def test_ball_evaluation_contains_mpmath_values():
    program = compile_expressions(EXPRESSIONS + BALL_ONLY, [x_, y_])
    assert program.ball_only == {"hyper", "digamma"}
    with working_precision(200), mpmath.workdps(REFERENCE_DIGITS):
        values = program([to_ball(v) for v in POINT])
        references = _mp_values(EXPRESSIONS + BALL_ONLY, *POINT)
        for expression, value, reference in zip(EXPRESSIONS + BALL_ONLY, values, references,
                                                strict=True):
            assert contains(value, reference), expression
            assert float(value.rad()) < 1e-55, expression


def test_series_evaluation_contains_mpmath_taylor_coefficients():
    """Each Taylor coefficient (in x around 0.7, y fixed) contains mpmath's, to t^5."""
    program = compile_expressions(EXPRESSIONS, [x_, y_])
    length = 6
    with working_precision(200), mpmath.workdps(60):
        series = arb_series([to_ball(POINT[0]), arb(1)], prec=length)
        values = program([series, to_ball(POINT[1])])
        for expression, value in zip(EXPRESSIONS, values, strict=True):
            function = _mp_function(expression)
            coefficients = mpmath.taylor(lambda t, f=function: f(t, POINT[1]), POINT[0],
                                         length - 1)
            got = value.coeffs() if isinstance(value, arb_series) else [value]
            got += [arb(0)] * (length - len(got))
            for ball, reference in zip(got, coefficients, strict=True):
                # mpmath.taylor differentiates numerically: good to ~1e-40 at 60 digits
                assert ball.overlaps(arb(mpmath.nstr(reference, 50), 1e-40)), expression
            assert float(max(b.rad() for b in got)) < 1e-50, expression


def test_heyoka_constants_are_exact_binary_numbers():
    """heyoka's 0.1 is the double 0.1: x·0.1 at x = 10 is not 1 (1/10 would give exactly 1)."""
    program = heyoka_program([0.1 * X], [X], 0)
    with working_precision(256):
        (value,) = program([arb(10)])
        assert value.contains(arb(fmpq(3602879701896397, 2**55)) * 10)
        assert not value.contains(arb(1))


# ----------------------------------------------------------------------------- containment


def test_dl1_enclosure_contains_heyoka_256_bit_trajectory():
    s, u0, tau = "1", "0.01", "1"
    times = [fmpq(k, 4) for k in range(25)]
    params = DL1.flow_parameters(np.array([[s]]), tau)
    with mpmath.workprec(300):
        root = mpmath.sqrt(mpmath.mpf(u0))
        reference = integrate(DL1.vector_field, [root, root], [_mp(t) for t in times],
                              params, bits=256)
    enclosure = enclose(DL1.vector_field, dl1_start(u0, 128), times, params, 128)
    for state, row in zip(enclosure.states, reference.states, strict=True):
        assert all(contains(ball, value) for ball, value in zip(state, row, strict=True))
    assert enclosure.max_relative_radius < 1e-35


def test_logistic_loss_enclosure_contains_heyoka_256_bit_trajectory():
    """A non-polynomial field: 2-feature logistic regression, loss log(1 + e^{−y φ·θ})."""
    model = LogisticModel(2, 2, "weight_decay")
    start, times = ["0.3", "-0.2"], [fmpq(k, 2) for k in range(9)]
    with mpmath.workprec(300):  # every number below is an exact binary mpf shared by both
        block = {"phi": [[1, 0.5], [-0.25, 2]], "y": [1, -1], "lam": mpmath.mpf("0.1")}
        params = model.flow_parameters([block], 1)
        reference = integrate(model.vector_field, [mpmath.mpf(v) for v in start],
                              [_mp(t) for t in times], params, bits=256)
    enclosure = enclose(model.vector_field, start, times, params, 128)
    for state, row in zip(enclosure.states, reference.states, strict=True):
        assert all(contains(ball, value) for ball, value in zip(state, row, strict=True))
    assert enclosure.max_relative_radius < 1e-35


SCALAR_CASES = {
    # ẋ = x(1 − x): x(t) = x0 eᵗ / (1 − x0 + x0 eᵗ)
    "logistic": (X * (1.0 - X), "0.1",
                 lambda t, x0: x0 * mpmath.exp(t) / (1 - x0 + x0 * mpmath.exp(t))),
    # ẋ = −tanh x: sinh x(t) = sinh(x0) e^{−t}
    "tanh": (-hy.tanh(X), "1.5", lambda t, x0: mpmath.asinh(mpmath.sinh(x0) * mpmath.exp(-t))),
    # ẋ = sigmoid(x): x − e^{−x} = t + c0, so x = c + W(e^{−c}) with c = t + x0 − e^{−x0}
    "sigmoid": (hy.sigmoid(X), "-1", lambda t, x0: (lambda c: c + mpmath.lambertw(
        mpmath.exp(-c)).real)(t + x0 - mpmath.exp(-x0))),
}


@pytest.mark.parametrize("name", sorted(SCALAR_CASES))
def test_scalar_enclosure_contains_exact_solution(name):
    rhs, start, exact = SCALAR_CASES[name]
    times = [fmpq(k, 2) for k in range(11)]
    enclosure = enclose(scalar_field(f"test:{name}", rhs), [start], times, (), 128)
    with mpmath.workdps(REFERENCE_DIGITS):
        for t, (ball,) in zip(enclosure.times, enclosure.states, strict=True):
            assert contains(ball, exact(_mp(t), mpmath.mpf(start)))
    assert enclosure.max_relative_radius < 1e-35


# ----------------------------------------------------------------------------- certificates


@pytest.mark.parametrize(("bits", "perturbation"), [(53, "1e-9"), (256, "1e-30")])
def test_dl1_closed_form_certified_and_perturbation_refuted(bits, perturbation):
    s, u0, tau = "1", "0.01", "1"
    times = [fmpq(k, 4) for k in range(17)]  # to t = 4, past the half time t½ = ln 99 / 2
    half = Crossing("half", product, "0.5")
    enclosure = enclose(DL1.vector_field, dl1_start(u0, bits), times,
                        DL1.flow_parameters(np.array([[s]]), tau), bits, events=[half])
    (crossing,) = enclosure.events["half"]
    assert crossing.certified and crossing.direction == 1

    def half_time():  # t½ = τ/(2s) ln(s/u0 − 1)
        return to_ball(tau) / (2 * to_ball(s)) * (to_ball(s) / to_ball(u0) - 1).log()

    true = certify(enclosure, dl1_closed_form(s, u0, tau), observable=product,
                   crossings={"half": half_time})
    assert true.status == "certified", true.evidence
    assert true.points == len(times) + 1
    wrong = certify(enclosure, dl1_closed_form(s, u0, tau, perturbation), observable=product)
    assert wrong.status == "refuted"
    assert "separation" in wrong.evidence[0] and "t = 0" in wrong.evidence[0]
    if bits == 256:
        assert enclosure.max_relative_radius <= 1e-60  # the acceptance criterion for DL1
        assert float(crossing.time.rad()) < 1e-70


def test_crossing_at_the_start_is_not_certified():
    """u = u0 holds at t = 0 itself: no sign change can be proven, so the crossing is reported
    as not certified (with the stretch where it may lie) and a certificate that needs it is
    inconclusive."""
    times = [fmpq(k, 4) for k in range(3)]
    at_start = Crossing("start", product, "0.01")
    enclosure = enclose(DL1.vector_field, dl1_start("0.01", 128), times,
                        DL1.flow_parameters(np.array([["1"]]), "1"), 128, events=[at_start])
    found = enclosure.events["start"]
    assert found and not any(c.certified for c in found)
    assert found[0].time.contains(arb(0))
    result = certify(enclosure, dl1_closed_form("1", "0.01", "1"), observable=product,
                     crossings={"start": arb(0)})
    assert result.status == "inconclusive"
    assert "crossing start" in result.evidence[-1]


def test_certificate_inconclusive_when_enclosure_is_wide():
    """Balls of relative radius ~1e-3 (Taylor order 2, step 1/4) decide nothing."""
    times = [fmpq(k, 4) for k in range(9)]
    enclosure = enclose(DL1.vector_field, dl1_start("0.5", 53), times,
                        DL1.flow_parameters(np.array([["1"]]), "1"), 53, order=2,
                        step=fmpq(1, 4))
    assert enclosure.max_relative_radius > INCONCLUSIVE_RELATIVE_RADIUS
    result = certify(enclosure, dl1_closed_form("1", "0.5", "1"), observable=product)
    assert result.status == "inconclusive"
    assert result.to_json()["status"] == "inconclusive"


# ----------------------------------------------------------------------------- wrapping


def _final_radius(field, start, params, step, end=2) -> float:
    enclosure = enclose(field, start, [end], params, 128, order=4, step=step)
    return max(float(b.rad()) for b in enclosure.states[-1])


@pytest.mark.parametrize("case", ["dl1", "logistic"])
def test_smaller_fixed_steps_never_widen_the_final_enclosure(case):
    """Order 4 at 128 bits: truncation (∝ h⁴ over the run) dominates rounding, so halving the
    step must narrow the final enclosure (or at least not widen it)."""
    if case == "dl1":
        field, start = DL1.vector_field, dl1_start("0.01", 128)
        params = DL1.flow_parameters(np.array([["1"]]), "1")
    else:
        field, start, params = scalar_field("test:logistic", X * (1.0 - X)), ["0.1"], ()
    radii = [_final_radius(field, start, params, fmpq(1, 2**k)) for k in range(2, 6)]
    assert all(b <= a for a, b in zip(radii, radii[1:], strict=False)), radii
    assert radii[-1] < radii[0] / 100, radii


SPD = [["1", "0.9", "0.9"], ["0.9", "1", "0.9"], ["0.9", "0.9", "1"]]  # eigenvalues 2.8, .1, .1


def test_contracting_linear_flow_stays_tight_where_naive_intervals_blow_up():
    variables = tuple(hy.expression(f"x{i}") for i in range(3))
    rhs = tuple(-hy.sum([float(SPD[i][j]) * variables[j] for j in range(3)]) for i in range(3))
    field = VectorField("test:contracting", variables, rhs, 0)
    end, step = 20, fmpq(1, 10)
    with working_precision(128):
        start = [arb(1, 1e-20), arb(-2, 1e-20), arb(fmpq(1, 2), 1e-20)]
    lohner = enclose(field, start, [end], (), 128)
    exact_start = enclose(field, ["1", "-2", "0.5"], [end], (), 128)
    with working_precision(128):
        # naive interval method with the *exact* one-step map e^{−hA} (no truncation at all)
        step_map = (-arb(step) * arb_mat([[to_ball(v) for v in row] for row in SPD])).exp()
        naive = arb_mat(3, 1, start)
        for _ in range(int(end / step)):
            naive = step_map * naive
        naive_radius = max(float(naive[i, 0].rad()) for i in range(3))
    lohner_radius = max(float(b.rad()) for b in lohner.states[-1])
    # the exact image of the start box has radius ≤ ‖e^{−20A}‖∞·1e-20 ≤ √3·1e-20
    assert lohner_radius <= math.sqrt(3) * 1e-20 * 1.01
    assert naive_radius > 1e3 * lohner_radius
    assert max(float(b.rad()) for b in exact_start.states[-1]) < 1e-35


# ----------------------------------------------------------------------------- bad input


def test_bad_input_raises_value_error_naming_the_problem():
    field, params = DL1.vector_field, DL1.flow_parameters(np.array([["1"]]), "1")
    start = ["0.1", "0.1"]
    cases = [
        (lambda: enclose(field, ["0.1"], [1], params, 64), "initial state has 1 entries"),
        (lambda: enclose(field, start, [1], params[:1], 64), "parameters has 1 entries"),
        (lambda: enclose(field, start, [-1, 1], params, 64), "non-negative"),
        (lambda: enclose(field, start, [1, "0.5"], params, 64), "strictly increasing"),
        (lambda: enclose(field, start, [], params, 64), "must not be empty"),
        (lambda: enclose(field, ["0.1", "x"], [1], params, 64), "initial state"),
        (lambda: enclose(field, start, [1], params, 64, order=1), "order"),
        (lambda: enclose(field, start, [1], params, 64, step=0), "step must be positive"),
        (lambda: enclose(field, start, [1], params, 64,
                         events=[Crossing("half", product, "0.5")], until="other"),
         "until names no event"),
        (lambda: compile_expressions([sympy.zeta(x_)], [x_]), "zeta"),
        (lambda: compile_expressions([x_ + y_], [x_]), "unknown symbol 'y'"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=message):
            call()


def test_ball_only_function_in_a_field_is_rejected():
    field = scalar_field("test:erf-ok", hy.erf(X))
    enclose(field, ["0.5"], [fmpq(1, 10)], (), 64)  # erf has a series: accepted
    program = compile_expressions([sympy.polygamma(0, x_)], [x_])
    with working_precision(64), pytest.raises(ValueError, match="digamma"):
        program([arb_series([1, 1], prec=3)])


# ----------------------------------------------------------------------------- ReLU


def test_relu_and_its_derivative_are_decided_off_the_kink_only():
    """heyoka's relu/relup (Piecewise in SymPy) on balls and series: the piece is chosen by
    the sign of the argument's ball (series: constant term); touching 0 raises."""
    program = heyoka_program([hy.relu(X), hy.relup(X)], [X], 0)
    with working_precision(64):
        assert program([arb(2)]) == [2, 1] and program([arb(-2)]) == [0, 0]
        value, slope = program([arb_series([fmpq(1, 2), 3], prec=2)])
        assert (value[0], value[1], slope) == (fmpq(1, 2), 3, 1)  # relup: the constant 1
        for kink in (arb(0), arb(fmpq(1, 8), fmpq(1, 4)), arb_series([0, 1], prec=2)):
            with pytest.raises(BranchError, match="cannot be decided"):
                program([kink])


def test_nested_relu_conditions_in_three_valued_logic():
    """relu(w·relu(x)) arrives as Piecewise((…, ITE(x > 0, x·w > 0, False)), (0, True)):
    decided when x < 0 whatever the sign of w (both branches of the ITE give False), and when
    x, w > 0; undecided when x > 0 and w's ball contains 0."""
    w = hy.expression("w")
    program = heyoka_program([hy.relu(w * hy.relu(X))], [X, w], 0)
    with working_precision(64):
        assert program([arb(-1), arb(0, 1)]) == [0]
        assert program([arb(2), arb(3)]) == [6]
        with pytest.raises(BranchError):
            program([arb(2), arb(0, 1)])


def test_relu_field_enclosed_on_one_side_of_the_kink():
    """ẋ = relu(x): e^t from x0 = 1 (contains mpmath's e), at rest from x0 = −1."""
    field = scalar_field("test:relu", hy.relu(X))
    grow = enclose(field, ["1"], [1], (), 128)
    with mpmath.workdps(REFERENCE_DIGITS):
        assert contains(grow.states[0][0], mpmath.exp(1))
    assert grow.max_relative_radius < 1e-35
    rest = enclose(field, ["-1"], [1], (), 128)
    assert rest.states[0][0] == -1


def test_memoised_jacobian_equals_sympy_diff():
    """jacobian() against sympy.diff entry by entry, at an exact rational point: sums,
    products, a rational and a Float exponent (b^n·n/b, no rounded n − 1), functions, a
    ReLU Piecewise, a variable exponent; and a heyoka DAG (DL1's field) as the integrator
    uses it."""
    x, y = sympy.symbols("x y", real=True)
    expressions = [x * y**3 + sympy.exp(x * y), sympy.tanh(x) ** sympy.Rational(1, 3),
                   (x + y) ** sympy.Float(0.3) * sympy.log(y),
                   sympy.Piecewise((x * y, x * y > 0), (0, True)), x**y]
    point = {x: sympy.Rational(3, 7), y: sympy.Rational(5, 4)}
    found = jacobian(expressions, [x, y])
    expected = [sympy.diff(f, v) for f in expressions for v in (x, y)]
    for ours, theirs in zip(found, expected, strict=True):
        assert abs(sympy.N(ours.subs(point) - theirs.subs(point), 50)) < 1e-40
    field = DL1.vector_field
    rhs = [hy.to_sympy(e) for e in field.rhs]
    variables = sorted(set().union(*(e.free_symbols for e in rhs)) - {
        s for e in rhs for s in e.free_symbols if s.name.startswith("par")}, key=str)
    for ours, theirs in zip(jacobian(rhs, variables),
                            [sympy.diff(f, v) for f in rhs for v in variables], strict=True):
        assert sympy.expand(ours - theirs) == 0


def test_relu_field_reaching_the_kink_raises():
    """ẋ = relu(x) − 2 from x0 = 1: x = 2 − e^t reaches the kink at ln 2; every a-priori box
    of a step across it touches 0 and cannot decide ReLU's branch, so the step halves until
    it collapses: no enclosure past the kink, the BranchError as its cause. From x0 = 0
    (at the kink) not even the Taylor coefficients at the start can be computed."""
    field = scalar_field("test:relu-kink", hy.relu(X) - 2.0)
    assert enclose(field, ["1"], [fmpq(1, 2)], (), 64).states[0][0] > 0
    with pytest.raises(EnclosureError, match="ReLU kink") as raised:
        enclose(field, ["1"], [1], (), 64)
    assert isinstance(raised.value.__cause__, BranchError)
    with pytest.raises(BranchError):
        enclose(field, ["0"], [1], (), 64)


# ----------------------------------------------------------------------------- until


def test_until_stops_after_the_event_and_reports_earlier_outputs_only():
    """ẋ = x² from 1/2 blows up at t = 2 and crosses x = 1 at t = 1: with until, the
    outputs before the crossing are reported and the output times past the blow-up are
    never integrated."""
    field = scalar_field("test:square", X * X)
    stop = Crossing("one", lambda v: v[0], 1)
    enclosure = enclose(field, ["0.5"], [fmpq(1, 2), fmpq(3, 2), 3], (), 64, events=[stop],
                        until="one")
    assert enclosure.times == [fmpq(1, 2)]
    assert enclosure.states[0][0].overlaps(arb(fmpq(2, 3)))
    (crossing,) = enclosure.events["one"]
    assert crossing.certified and crossing.time.overlaps(arb(1))
    assert float(crossing.time.rad()) < 1e-15


def test_blow_up_is_reported():
    """ẋ = x² from x0 = 1 blows up at t = 1: the steps shrink with 1 − t, so the step budget
    runs out before t = 1 (no enclosure is ever returned past it)."""
    with pytest.raises(EnclosureError, match="step budget"):
        enclose(scalar_field("test:square", X * X), ["1"], [2], (), 64, max_steps=200)


# ----------------------------------------------------------------------------- slow


@pytest.mark.slow
@pytest.mark.parametrize(("s", "u0", "tau"), [("1", "0.01", "1"), ("3", "0.001", "1"),
                                              ("2", "0.5", "0.5"), ("0.5", "0.45", "2"),
                                              ("1", "1.5", "1")])
def test_dl1_cases_certified_at_256_bits(s, u0, tau):
    """DL1's five cases on the claim's 41-point grid: relative radius ≤ 1e-60, certified."""
    with mpmath.workprec(300):
        horizon = mpmath.mpf(tau) * (abs(mpmath.log(mpmath.mpf(s) / mpmath.mpf(u0))) + 8) \
            / (2 * mpmath.mpf(s))
        times = [horizon * k / 40 for k in range(41)]
    enclosure = enclose(DL1.vector_field, dl1_start(u0, 256), times,
                        DL1.flow_parameters(np.array([[s]]), tau), 256)
    assert enclosure.max_relative_radius <= 1e-60
    assert certify(enclosure, dl1_closed_form(s, u0, tau), observable=product).status \
        == "certified"
