"""SymPy expressions evaluated in Arb ball arithmetic (python-flint), on numbers and on series.

A :class:`BallProgram` is a straight-line program compiled once from SymPy expression trees
(common subexpressions share a slot). It runs on ``flint.arb`` balls or on truncated Taylor
series ``flint.arb_series`` (or a mix: inputs that are plain balls act as constants), at the
working precision ``flint.ctx.prec`` of the call. Every operation is one of python-flint's
ball operations, so each output ball contains the exact value of the expression for every
real input inside the input balls (series: every Taylor coefficient).

Numbers are converted exactly: SymPy Integers and Rationals become ``fmpq``; a SymPy Float is
the binary number it stores (its mpmath mantissa and exponent), never its decimal rendering;
π, e and Euler's γ are Arb's constant balls. The ball of a constant is made at the precision
of the call (cached per precision).

:func:`heyoka_program` converts heyoka expressions (a vector field's right-hand sides) with
``heyoka.to_sympy``; heyoka's runtime parameters arrive as symbols
named ``par[i]``. Supported: + − × ÷, integer, rational and real-constant powers, exp, log,
sqrt, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh, erf, erfc,
gamma, loggamma, Lambert W (branches 0 and −1), Ei, Abs (on a series: only where the sign of
its constant term is known); on balls only (closed forms): digamma (``polygamma(0, x)``) and
the Gauss hypergeometric function ₂F₁ (``hyper([a, b], [c], z)``, Arb's ``hypgeom_2f1``).
The logistic sigmoid and softplus need no entry of their own: heyoka writes them as
1/(1 + exp(−x)) and log(1 + exp(x)). Anything else raises ValueError naming the function.

**ReLU.** heyoka's ``to_sympy`` writes relu(x) as ``Piecewise((x, x > 0), (0.0, True))`` and
its derivative relup(x) as ``Piecewise((1.0, x > 0), (0.0, True))``; nested ReLUs arrive with
conditions such as ``ITE(x > 0, x·w > 0, False)``. A Piecewise is evaluated by deciding its
conditions — relations >, ≥, <, ≤ by the sign of lhs − rhs, combined by ITE, And, Or, Not in
three-valued logic — and returning the first piece whose condition holds. A relation is
decided only where lhs − rhs is a ball excluding 0 (for a series: its constant term, which
for the series of a box is the range over the whole box). The integrator evaluates the field
on the a-priori box B of every step and the remainder on the series of B, so a decided
condition holds on a neighbourhood of every state the step can reach: there the field *is*
the selected piece, an analytic expression, and its Taylor expansion is valid. A condition
that cannot be decided (a ball or box touching the kink, including an exact 0) raises
:class:`BranchError`: nothing is claimed across a kink.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from fractions import Fraction

import heyoka as hy
import mpmath
import sympy
from flint import arb, arb_series, ctx, fmpq, fmpz

Ball = arb | arb_series


class BranchError(ValueError):
    """A Piecewise condition (ReLU's kink) could not be decided on the given balls."""


# ----------------------------------------------------------------------------- numbers


def to_rational(value) -> fmpq:
    """The exact rational value of an int, float, decimal string, Fraction, mpf or SymPy number.

    Floats and mpf numbers are binary fractions and convert exactly; a string is read as the
    decimal (or ``p/q``) it spells, so ``"0.01"`` is exactly 1/100. Raises ValueError for
    non-finite or unsupported values.
    """
    if isinstance(value, fmpq):
        return value
    if isinstance(value, bool):
        raise ValueError(f"a boolean is not a number: {value!r}")
    if isinstance(value, sympy.Float | mpmath.mpf):
        return _binary(value._mpf_, value)
    if isinstance(value, sympy.Rational):
        return fmpq(int(value.p), int(value.q))
    if isinstance(value, fmpz):
        return fmpq(value)
    if isinstance(value, str):
        try:
            return _fraction(Fraction(value.strip()))
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"not a decimal or rational number: {value!r}") from None
    if isinstance(value, numbers.Rational):
        return _fraction(Fraction(int(value.numerator), int(value.denominator)))
    if isinstance(value, numbers.Real):
        try:
            return _fraction(Fraction(float(value)))
        except (OverflowError, ValueError):
            raise ValueError(f"not a finite number: {value!r}") from None
    raise ValueError(f"cannot convert {type(value).__name__} {value!r} to an exact number")


def _fraction(fraction: Fraction) -> fmpq:
    return fmpq(fraction.numerator, fraction.denominator)


