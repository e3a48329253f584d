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


@pytest.mark.slow  # typesets the whole catalogue (~35 s on a loaded machine)
def test_report_text_layer_has_no_raw_markup_and_links_every_id(tmp_path: Path):
    """The report of every registered claim (stand-in outcomes: titles, texts, statements and
    derivations typeset, no claim run): its text layer carries no raw script markup nor a
    doubled combining mark, and the summary table links every id to a page of the report."""
    from pypdf import PdfReader

    from flowcert.claims.base import Outcome
    from flowcert.reports.pdf import render_report
    from flowcert.reports.results import results_document

    outcomes = [Outcome(claim.id, True, evidence=[f"stand-in outcome of {claim.id}"])
                for claim in CLAIMS]
    document = results_document(CLAIMS, outcomes, (53,))
    out = tmp_path / "report.pdf"
    out.write_bytes(render_report(CLAIMS, outcomes, document, work_precision=None))
    reader = PdfReader(out)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert not re.search(r"\^\(|\^\{|_\{", text), re.findall(r".{20}(?:\^\(|\^\{|_\{).{20}", text)
    assert not re.search("([\u0300-\u036f]).?\\1", text), "a combining mark is doubled"
    pages = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages)}
    named = {name: pages[destination.page.idnum]
             for name, destination in reader.named_destinations.items()}
    headings = {}  # claim id → the page of its heading
    for number, page in enumerate(reader.pages):
        for claim_id in re.findall(r"^([A-Z]+[0-9]+) — ", page.extract_text(), re.M):
            headings.setdefault(claim_id, number)
    assert set(headings) == {claim.id for claim in CLAIMS}
    targets = set()
    for page in reader.pages[1:min(headings.values())]:  # the summary table
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            action = annotation.get("/A") or {}
            destination = annotation.get("/Dest") or action.get("/D")
            if annotation.get("/Subtype") == "/Link" and destination is not None:
                targets.add(named.get(destination) if isinstance(destination, str)
                            else pages.get(destination[0].idnum))
    assert set(headings.values()) <= targets, "a claim page no summary link points to"
