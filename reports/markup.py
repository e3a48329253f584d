"""Prose with inline mathematics: the markup of every claim text.

A claim's title, its theory / experiment / comparison texts and its evidence sentences are
plain text in which mathematics is written as typst math between dollar signs, e.g.
``"Diagonal networks: $beta(t) = alpha^D h_D(X^T nu(t))$"`` (a literal dollar sign is ``\\$``).
The statement is typst math throughout. :func:`typst_markup` gives the report's markup (text
escaped, math typeset); :func:`plain_text` gives what a terminal, CATALOGUE.md or a JSON
reader shows: the same text with the math spelled in Unicode (Greek letters, super- and
subscripts where Unicode has them, √, ‖·‖, ∞, →, …).
"""

from __future__ import annotations

import re

GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ",
         "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ",
         "nu": "ν", "xi": "ξ", "omicron": "ο", "pi": "π", "rho": "ρ", "sigma": "σ",
         "tau": "τ", "upsilon": "υ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
         "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
         "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω"}
SYMBOLS = {"infinity": "∞", "oo": "∞", "partial": "∂", "nabla": "∇", "dot.c": "·",
           "times": "×", "arrow.r": "→", "arrow.l": "←", "arrow.r.double": "⇒",
           "arrow.l.r.double": "⇔", "approx": "≈", "prop": "∝", "in": "∈", "sum": "Σ",
           "product": "∏", "integral": "∫", "dots": "…", "dots.c": "⋯", "plus.minus": "±",
           "minus.plus": "∓", "quad": "  ", "qquad": "    ", "thin": " ", "thick": " ",
           "med": " ", "ell": "ℓ", "emptyset": "∅", "perp": "⊥", "star": "⋆",
           "lt.eq": "≤", "gt.eq": "≥", "eq.not": "≠", "tilde.op": "∼", "top": "ᵀ",
           "forall": "∀", "exists": "∃", "subset.eq": "⊆", "union": "∪", "sect": "∩",
           "dot": "⋅", "dif": "d", "chevron.l": "⟨", "chevron.r": "⟩", "EE": "𝔼", "RR": "ℝ",
           "NN": "ℕ", "ZZ": "ℤ", "PP": "ℙ", "prime": "′", "circle.stroked.tiny": "∘"}
OPERATORS = {"<=": "≤", ">=": "≥", "!=": "≠", "->": "→", "=>": "⇒", "-": "−", "*": "·",
             "...": "…"}
SUPERSCRIPT = dict(zip("0123456789+-−=()/*abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWαβγδεθφχ",
                       "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾⁄*ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵅᵝᵞᵟᵋᶿᵠᵡ",
                       strict=True))
SUBSCRIPT = dict(zip("0123456789+-−=()aehijklmnoprstuvxβγρφχ",
                     "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
                     strict=True))
ACCENTS = {"dot": "\u0307", "hat": "\u0302", "tilde": "\u0303", "overline": "\u0305",
           "ddot": "\u0308", "macron": "\u0304", "dot.double": "\u0308"}
WRAPPERS = {"norm": ("‖", "‖"), "abs": ("|", "|"), "floor": ("⌊", "⌋"), "ceil": ("⌈", "⌉")}
TRANSPARENT = ("upright", "bold", "italic", "op", "cal", "bb", "display", "inline", "sans",
               "serif", "mono", "lr")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z]+)*|\d+(?:\.\d+)?'
                    r"|<=|>=|!=|->|=>|\.\.\.|\s+|.", re.S)
_DOLLAR = re.compile(r"(?<!\\)\$")
_ACCENTED = re.compile("([^\\W\\d_][" + "".join(ACCENTS.values()) + "])")


def split_math(text: str) -> list[tuple[bool, str]]:
    """``text`` as (is_math, piece) pairs; ValueError if a ``$`` is left open."""
    pieces = _DOLLAR.split(text)
    if len(pieces) % 2 == 0:
        raise ValueError(f"unbalanced $ in {text!r}: math goes between a pair of $ signs "
                         "(write \\$ for a dollar sign)")
    return [(index % 2 == 1, piece.replace("\\$", "$")) for index, piece in enumerate(pieces)]


def typst_markup(text: str, escape) -> str:
    """Report markup: text pieces passed through ``escape``, math pieces as inline math.

    A letter with a combining accent in a text piece (``u̇`` = u + U+0307) is set as a math
    accent: as text, typst's PDF text layer repeats the mark for each glyph of the cluster
    ("u̇u̇"), which breaks search and copying.
    """
    accents = {mark: name for name, mark in ACCENTS.items()}
    return "".join(
        f"${piece}$" if is_math else
        "".join(f"${accents[part[1]]}({part[0]})$" if _ACCENTED.fullmatch(part) else escape(part)
                for part in _ACCENTED.split(piece) if part)
        for is_math, piece in split_math(text))