def _binary(mpf_tuple: tuple, value) -> fmpq:
    """(sign, mantissa, exponent, bitcount) of an mpmath/SymPy float, exactly."""
    sign, mantissa, exponent, _ = mpf_tuple
    if mantissa == 0:
        if mpf_tuple != mpmath.libmp.fzero:
            raise ValueError(f"not a finite number: {value!r}")
        return fmpq(0)
    signed = -int(mantissa) if sign else int(mantissa)
    if exponent >= 0:
        return fmpq(signed * 2 ** int(exponent))
    return fmpq(signed, 2 ** int(-exponent))


def to_ball(value) -> arb:
    """A ball containing ``value`` at the current precision (an arb is returned as it is).

    Exact conversion first (:func:`to_rational`), then Arb's rigorous rounding to
    ``flint.ctx.prec`` bits: a decimal such as ``"0.01"`` becomes a tiny ball around 1/100.
    """
    if isinstance(value, arb):
        if not value.is_finite():
            raise ValueError(f"not a finite ball: {value!r}")
        return value
    return arb(to_rational(value))


@contextmanager
def working_precision(bits: int, series_length: int | None = None) -> Iterator[None]:
    """Set ``flint.ctx.prec`` to ``bits`` inside the block, and ``flint.ctx.cap`` (the longest
    series python-flint returns: it truncates every series result to it) to
    ``series_length`` when given; both are restored afterwards."""
    saved = ctx.prec, ctx.cap
    ctx.prec = bits
    if series_length is not None:
        ctx.cap = series_length
    try:
        yield
    finally:
        ctx.prec, ctx.cap = saved


def upper_float(value: arb) -> float:
    """A float ≥ |value| for every point of the ball (rounded up; a positive bound below the
    float range becomes the smallest subnormal, one above it ∞)."""
    bound = value.abs_upper()
    if bound == 0:
        return 0.0
    number = float(bound)
    return math.inf if math.isinf(number) else max(math.nextafter(number, math.inf),
                                                   math.ulp(0.0))


def relative_radius(ball: arb) -> float:
    """rad/|mid| rounded up to float: 0 for an exact ball, ∞ for a midpoint 0."""
    if ball.rad() == 0:
        return 0.0
    middle = abs(ball.mid())
    return math.inf if middle == 0 else upper_float(ball.rad() / middle)


def constant_term(value: Ball) -> arb:
    """The value at the expansion point of a series (a ball is its own constant term)."""
    return value if isinstance(value, arb) else value[0]


# ----------------------------------------------------------------------------- operations


def _series_by_identity(name: str, on_series: Callable[[arb_series], arb_series]):
    """An Arb function whose series is built from an identity (python-flint has no method)."""

    def operation(x):
        return getattr(x, name)() if isinstance(x, arb) else on_series(x)

    return operation


def _integrate_derivative(function: str, derivative: Callable[[arb_series], arb_series]):
    """f(x(t)) = f(x(0)) + ∫ f′(x) x′ dt for inverse functions without a series method."""

    def on_series(x: arb_series) -> arb_series:
        start = getattr(constant_term(x), function)()
        return (x.derivative() * derivative(x)).integral() + start

    return on_series


def _abs(x):
    if isinstance(x, arb):
        return abs(x)
    head = constant_term(x)
    if head > 0:
        return x
    if head < 0:
        return -x
    raise ValueError("Abs of a series whose constant term contains 0 has no Taylor expansion")


def _ball_only(name: str, operation: Callable):
    def guarded(*args):
        if any(isinstance(a, arb_series) for a in args):
            raise ValueError(f"{name} has no Taylor-series evaluation here (closed forms only)")
        return operation(*args)

    return guarded


def _method(name: str) -> Callable:
    return lambda x: getattr(x, name)()


def _lambertw(branch: int) -> Callable:
    return lambda x: x.lambertw(branch) if isinstance(x, arb) else x.lambertw(branch=branch)


