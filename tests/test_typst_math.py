"""SymPy → typst math: every construct compiles, the PDF text carries the expected symbols,
and random expressions from a small grammar always compile."""

import io
import unicodedata

import pytest
import sympy as sp
import typst
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from flowcert.reports.typst_math import to_typst

x, y, k, n = sp.symbols("x y k n")
alpha, s1, u0, tau, lam = sp.symbols("alpha s_1 u0 tau lamda")
f = sp.Function("f")

#: (expression, symbols its typeset text must contain after NFKC normalisation)
CONSTRUCTS = {
    "piecewise": (sp.Piecewise((x**2, x > 0), (-x, True)), ["if", "otherwise", ">"]),
    "matrix": (sp.Matrix([[1, x], [sp.Rational(1, 2), y]]), ["1", "x", "2", "y"]),
    "fraction": (x / (y + 1), ["x", "y", "+", "1"]),
    "power": ((x + 1) ** (y + 2), ["x", "y", "2"]),
    "sqrt": (sp.sqrt(x + y), ["√"]),
    "root": (sp.root(x, 3), ["√", "3"]),
    "abs": (sp.Abs(x - y), ["|"]),
    "exp_log": (sp.exp(-x) + sp.log(y), ["e", "ln"]),
    "lambertw": (sp.LambertW(x) + sp.LambertW(y, -1), ["W"]),
    "ei_erf": (sp.Ei(x) + sp.erf(y) + sp.erfc(x), ["Ei", "erf", "erfc"]),
    "polygamma": (sp.polygamma(0, x / 2) + sp.polygamma(1, y), ["ψ", "(1)"]),
    "gamma": (sp.gamma(x) + sp.loggamma(y), ["Γ", "ln"]),
    "hyperbolic": (sp.sinh(x) + sp.cosh(x) + sp.tanh(y) + sp.asinh(y), ["sinh", "cosh", "tanh",
                                                                          "arsinh"]),
    "hypergeometric": (sp.hyper((sp.Rational(-1, 3), 1), (sp.Rational(2, 3),), x), ["F", ";"]),
    "integral": (sp.Integral(sp.exp(-x**2), (x, -sp.oo, sp.oo)), ["∫", "∞", "d"]),
    "derivative": (sp.Derivative(f(x, y), x, y), ["∂", "f"]),
    "sum": (sp.Sum(1 / k**2, (k, 1, n)), ["∑", "k", "n"]),
    "relations": (sp.And(sp.Le(x, 1), sp.Ne(y, 2)), ["≤", "≠", "∧"]),
    "equality": (sp.Eq(f(x), x**2), ["="]),
    "greek_and_subscripts": (alpha * s1 + u0 / tau + lam, ["α", "s1", "u0", "τ", "λ"]),
    "multi_letter": (sp.Symbol("rate") + sp.Function("gain")(x) + sp.Max(x, y),
                     ["rate", "gain", "max"]),
    "float": (sp.Float("1.5e-7") * x, ["1.5", "10", "−7"]),
    "constants": (sp.pi + sp.E * sp.EulerGamma + sp.I, ["π", "γ"]),
}


def typeset(markups: list[str]) -> bytes:
    """A PDF with each markup as a display equation (typst.compile from source bytes)."""
    return typst.compile("\n".join(f"$ {m} $" for m in markups).encode())


def pdf_text(pdf: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return unicodedata.normalize("NFKC", text).replace(" ", "")


@pytest.mark.parametrize("name", list(CONSTRUCTS))
def test_construct_compiles_and_shows_its_symbols(name: str):
    expression, expected = CONSTRUCTS[name]
    text = pdf_text(typeset([to_typst(expression)]))
    for symbol in expected:
        assert symbol in text, (name, symbol, text)


def test_names_follow_typst_rules():
    assert to_typst(u0) == "u_(0)"
    assert to_typst(s1) == "s_(1)"
    assert to_typst(sp.Symbol("rate")) == 'italic("rate")'
    assert to_typst(sp.erf(x)) == 'op("erf")(x)'
    assert to_typst(sp.Symbol('a"b')) == 'italic("a\\"b")'


def test_accent_subscripts_become_accents():
    assert to_typst(sp.Symbol("x_prime")) == "x'"
    assert to_typst(sp.Symbol("s_1_prime")) == "s'_(1)"
    assert to_typst(sp.Symbol("u_dot")) == "dot(u)"
    text = pdf_text(typeset([to_typst(sp.Symbol("x_prime") + sp.Symbol("u_dot"))]))
    assert "prime" not in text and "dot" not in text


def test_fractions_are_explicit_and_unparenthesised():
    assert to_typst((x + 1) / (y - 2)) == "frac(x + 1, y - 2)"
    assert to_typst(-x / 2) == "-frac(x, 2)"


SYMBOLS = st.sampled_from([x, y, alpha, s1, u0, tau, sp.Symbol("w_in")])
NUMBERS = st.one_of(st.integers(-5, 5).map(sp.Integer),
                    st.tuples(st.integers(-9, 9), st.integers(1, 9)).map(
                        lambda pair: sp.Rational(*pair)))
UNARY = [sp.exp, sp.log, sp.sin, sp.sqrt, sp.Abs, sp.LambertW, sp.erf, sp.gamma, sp.sinh,
         lambda e: sp.polygamma(0, e), sp.Ei, lambda e: sp.Function("g")(e)]


def _extend(children):
    binary = st.sampled_from([sp.Add, sp.Mul, lambda a, b: a / b,
                              lambda a, b: a ** sp.Integer(2) - b,
                              lambda a, b: sp.Piecewise((a, x > 0), (b, True)),
                              lambda a, b: sp.Integral(a, (x, 0, b))])
    return st.one_of(st.tuples(binary, children, children).map(lambda t: t[0](t[1], t[2])),
                     st.tuples(st.sampled_from(UNARY), children).map(lambda t: t[0](t[1])))


SCALARS = st.recursive(st.one_of(SYMBOLS, NUMBERS), _extend, max_leaves=8)
EXPRESSIONS = st.one_of(
    SCALARS,
    st.tuples(SCALARS, SCALARS).map(lambda pair: sp.Matrix([[pair[0], pair[1]],
                                                              [pair[1], pair[0]]])),
    st.tuples(SCALARS, SCALARS).map(lambda pair: sp.Eq(*pair, evaluate=False)),
).filter(lambda e: not e.has(sp.zoo, sp.nan))


@given(EXPRESSIONS)
def test_random_expressions_compile(expression):
    assert typeset([to_typst(expression)])[:4] == b"%PDF"