def plain_text(text: str) -> str:
    """The text with every ``$…$`` piece spelled in Unicode."""
    return "".join(math_to_unicode(piece) if is_math else piece
                   for is_math, piece in split_math(text))


def math_to_unicode(math: str) -> str:
    """A typst math expression in Unicode: close to how it reads, not how it typesets."""
    tokens = _TOKEN.findall(math.replace("\\/", "/"))
    text, _ = _convert(tokens, 0, stop=None)
    return re.sub(r" {2,}(?! )", "  ", text).strip()


def _convert(tokens: list[str], index: int, stop: str | None) -> tuple[str, int]:
    out: list[str] = []
    while index < len(tokens):
        token = tokens[index]
        if token == stop:
            return "".join(out), index + 1
        if token in ("^", "_"):
            script, index = _argument(tokens, index + 1)
            table = SUPERSCRIPT if token == "^" else SUBSCRIPT
            if token == "^" and out and out[-1] == "e" and _scripted(script, table) is None:
                out[-1] = f"exp({script})"  # e^(…) that Unicode cannot raise
            else:
                out.append(_script(script, table, token))
            continue
        if token == "(":
            inner, index = _convert(tokens, index + 1, ")")
            out.append(f"({inner})")
            continue
        if index + 1 < len(tokens) and tokens[index + 1] == "(" and token[:1].isalpha():
            arguments, index = _call_arguments(tokens, index + 2)
            out.append(_function(token, arguments))
            continue
        out.append(_atom(token))
        index += 1
    return "".join(out), index


def _argument(tokens: list[str], index: int) -> tuple[str, int]:
    """A script's argument: a parenthesised group (parentheses dropped) or one token."""
    if index < len(tokens) and tokens[index] == "(":
        return _convert(tokens, index + 1, ")")
    if index < len(tokens) and tokens[index][:1].isalpha() and index + 1 < len(tokens) \
            and tokens[index + 1] == "(":
        arguments, end = _call_arguments(tokens, index + 2)
        return _function(tokens[index], arguments), end
    if index < len(tokens) and tokens[index] == "*":
        return "*", index + 1  # z^* is z star, not z times
    return (_atom(tokens[index]), index + 1) if index < len(tokens) else ("", index)


def _call_arguments(tokens: list[str], index: int) -> tuple[list[str], int]:
    """Comma-separated arguments up to the closing parenthesis."""
    arguments, current, depth = [], [], 0
    while index < len(tokens):
        token = tokens[index]
        if token == "(":
            depth += 1
        elif token == ")":
            if depth == 0:
                arguments.append(current)
                return [_convert(a, 0, None)[0].strip() for a in arguments], index + 1
            depth -= 1
        elif token == "," and depth == 0:
            arguments.append(current)
            current = []
            index += 1
            continue
        current.append(token)
        index += 1
    arguments.append(current)
    return [_convert(a, 0, None)[0].strip() for a in arguments], index


def _function(name: str, arguments: list[str]) -> str:
    joined = ", ".join(arguments)
    if name == "sqrt":
        return "√" + (joined if len(joined) == 1 else f"({joined})")
    if name == "frac" and len(arguments) == 2:
        top, bottom = (a if _simple(a) else f"({a})" for a in arguments)
        return f"{top}/{bottom}"
    if name in ACCENTS and len(arguments) == 1 and len(joined) == 1:
        return joined + ACCENTS[name]
    if name in WRAPPERS:
        left, right = WRAPPERS[name]
        return f"{left}{joined}{right}"
    if name in TRANSPARENT:
        return joined
    if name == "attach":
        return joined
    return f"{_atom(name)}({joined})"


def _simple(text: str) -> bool:
    return re.fullmatch(r"[\w.·]+", text) is not None


def _scripted(text: str, table: dict[str, str]) -> str | None:
    """``text`` raised or lowered with ``table`` (spaces dropped), None if it cannot be."""
    text = text.replace(" ", "")
    if text and all(ch in table for ch in text):
        return "".join(table[ch] for ch in text)
    return None


def _script(text: str, table: dict[str, str], marker: str) -> str:
    scripted = _scripted(text, table)
    if scripted is not None:
        return scripted
    return marker + (text if len(text) == 1 else f"({text})")


def _atom(token: str) -> str:
    if token.startswith('"'):
        return token[1:-1].replace('\\"', '"')
    if token in GREEK:
        return GREEK[token]
    if token in SYMBOLS:
        return SYMBOLS[token]
    if token in OPERATORS:
        return OPERATORS[token]
    if token.isspace():
        return " "
    return token
