"""What gradient flow actually does: integrators, network losses, Monte Carlo.

This package never imports :mod:`theory`; every vector field here is the negative
gradient of a network's own loss, obtained by automatic differentiation.
"""
