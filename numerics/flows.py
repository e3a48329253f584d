"""Symbolic vector fields: gradient flows of losses, built by automatic differentiation.

A :class:`VectorField` holds heyoka expressions for dθ/dt. :func:`gradient_flow` takes a
loss written as a heyoka expression and differentiates it (``heyoka.diff_tensors``), so
the dynamics come from the loss alone, never from a reduced ODE of the theory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import heyoka as hy


@dataclass(frozen=True)
class VectorField:
    """dθ/dt = rhs(θ; p).

    ``key`` names the symbolic system (it is the cache key of compiled integrators: two
    fields with the same key must have the same expressions). Runtime parameters are
    ``hy.par[0..n_params-1]``.
    """

    key: str
    variables: tuple[hy.expression, ...]
    rhs: tuple[hy.expression, ...]
    n_params: int

    @property
    def dimension(self) -> int:
        return len(self.variables)


@dataclass(frozen=True)
class Crossing:
    """An event: ``function(state) - value`` changes sign.

    ``function`` maps the tuple of state expressions to one scalar expression (it is
    applied to heyoka variables, so write it with arithmetic only). The crossing value is
    a runtime parameter, so changing it never recompiles an integrator.
    """

    name: str
    function: Callable[[Sequence[hy.expression]], hy.expression]
    value: object


def gradient_flow(key: str, loss: hy.expression, variables: Sequence[hy.expression],
                  n_params: int) -> VectorField:
    """τ dθ/dt = −∇L(θ), with the time constant τ as runtime parameter ``par[n_params]``.

    The gradient is obtained by heyoka's reverse-mode automatic differentiation of the loss
    expression.
    """
    tau = hy.par[n_params]
    rhs = tuple(-g / tau for g in loss_gradient(loss, variables))
    return VectorField(key=key, variables=tuple(variables), rhs=rhs, n_params=n_params + 1)


def loss_gradient(loss: hy.expression, variables: Sequence[hy.expression]) -> list:
    """∇L as a list of heyoka expressions (automatic differentiation)."""
    return list(hy.diff_tensors([loss], diff_args=list(variables), diff_order=1).gradient)
