"""What the theory predicts: SymPy derivations and their numeric evaluators (mpmath).

One module per family of THEORY.md. Nothing here integrates a network.
"""
