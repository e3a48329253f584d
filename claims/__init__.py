"""The catalogue: one Claim per THEORY.md id, pairing theory with a numerical experiment."""
