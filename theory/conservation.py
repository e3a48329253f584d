"""Conservation of synaptic saliency: claims SF1–SF5 (THEORY.md, SF; Tanaka et al. 2020;
Du, Hu & Lee 2018).

Saliency S(θ) = (∂R/∂θ) ⊙ θ for a scalar R of the network output. For hidden neuron j with
pre-activation z_j = Σ_i W_ji h_i + b_j and activation a_j = φ(z_j), summing over samples n:

  incoming (bias counted) = Σ_n (∂R/∂z_j) z_j = Σ_n (∂R/∂a_j) φ′(z_j) z_j,
  outgoing = Σ_k W_kj ∂R/∂W_kj = Σ_n (∂R/∂a_j) φ(z_j),

so incoming − outgoing = Σ_n (∂R/∂a_j)·D(z_j) with the homogeneity defect
D(z) = φ′(z)z − φ(z). D ≡ 0 for ReLU, leaky ReLU and linear φ (SF1); D ≠ 0 for tanh and
softplus, and the formula predicts the size of their violation (SF3). For a bias-free
homogeneous network y is 1-homogeneous in every layer, so by Euler each separating set's
saliency is Σ_n ⟨∂R/∂y_n, y_n⟩ (SF2). Along gradient flow θ̇ = −∇L,
d/dt(‖in_j‖² − ‖out_j‖²) = −2(incoming − outgoing saliency of R = L) = 0 (SF4). The SynFlow
score R_SF = 1ᵀ(∏|W_l|)1 is linear in each |W_l|, so every layer's score sum is R_SF (SF5).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import mpmath
import numpy as np
import sympy as sp

from flowcert.theory.derivations import Derivation

z = sp.Symbol("z", real=True)
slope = sp.Symbol("a", nonnegative=True)

#: φ(z) of each activation as a SymPy expression.
ACTIVATION_EXPRESSIONS: dict[str, sp.Expr] = {
    "linear": z,
    "relu": sp.Piecewise((z, z > 0), (0, True)),
    "leaky_relu": sp.Piecewise((z, z > 0), (slope * z, True)),
    "tanh": sp.tanh(z),
    "softplus": sp.log(1 + sp.exp(z)),
}


def homogeneity_defect(name: str) -> sp.Expr:
    """D(z) = φ′(z)z − φ(z), simplified (SF1: zero iff φ is positively 1-homogeneous)."""
    if name not in ACTIVATION_EXPRESSIONS:
        raise ValueError(f"activation must be one of {tuple(ACTIVATION_EXPRESSIONS)}, "
                         f"got {name!r}")
    phi = ACTIVATION_EXPRESSIONS[name]
    return sp.simplify(sp.piecewise_fold(sp.diff(phi, z) * z - phi))


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


def _synflow_residual() -> sp.Expr:
    """Σ_{ij}|W_2|_{ij} ∂R/∂|W_2|_{ij} − R for R = 1ᵀ|W_3||W_2||W_1|1 with 2×2 layers."""
    layers = [sp.Matrix(2, 2, sp.symbols(f"u{k}_1:5", positive=True)) for k in (1, 2, 3)]
    ones = sp.Matrix([1, 1])
    score = (ones.T * layers[2] * layers[1] * layers[0] * ones)[0]
    return sp.expand(sum(w * sp.diff(score, w) for w in layers[1]) - score)


def self_checks() -> dict[str, bool]:
    """Symbolic identities behind SF1–SF5; every value must be True."""
    return {
        "SF1 in − out = (∂R/∂a)(φ′(z)z − φ(z)) for generic φ and R":
            _neuron_identity_residual() == 0,
        "SF1 D ≡ 0 for linear, ReLU and leaky ReLU": all(
            homogeneity_defect(name) == 0 for name in ("linear", "relu", "leaky_relu")),
        "SF3 D ≢ 0 for tanh and softplus (D(1) ≠ 0)": all(
            homogeneity_defect(name).subs(z, 1).evalf() != 0 for name in ("tanh", "softplus")),
        "SF2 every layer of a bias-free piecewise-linear net has saliency ⟨∂R/∂y, y⟩":
            _layer_sum_residual() == 0,
        "SF5 a layer's SynFlow score sum equals R_SF (R linear in each |W_l|)":
            _synflow_residual() == 0,
    }


def _defect_function(name: str) -> Callable:
    expression = homogeneity_defect(name)
    return sp.lambdify(z, expression, modules="mpmath")


def defect_values(name: str, pre_activations: np.ndarray) -> np.ndarray:
    """SF1/SF3: D(z) elementwise (tanh, softplus; zero for homogeneous φ), as mpf objects.

    Evaluated in mpmath at the current precision (callers set it, e.g. with
    claims.tolerances.theory_precision).
    """
    if name in ("linear", "relu", "leaky_relu"):
        return np.vectorize(lambda _: mpmath.mpf(0), otypes=[object])(pre_activations)
    function = _defect_function(name)
    return np.vectorize(lambda v: function(mpmath.mpf(v)), otypes=[object])(pre_activations)


def predicted_imbalance(name: str, pre_activations: np.ndarray,
                        upstream: np.ndarray) -> np.ndarray:
    """SF1/SF3: incoming − outgoing saliency per hidden neuron, Σ_n (∂R/∂a_j^n)·D(z_j^n).

    ``pre_activations`` and ``upstream`` (∂R/∂a) have shape (samples, neurons).
    """
    defects = defect_values(name, pre_activations)
    return np.sum(np.asarray(upstream, dtype=object) * defects, axis=0)


def __getattr__(name: str):
    """``DERIVATIONS``, built on first access (the defects are simplified by SymPy)."""
    if name == "DERIVATIONS":
        return _derivations()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _derivations() -> tuple[Derivation, ...]:
    """Derived expressions pinned by value (theory.derivations); module attribute
    ``DERIVATIONS``."""
    points = ({"z": "1/2"}, {"z": "-2"}, {"z": "3"})
    return tuple(Derivation(f"SF3 homogeneity defect φ′(z)z − φ(z), {name}", "SF3",
                            homogeneity_defect(name), points) for name in ("tanh", "softplus"))
