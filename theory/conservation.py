"""Conservation of synaptic saliency: claims SF1, SF2, SF4, SF5 (THEORY.md, SF; Tanaka et al.
2020; Du, Hu & Lee 2018).

Saliency S(θ) = (∂R/∂θ) ⊙ θ for a scalar R of the network output. For hidden neuron j with
pre-activation z_j = Σ_i W_ji h_i + b_j and activation a_j = φ(z_j), summing over samples n:

  incoming (bias counted) = Σ_n (∂R/∂z_j) z_j = Σ_n (∂R/∂a_j) φ′(z_j) z_j,
  outgoing = Σ_k W_kj ∂R/∂W_kj = Σ_n (∂R/∂a_j) φ(z_j),

so incoming − outgoing = Σ_n (∂R/∂a_j)·D(z_j) with the homogeneity defect
D(z) = φ′(z)z − φ(z) (SF1). SymPy derives D for every activation (:func:`homogeneity_defect`,
cached with :func:`~flowcert.theory.cache.derived`); it vanishes for ReLU, leaky ReLU and
linear φ, and the claims evaluate the *derived* D (:func:`predicted_imbalance`), so a wrong
derivation shows as a failed comparison. For a bias-free homogeneous network y is
1-homogeneous in every layer, so by Euler each separating set's saliency is Σ_n ⟨∂R/∂y_n, y_n⟩
(SF2). Along gradient flow θ̇ = −∇L, d/dt(‖in_j‖² − ‖out_j‖²) = −2(incoming − outgoing
saliency of R = L) = −2Σ_n (∂L/∂a_j) D(z_j) = 0 (SF4). The SynFlow score
R_SF = 1ᵀ(∏|W_l|)1 is linear in each |W_l|, so every layer's score sum is R_SF; with biases
(the authors' code takes |·| of every parameter, biases included, and feeds the input 1) the
layer-l weight scores sum to R_SF − Σ_{k≥l} Σ S(b_k) (SF5, :func:`synflow_layer_sums`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import mpmath
import numpy as np
import sympy as sp

from flowcert.theory.cache import derived
from flowcert.theory.derivations import Derivation

z = sp.Symbol("z", real=True)
slope = sp.Symbol("a", nonnegative=True)
#: Activations with a derived homogeneity defect (leaky ReLU with slope symbol ``a``).
ACTIVATIONS = ("linear", "relu", "leaky_relu", "tanh", "softplus")
#: The positively 1-homogeneous ones (φ(cz) = cφ(z) for c > 0): SF1's premise.
HOMOGENEOUS = ("linear", "relu", "leaky_relu")


def activation_expression(name: str) -> sp.Expr:
    """φ(z) of an activation as a SymPy expression (leaky ReLU slope: the symbol ``a``)."""
    expressions = {
        "linear": lambda: z,
        "relu": lambda: sp.Piecewise((z, z > 0), (0, True)),
        "leaky_relu": lambda: sp.Piecewise((z, z > 0), (slope * z, True)),
        "tanh": lambda: sp.tanh(z),
        "softplus": lambda: sp.log(1 + sp.exp(z)),
    }
    if name not in expressions:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {name!r}")
    return expressions[name]()


@derived
def _homogeneity_defects() -> dict[str, sp.Expr]:
    """D(z) = φ′(z)z − φ(z) of every activation, simplified (SF1)."""
    defects = {}
    for name in ACTIVATIONS:
        phi = activation_expression(name)
        defects[name] = sp.simplify(sp.piecewise_fold(sp.diff(phi, z) * z - phi))
    return defects


def homogeneity_defect(name: str) -> sp.Expr:
    """SF1: D(z) = φ′(z)z − φ(z), simplified (zero iff φ is positively 1-homogeneous)."""
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {name!r}")
    return _homogeneity_defects()[name]


@functools.cache
def _defect_function(name: str) -> Callable:
    """The derived D as an mpmath function of (z, a)."""
    return sp.lambdify((z, slope), homogeneity_defect(name), modules="mpmath")


def defect_values(name: str, pre_activations: np.ndarray, leaky_slope=0) -> np.ndarray:
    """SF1: the derived D(z) elementwise, as mpf objects (exactly 0 where D simplifies to 0).

    Evaluated in mpmath at the current precision (callers set it, e.g. with
    claims.tolerances.theory_precision).
    """
    function = _defect_function(name)
    a = mpmath.mpf(leaky_slope)
    return np.vectorize(lambda v: mpmath.mpf(function(mpmath.mpf(v), a)),
                        otypes=[object])(pre_activations)


def predicted_imbalance(name: str, pre_activations: np.ndarray, upstream: np.ndarray,
                        leaky_slope=0) -> np.ndarray:
    """SF1: incoming − outgoing saliency per hidden neuron, Σ_n (∂R/∂a_j^n)·D(z_j^n).

    ``pre_activations`` and ``upstream`` (∂R/∂a) have shape (samples, neurons); D is the
    derived defect of activation ``name`` (slope ``leaky_slope`` for the leaky ReLU).
    """
    defects = defect_values(name, pre_activations, leaky_slope)
    return np.sum(np.asarray(upstream, dtype=object) * defects, axis=0)


def synflow_layer_sums(total, bias_sums: Sequence) -> list:
    """SF5: Σ_ij S(W_l)_ij = R_SF − Σ_{k≥l} Σ_i S(b_k)_i for each layer l = 1 … L.

    ``total`` is R_SF, ``bias_sums[k]`` the bias score sum of layer k + 1 (zeros for a
    bias-free network, where every layer sums to R_SF). Works for numbers and SymPy values.
    """
    sums, remaining = [], total
    for bias_sum in reversed(list(bias_sums)):
        remaining = remaining - bias_sum
        sums.append(remaining)
    return sums[::-1]


# ----------------------------------------------------------------------------- identities


def _neuron_identity_residual() -> sp.Expr:
    """in − out − (∂R/∂a)D(z) for one hidden neuron of a 2-1-2 net, generic φ and R."""
    phi, loss = sp.Function("phi"), sp.Function("R")
    w1, w2, b1 = sp.symbols("w1 w2 b1", real=True)
    v1, v2, c1, c2, x1, x2 = sp.symbols("v1 v2 c1 c2 x1 x2", real=True)
    pre = w1 * x1 + w2 * x2 + b1
    hidden = phi(pre)
    y1, y2 = v1 * hidden + c1, v2 * hidden + c2
    objective = loss(y1, y2)
    incoming = sum(p * sp.diff(objective, p) for p in (w1, w2, b1))
    outgoing = sum(p * sp.diff(objective, p) for p in (v1, v2))
    upstream = sp.diff(loss(v1 * z + c1, v2 * z + c2), z).subs(z, hidden)
    defect = sp.Subs(sp.Derivative(phi(z), z), z, pre).doit() * pre - hidden
    return sp.expand((incoming - outgoing - upstream * defect).doit())


def _balance_rate_residual() -> sp.Expr:
    """d/dt(w1² + w2² + b1² − v1² − v2²) + 2(∂L/∂a)D(z) along θ̇ = −∇L, same 2-1-2 net,
    generic φ and L (SF4)."""
    phi, loss = sp.Function("phi"), sp.Function("L")
    w1, w2, b1 = sp.symbols("w1 w2 b1", real=True)
    v1, v2, c1, c2, x1, x2 = sp.symbols("v1 v2 c1 c2 x1 x2", real=True)
    pre = w1 * x1 + w2 * x2 + b1
    hidden = phi(pre)
    objective = loss(v1 * hidden + c1, v2 * hidden + c2)
    incoming, outgoing = (w1, w2, b1), (v1, v2)
    rate = (sum(2 * p * -sp.diff(objective, p) for p in incoming)
            - sum(2 * p * -sp.diff(objective, p) for p in outgoing))
    upstream = sp.diff(loss(v1 * z + c1, v2 * z + c2), z).subs(z, hidden)
    defect = sp.Subs(sp.Derivative(phi(z), z), z, pre).doit() * pre - hidden
    return sp.expand((rate + 2 * upstream * defect).doit())


def _layer_sum_residual() -> sp.Expr:
    """Σ_{W_2} saliency − ⟨∂R/∂y, y⟩ for a bias-free 2-2-1 net with φ(z) = z on a region
    (any positively homogeneous φ is linear on each sign pattern)."""
    weights1 = sp.Matrix(2, 2, sp.symbols("w1:5", real=True))
    weights2 = sp.Matrix(1, 2, sp.symbols("v1:3", real=True))
    inputs = sp.Matrix(sp.symbols("x1:3", real=True))
    slopes = sp.diag(*sp.symbols("s1:3", positive=True))
    output = (weights2 * slopes * weights1 * inputs)[0]
    objective = sp.Function("R")(output)
    euler = output * sp.Subs(sp.Derivative(sp.Function("R")(z), z), z, output).doit()
    return sum(sp.simplify((sum(w * sp.diff(objective, w) for w in layer) - euler).doit())
               ** 2 for layer in (weights1, weights2))


def _synflow_residuals(with_bias: bool) -> list[sp.Expr]:
    """Σ_ij |W_l|_ij ∂R/∂|W_l|_ij − synflow_layer_sums(R, bias score sums)[l] for every
    layer of R = 1ᵀ z_3, z_l = |W_l| z_{l−1} + |b_l|, with 2×2 layers (SF5). The input z_0
    is a symbolic positive vector, so the identity is proved for SynFlow's z_0 = 1 and every
    other positive input at once."""
    layers = [sp.Matrix(2, 2, sp.symbols(f"u{k}_1:5", positive=True)) for k in (1, 2, 3)]
    biases = [sp.Matrix(sp.symbols(f"c{k}_1:3", positive=True)) if with_bias
              else sp.zeros(2, 1) for k in (1, 2, 3)]
    hidden = sp.Matrix(sp.symbols("x_1:3", positive=True))
    for weight, bias in zip(layers, biases, strict=True):
        hidden = weight * hidden + bias
    score = sum(hidden)
    bias_sums = [sum(c * sp.diff(score, c) for c in bias if c.is_Symbol) for bias in biases]
    predicted = synflow_layer_sums(score, bias_sums)
    return [sp.expand(sum(w * sp.diff(score, w) for w in layer) - value)
            for layer, value in zip(layers, predicted, strict=True)]


@derived
def _identities() -> dict[str, bool]:
    """The symbolic identities behind SF1, SF2, SF4 and SF5 (computed once, cached)."""
    defects = {name: homogeneity_defect(name) for name in ACTIVATIONS}
    return {
        "SF1 in − out = (∂R/∂a)(φ′(z)z − φ(z)) for generic φ and R":
            _neuron_identity_residual() == 0,
        "SF1 D ≡ 0 for linear, ReLU and leaky ReLU (any slope a)":
            all(defects[name] == 0 for name in HOMOGENEOUS),
        "SF1 D ≢ 0 for tanh and softplus (D(1) ≠ 0)":
            all(defects[name].subs(z, 1).evalf() != 0 for name in ("tanh", "softplus")),
        "SF2 every layer of a bias-free piecewise-linear net has saliency ⟨∂R/∂y, y⟩":
            _layer_sum_residual() == 0,
        "SF4 d/dt(‖in‖² − ‖out‖²) = −2(∂L/∂a)(φ′(z)z − φ(z)) along θ̇ = −∇L":
            _balance_rate_residual() == 0,
        "SF5 every layer's SynFlow score sum equals R_SF (bias-free)":
            all(r == 0 for r in _synflow_residuals(with_bias=False)),
        "SF5 with biases, layer l's weight scores sum to R_SF − Σ_{k≥l} ΣS(b_k)":
            all(r == 0 for r in _synflow_residuals(with_bias=True)),
    }


def self_checks(claim_id: str | None = None) -> dict[str, bool]:
    """Symbolic identities (of one claim, e.g. "SF5", or all); every value must be True."""
    identities = _identities()
    if claim_id is None:
        return dict(identities)
    return {name: ok for name, ok in identities.items() if name.split()[0] == claim_id}


def __getattr__(name: str):
    """``DERIVATIONS``, built on first access (the defects are derived by SymPy)."""
    if name == "DERIVATIONS":
        return _derivations()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _derivations() -> tuple[Derivation, ...]:
    """Derived expressions pinned by value (theory.derivations); module attribute
    ``DERIVATIONS``."""
    points = ({"z": "1/2"}, {"z": "-2"}, {"z": "3"})
    return tuple(Derivation(f"SF1 homogeneity defect φ′(z)z − φ(z), {name}", "SF1",
                            homogeneity_defect(name), points) for name in ("tanh", "softplus"))
