"""Every claim's text is prose with its mathematics between dollar signs: the report typesets
the math, and plain-text outputs (CLI, JSON, CATALOGUE.md) spell it in Unicode without raw
markup fragments such as ``^(``, ``_{`` or ``^{``."""

import re
from pathlib import Path

import pytest
import typst

from flowcert.reports.catalogue import builtin_claims
from flowcert.reports.markup import math_to_unicode, plain_text, split_math, typst_markup
from flowcert.reports.pages import escape, prose

CLAIMS = [claim for _, claim in builtin_claims()]
FIELDS = ("title", "theory", "experiment", "comparison")
#: Fragments of pseudo-markup that must never reach a reader.
RAW = re.compile(r"\^\(|\^\{|_\{|\\/|(?<!\\)\$")
#: Code names (module paths, snake_case identifiers, CONSTANTS) may contain underscores.
CODE = re.compile(r"[\w.]*[A-Za-z0-9]{2}(?:_[A-Za-z0-9]{2,})+\w*|\w+(?:\.\w+)+")


def _texts():
    return [(claim.id, name, getattr(claim, name)) for claim in CLAIMS for name in FIELDS]


@pytest.mark.parametrize(("claim_id", "field", "text"), _texts(),
                         ids=[f"{c}-{f}" for c, f, _ in _texts()])
def test_plain_text_has_no_raw_markup(claim_id, field, text):
    plain = plain_text(text)
    assert not RAW.search(plain), f"{claim_id} {field}: {plain!r}"


@pytest.mark.parametrize(("claim_id", "field", "text"), _texts(),
                         ids=[f"{c}-{f}" for c, f, _ in _texts()])
def test_mathematics_is_between_dollar_signs(claim_id, field, text):
    """Outside $…$ no superscript caret, and an underscore only inside a code name."""
    prose_parts = " ".join(piece for is_math, piece in split_math(text) if not is_math)
    stray = re.findall(r"\S*[\^_]\S*", CODE.sub("", prose_parts))
    assert not stray, f"{claim_id} {field}: pseudo-markup {stray} outside $…$"


def test_every_claim_text_typesets(tmp_path: Path):
    """One typst document holding every title and text of every claim compiles."""
    body = "\n\n".join(f"{claim_id} {field}: {prose(text)}" for claim_id, field, text in _texts())
    source = tmp_path / "texts.typ"
    source.write_text(body)
    assert typst.compile(str(source))[:4] == b"%PDF"


def test_plain_text_spells_scripts_in_unicode():
    assert math_to_unicode("r^(2\\/L) u^(2 - 2\\/L)") == "r²⁄ᴸ u²⁻²⁄ᴸ"
    assert math_to_unicode("e^(-eta t K)") == "exp(−η t K)"
    assert math_to_unicode("W_(j+1)^T W_(j+1)") == "Wⱼ₊₁ᵀ Wⱼ₊₁"
    assert math_to_unicode("z^*") == "z*"


def test_accented_letters_in_text_become_math_accents():
    """Typst's text layer repeats a combining mark per glyph ("u̇u̇"); a math accent does not."""
    assert typst_markup("τu̇ = 1", escape) == "τ$dot(u)$ \\= 1"
    assert typst_markup("θ̂ and ℓ̈", escape) == "$hat(θ)$ and $dot.double(ℓ)$"