#: SymPy function → operation (each runs on balls and on series).
_UNARY: dict[type, Callable] = {
    sympy.exp: _method("exp"),
    sympy.log: _method("log"),
    sympy.sin: _method("sin"),
    sympy.cos: _method("cos"),
    sympy.tan: _method("tan"),
    sympy.asin: _method("asin"),
    sympy.acos: _method("acos"),
    sympy.atan: _method("atan"),
    sympy.erf: _method("erf"),
    sympy.erfc: _method("erfc"),
    sympy.gamma: _method("gamma"),
    sympy.loggamma: _method("lgamma"),
    sympy.Ei: _method("ei"),
    sympy.Abs: _abs,
    sympy.sinh: _series_by_identity("sinh", lambda x: (x.exp() - (-x).exp()) / 2),
    sympy.cosh: _series_by_identity("cosh", lambda x: (x.exp() + (-x).exp()) / 2),
    sympy.tanh: _series_by_identity("tanh", lambda x: 1 - 2 / ((2 * x).exp() + 1)),
    sympy.asinh: _series_by_identity(
        "asinh", _integrate_derivative("asinh", lambda x: (x * x + 1).rsqrt())),
    sympy.acosh: _series_by_identity(
        "acosh", _integrate_derivative("acosh", lambda x: (x * x - 1).rsqrt())),
    sympy.atanh: _series_by_identity(
        "atanh", _integrate_derivative("atanh", lambda x: 1 / (1 - x * x))),
}

_CONSTANTS: dict[object, Callable[[], arb]] = {
    sympy.pi: arb.pi,
    sympy.E: arb.const_e,
    sympy.EulerGamma: arb.const_euler,
}


def _add(a, b):
    return a + b


def _sub(a, b):
    return a - b


def _mul(a, b):
    return a * b


def _div(a, b):
    return a / b


def _neg(a):
    return -a


def _square(a):
    return a * a


def _power(exponent) -> Callable:
    return lambda a: a ** exponent


def _hypergeometric_2f1(a, b, c, z):
    return z.hypgeom_2f1(a, b, c)


# ----------------------------------------------------------------------------- Piecewise

def _relation(if_positive: bool, if_negative: bool) -> Callable:
    """``lhs − rhs`` ◦ 0 in three-valued logic: True/False where the ball (series: constant
    term) excludes 0, None where it does not (an exact 0 included: on a series the branch
    beside the kink is not fixed by its value at the expansion point)."""

    def decide(difference) -> bool | None:
        head = constant_term(difference)
        if head > 0:
            return if_positive
        if head < 0:
            return if_negative
        return None

    return decide


_GREATER, _LESS = _relation(True, False), _relation(False, True)
#: Relation → its three-valued test of lhs − rhs (strictness is moot off the kink).
_RELATIONS: dict[type, Callable] = {
    sympy.StrictGreaterThan: _GREATER, sympy.GreaterThan: _GREATER,
    sympy.StrictLessThan: _LESS, sympy.LessThan: _LESS,
}


def _not(a: bool | None) -> bool | None:
    return None if a is None else not a


def _and(*args: bool | None) -> bool | None:
    if any(a is False for a in args):
        return False
    return True if all(a is True for a in args) else None


def _or(*args: bool | None) -> bool | None:
    if any(a is True for a in args):
        return True
    return False if all(a is False for a in args) else None


def _if_then_else(condition: bool | None, then: bool | None,
                  otherwise: bool | None) -> bool | None:
    if condition is None:
        return then if then is otherwise else None
    return then if condition else otherwise


_CONNECTIVES: dict[type, Callable] = {
    sympy.Not: _not, sympy.And: _and, sympy.Or: _or, sympy.ITE: _if_then_else,
}


def _piecewise(description: str) -> Callable:
    """Select the piece of ``Piecewise((e1, c1), (e2, c2), …)`` given (c1, e1, c2, e2, …):
    the first whose condition is True, provided every condition before it is False."""

    def select(*args):
        for condition, value in zip(args[::2], args[1::2], strict=True):
            if condition is None:
                raise BranchError(f"{description}: a condition cannot be decided on these "
                                  "balls (the argument's ball contains the kink)")
            if condition:
                return value
        raise BranchError(f"{description}: no condition holds")

    return select


# ----------------------------------------------------------------------------- programs


