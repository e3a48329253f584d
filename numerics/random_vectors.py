"""Random vectors for GC1: moments of the uniform law on S^{d−1} by quadrature, and inner
products of vectors that are NOT uniform on the sphere (GC1 null models).

:func:`sphere_moments` integrates over the sphere in hyperspherical coordinates: with
x₁ = cos φ the surface element is sin^{d−2}φ dφ times that of S^{d−2}, so
E x₁^{2m} = ∫₀^π cos^{2m}φ sin^{d−2}φ dφ / ∫₀^π sin^{d−2}φ dφ; both integrands are symmetric
about π/2, so [0, π/2] suffices. One set of tanh–sinh nodes serves every (d, m).

The GC1 experiment draws x, y uniform on S^{d−1}
(:func:`numerics.monte_carlo.sphere_inner_products`); these samplers draw the same
statistic ⟨x, y⟩ from vectors without that property, so the claim's checks can be shown to
reject them:

* :func:`gaussian_inner_products` — x, y ~ N(0, I_d), not normalised (E⟨x,y⟩² = d);
* :func:`cube_vertex_inner_products` — x, y uniform on the vertices {±1/√d}^d of a cube
  inscribed in the sphere: unit vectors with E⟨x,y⟩² = 1/d exactly, but ⟨x,y⟩ takes only
  the d + 1 values (d − 2k)/d, so its law is not the Beta law of the sphere.
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
import numpy as np
from mpmath.calculus.quadrature import TanhSinh


def _check(dimension: int, samples: int) -> None:
    for name, value in (("dimension", dimension), ("samples", samples)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")


def gaussian_inner_products(rng: np.random.Generator, dimension: int,
                            samples: int) -> np.ndarray:
    """⟨x, y⟩ for independent x, y ~ N(0, I_d) (not normalised)."""
    _check(dimension, samples)
    x = rng.standard_normal((samples, dimension))
    y = rng.standard_normal((samples, dimension))
    return np.einsum("ni,ni->n", x, y)


def cube_vertex_inner_products(rng: np.random.Generator, dimension: int,
                               samples: int) -> np.ndarray:
    """⟨x, y⟩ for independent x, y uniform on the cube vertices {±1/√d}^d (unit vectors)."""
    _check(dimension, samples)
    x = rng.integers(0, 2, (samples, dimension), dtype=np.int8) * 2 - 1
    y = rng.integers(0, 2, (samples, dimension), dtype=np.int8) * 2 - 1
    return np.einsum("ni,ni->n", x, y, dtype=np.int64) / dimension


def sphere_moments(dimensions: Sequence[int], orders: Sequence[int]
                   ) -> tuple[dict[tuple[int, int], mpmath.mpf], mpmath.mpf]:
    """({(d, m): E x₁^{2m}}, largest relative error estimate) at the current mpmath precision.

    Tanh–sinh quadrature on [0, π/2] (mpmath's rule and its error estimate, 20 guard bits),
    refined until every integral's estimated relative error is below ε/8; ArithmeticError if
    the rule's largest degree does not get there.
    """
    context = mpmath.mp
    rule, prec = TanhSinh(context), context.prec
    epsilon = context.eps / 8
    powers = sorted({0} | {2 * m for m in orders})
    history: dict[tuple[int, int], list] = {(d, p): [] for d in dimensions for p in powers}
    errors: dict = {}
    with mpmath.workprec(prec + 20):
        for degree in range(1, rule.guess_degree(prec) + 1):
            nodes = rule.get_nodes(0, mpmath.pi / 2, degree, prec)
            step = mpmath.mpf(2) ** -degree
            sums = dict.fromkeys(history, mpmath.mpf(0))
            for x, weight in nodes:
                cosine_squared, sine = mpmath.cos(x) ** 2, mpmath.sin(x)
                for d in dimensions:
                    term = weight * sine ** (d - 2)
                    for p in powers:
                        sums[d, p] += term * cosine_squared ** (p // 2)
            for key, values in history.items():
                previous = values[-1] / (2 * step) if values else 0
                values.append(step * (previous + sums[key]))
            if degree > 1:
                errors = {key: rule.estimate_error([v / values[-1] for v in values], prec,
                                                   epsilon)
                          for key, values in history.items()}
                if max(errors.values()) <= epsilon:
                    break
        else:
            raise ArithmeticError(f"sphere moment quadrature did not converge: relative error "
                                  f"estimate {max(errors.values())}")
        moments = {(d, m): history[d, 2 * m][-1] / history[d, 0][-1]
                   for d in dimensions for m in orders}
    return {key: +value for key, value in moments.items()}, max(errors.values())