class BallProgram:
    """Straight-line program of SymPy ``expressions`` in the named ``inputs``.

    ``program(values)`` takes one ball or series per input (in ``inputs`` order) and returns
    one result per expression. Build it once and reuse it: the tree walk happens here.
    """

    def __init__(self, expressions: Sequence[sympy.Expr], inputs: Sequence[str | sympy.Symbol]):
        self.inputs = tuple(str(name) for name in inputs)
        if len(set(self.inputs)) != len(self.inputs):
            raise ValueError(f"input names must be distinct, got {self.inputs}")
        self._input_slot = {name: i for i, name in enumerate(self.inputs)}
        self._constants: list[Callable[[], arb | bool]] = []
        self._operations: list[tuple[Callable, tuple]] = []
        self._memo: dict[sympy.Expr, tuple[str, int]] = {}
        self._emitted: dict[tuple, tuple[str, int]] = {}
        self._constant_memo: dict[object, tuple[str, int]] = {}
        self.ball_only: set[str] = set()
        references = [self._compile(sympy.sympify(e)) for e in expressions]
        # slots: inputs, then constants, then operation results
        n_in, n_const = len(self.inputs), len(self._constants)
        code = [(op, tuple(self._slot(a, n_in, n_const) for a in args))
                for op, args in self._operations]
        outputs = [self._slot(r, n_in, n_const) for r in references]
        self._run = _straight_line_function(code, outputs, n_in, n_const)
        self._constant_cache: dict[int, list[arb]] = {}
        del self._memo, self._constant_memo, self._emitted, self._operations

    def __call__(self, values: Sequence[Ball]) -> list[Ball]:
        if len(values) != len(self.inputs):
            raise ValueError(f"expected {len(self.inputs)} inputs {self.inputs}, "
                             f"got {len(values)}")
        return self._run(values, self._constant_values())

    def _constant_values(self) -> list[arb]:
        prec = ctx.prec
        if prec not in self._constant_cache:
            self._constant_cache[prec] = [make() for make in self._constants]
        return self._constant_cache[prec]

    @staticmethod
    def _slot(reference: tuple[str, int], n_in: int, n_const: int) -> int:
        kind, index = reference
        return {"in": 0, "const": n_in, "op": n_in + n_const}[kind] + index

    # -- tree walk

    def _constant(self, key, make: Callable[[], arb]) -> tuple[str, int]:
        if key not in self._constant_memo:
            self._constants.append(make)
            self._constant_memo[key] = ("const", len(self._constants) - 1)
        return self._constant_memo[key]

    def _rational(self, value: fmpq) -> tuple[str, int]:
        return self._constant(("q", value), lambda: arb(value))

    def _emit(self, operation: Callable, *args: tuple[str, int]) -> tuple[str, int]:
        """Append an operation, or reuse an identical earlier one (value numbering)."""
        key = (operation, tuple(sorted(args)) if operation in (_add, _mul) else args)
        if key not in self._emitted:
            self._operations.append((operation, args))
            self._emitted[key] = ("op", len(self._operations) - 1)
        return self._emitted[key]

    def _compile(self, expr: sympy.Expr) -> tuple[str, int]:
        if expr not in self._memo:
            self._memo[expr] = self._compile_new(expr)
        return self._memo[expr]

    def _compile_new(self, expr: sympy.Expr) -> tuple[str, int]:
        if isinstance(expr, sympy.Symbol):
            if expr.name not in self._input_slot:
                raise ValueError(f"unknown symbol {expr.name!r}; inputs are {self.inputs}")
            return ("in", self._input_slot[expr.name])
        if isinstance(expr, sympy.Rational | sympy.Float):
            return self._rational(to_rational(expr))
        if expr in _CONSTANTS:
            return self._constant(expr, _CONSTANTS[expr])
        if isinstance(expr, sympy.Number):
            raise ValueError(f"unsupported number {expr} in expression")
        if isinstance(expr, sympy.Add):
            return self._compile_add(expr)
        if isinstance(expr, sympy.Mul):
            return self._compile_mul(expr)
        if isinstance(expr, sympy.Pow):
            return self._compile_pow(expr)
        if isinstance(expr, sympy.Piecewise):
            return self._compile_piecewise(expr)
        return self._compile_function(expr)

    def _compile_piecewise(self, expr: sympy.Piecewise) -> tuple[str, int]:
        """Conditions and values in order (pieces after an always-true condition dropped)."""
        args: list[tuple[str, int]] = []
        for value, condition in expr.args:
            if condition is sympy.false:
                continue
            args += [self._compile_condition(condition), self._compile(value)]
            if condition is sympy.true:
                break
        text = str(expr)
        description = text if len(text) <= 120 else text[:117] + "..."
        return self._emit(_piecewise(description), *args)

    def _compile_condition(self, condition) -> tuple[str, int]:
        """A boolean as a slot holding True, False or None (undecided)."""
        if condition in (sympy.true, sympy.false):
            truth = condition is sympy.true
            return self._constant(("bool", truth), lambda: truth)
        if type(condition) in _RELATIONS:
            return self._emit(_RELATIONS[type(condition)],
                              self._compile(condition.lhs - condition.rhs))
        if type(condition) in _CONNECTIVES:
            return self._emit(_CONNECTIVES[type(condition)],
                              *[self._compile_condition(a) for a in condition.args])
        raise ValueError(f"unsupported condition {condition} in a Piecewise")

    def _compile_add(self, expr: sympy.Add) -> tuple[str, int]:
        terms = list(expr.args)
        total = self._compile(terms[0])
        for term in terms[1:]:
            coefficient, rest = term.as_coeff_Mul()
            if to_rational(coefficient) == -1:
                total = self._emit(_sub, total, self._compile(rest))
            else:
                total = self._emit(_add, total, self._compile(term))
        return total

    def _compile_mul(self, expr: sympy.Mul) -> tuple[str, int]:
        coefficient, rest = expr.as_coeff_Mul()
        scale = to_rational(coefficient)
        numerator, denominator = [], []
        for factor in sympy.Mul.make_args(rest):
            exponent = factor.exp if isinstance(factor, sympy.Pow) else None
            if exponent is not None and exponent.is_number and exponent.is_negative:
                denominator.append(factor.base if exponent == -1 else
                                   sympy.Pow(factor.base, -exponent, evaluate=False))
            else:
                numerator.append(factor)
        top = self._product(numerator)
        if top is None:
            top = self._rational(scale)
        elif scale == -1:
            top = self._emit(_neg, top)
        elif scale != 1:
            top = self._emit(_mul, self._rational(scale), top)
        bottom = self._product(denominator)
        return top if bottom is None else self._emit(_div, top, bottom)

    def _product(self, factors: list) -> tuple[str, int] | None:
        result = None
        for factor in factors:
            compiled = self._compile(factor)
            result = compiled if result is None else self._emit(_mul, result, compiled)
        return result

    def _compile_pow(self, expr: sympy.Pow) -> tuple[str, int]:
        base, exponent = expr.args
        if not exponent.is_number:
            return self._compile(sympy.exp(exponent * sympy.log(base), evaluate=False))
        if not isinstance(exponent, sympy.Rational | sympy.Float):
            raise ValueError(f"unsupported exponent {exponent} in {expr}")
        power = to_rational(exponent)
        compiled = self._compile(base)
        if power < 0:
            positive = self._power_of(compiled, -power)
            return self._emit(_div, self._rational(fmpq(1)), positive)
        return self._power_of(compiled, power)

    def _power_of(self, compiled: tuple[str, int], power: fmpq) -> tuple[str, int]:
        if power == 0:
            return self._rational(fmpq(1))
        if power == 1:
            return compiled
        if power == 2:
            return self._emit(_square, compiled)
        if power == fmpq(1, 2):
            return self._emit(_method("sqrt"), compiled)
        if power.q == 1:
            return self._emit(_power(int(power.p)), compiled)
        return self._emit(_power(power), compiled)

    def _compile_function(self, expr: sympy.Expr) -> tuple[str, int]:
        function = expr.func
        if function in _UNARY and len(expr.args) == 1:
            return self._emit(_UNARY[function], self._compile(expr.args[0]))
        if function is sympy.LambertW:
            branch = int(expr.args[1]) if len(expr.args) > 1 else 0
            if branch not in (0, -1):
                raise ValueError(f"LambertW branch {branch} is not supported (only 0 and -1)")
            return self._emit(_lambertw(branch), self._compile(expr.args[0]))
        if function is sympy.polygamma and expr.args[0] == 0:
            self.ball_only.add("digamma")
            return self._emit(_ball_only("digamma", _method("digamma")),
                              self._compile(expr.args[1]))
        if function is sympy.hyper and len(expr.ap) == 2 and len(expr.bq) == 1:
            self.ball_only.add("hyper")
            args = [self._compile(a) for a in (*expr.ap, *expr.bq, expr.argument)]
            return self._emit(_ball_only("hyper", _hypergeometric_2f1), *args)
        raise ValueError(f"unsupported function {function.__name__} in expression {expr}")


_INFIX = {_add: "{0} + {1}", _sub: "{0} - {1}", _mul: "{0} * {1}", _div: "{0} / {1}",
          _neg: "-{0}", _square: "{0} * {0}"}


def _straight_line_function(code: list[tuple[Callable, tuple[int, ...]]], outputs: list[int],
                            n_in: int, n_const: int) -> Callable:
    """One Python function running ``code`` slot by slot (as sympy.lambdify does, the source
    is generated and compiled once): ``run(values, constants) -> list`` of output slots.
    Arithmetic is written infix; every other operation is called from the namespace."""
    lines = ["def run(values, constants):"]
    if n_in:
        lines.append("    " + "".join(f"s{i}, " for i in range(n_in)) + "= values")
    if n_const:
        lines.append("    " + "".join(f"s{n_in + i}, " for i in range(n_const)) + "= constants")
    namespace: dict[str, Callable] = {}
    for k, (operation, args) in enumerate(code):
        names = [f"s{a}" for a in args]
        if operation in _INFIX:
            value = _INFIX[operation].format(*names)
        else:
            namespace[f"f{k}"] = operation
            value = f"f{k}({', '.join(names)})"
        lines.append(f"    s{n_in + n_const + k} = {value}")
    lines.append(f"    return [{', '.join(f's{o}' for o in outputs)}]")
    exec(compile("\n".join(lines), "<ball program>", "exec"), namespace)
    return namespace["run"]


def compile_expressions(expressions: Sequence[sympy.Expr],
                        inputs: Sequence[str | sympy.Symbol]) -> BallProgram:
    """A :class:`BallProgram` for ``expressions`` (SymPy) in the named ``inputs``."""
    return BallProgram(expressions, inputs)


def parameter_names(n_params: int) -> list[str]:
    """The names ``heyoka.to_sympy`` gives runtime parameters: par[0], par[1], …"""
    return [f"par[{i}]" for i in range(n_params)]


def heyoka_to_sympy(expressions: Sequence[hy.expression]) -> list[sympy.Expr]:
    """heyoka expressions as SymPy trees (``heyoka.to_sympy``)."""
    return [hy.to_sympy(e) for e in expressions]


def jacobian(expressions: Sequence[sympy.Expr],
             variables: Sequence[sympy.Symbol]) -> list[sympy.Expr]:
    """∂f_i/∂x_j of SymPy ``expressions`` f, row-major (i over expressions, j over variables).

    The same derivative rules as ``sympy.diff`` — sum and product rule, n·b^(n−1) for a
    rational exponent n (exact), b^n·n/b for a Float one (no rounded n − 1), the chain rule
    through a one-argument function's ``fdiff``, ``sympy.diff`` itself for anything else
    (Piecewise, powers with a variable exponent) — but memoised per subexpression and
    variable: heyoka's expressions are DAGs whose shared subtrees ``sympy.diff`` would
    differentiate again at every occurrence (an 18-dimensional field's Jacobian: 0.5 s
    instead of ~20 s).
    """
    dependencies: dict[sympy.Basic, frozenset] = {}

    def depends(e: sympy.Basic) -> frozenset:
        found = dependencies.get(e)
        if found is None:
            if e.is_Symbol or isinstance(e, sympy.Piecewise) or not e.args:
                found = frozenset(e.free_symbols)
            else:
                found = frozenset().union(*(depends(a) for a in e.args))
            dependencies[e] = found
        return found

    def derivative(e: sympy.Expr, x: sympy.Symbol, memo: dict) -> sympy.Expr:
        if x not in depends(e):
            return sympy.S.Zero
        if e in memo:
            return memo[e]
        if e == x:
            found = sympy.S.One
        elif e.is_Add:
            found = sympy.Add(*(derivative(a, x, memo) for a in e.args))
        elif e.is_Mul:
            factors = e.args
            found = sympy.Add(*(sympy.Mul(*factors[:i], derivative(a, x, memo), *factors[i + 1:])
                                for i, a in enumerate(factors) if x in depends(a)))
        elif e.is_Pow and x not in depends(e.exp):
            base, exponent = e.args
            outer = (exponent * base ** (exponent - 1) if exponent.is_Rational
                     else e * exponent / base)
            found = outer * derivative(base, x, memo)
        elif isinstance(e, sympy.Function) and len(e.args) == 1:
            found = e.fdiff(1) * derivative(e.args[0], x, memo)
        else:
            found = sympy.diff(e, x)
        memo[e] = found
        return found

    columns = [[derivative(f, x, {}) for f in expressions] for x in variables]
    return [column[i] for i in range(len(expressions)) for column in columns]


def heyoka_program(expressions: Sequence[hy.expression], variables: Sequence[hy.expression],
                   n_params: int) -> BallProgram:
    """A program whose inputs are the ``variables`` followed by ``par[0..n_params-1]``."""
    names = [str(v) for v in variables] + parameter_names(n_params)
    return BallProgram(heyoka_to_sympy(expressions), names)
