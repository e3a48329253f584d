"""Single-token mutants of Python source: enumeration, stable ids, seeded sampling, applying a
mutant to a file with guaranteed restoration, and the equivalent-mutant filter.

Used by ``benchmarks/mutation.py``; nothing here runs a claim. A mutant replaces one span of
the source (usually one token) by another text; its id ``path:line:col:operator`` depends only
on the source text, so the same source always yields the same ids.
"""

from __future__ import annotations

import ast
import io
import json
import os
import random
import tokenize
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

#: Binary operator token → (operator name, replacement); augmented assignments included.
SWAPS = {"+": ("plus_minus", "-"), "-": ("minus_plus", "+"), "*": ("mul_div", "/"),
         "/": ("div_mul", "*"), "+=": ("plus_minus", "-="), "-=": ("minus_plus", "+="),
         "*=": ("mul_div", "/="), "/=": ("div_mul", "*=")}
#: Comparison token → [(operator name, replacement)]: the boundary flip and the direction flip.
COMPARISONS = {"<": [("lt_le", "<="), ("lt_gt", ">")], "<=": [("le_lt", "<"), ("le_ge", ">=")],
               ">": [("gt_ge", ">="), ("gt_lt", "<")], ">=": [("ge_gt", ">"), ("ge_le", "<=")]}
BOOLEANS = {"and": ("and_or", "or"), "or": ("or_and", "and")}
EXTREMA = {"min": "max", "max": "min", "minimum": "maximum", "maximum": "minimum"}
#: ``S.<name>`` singleton → replacement of the ``S.<name>`` span (1/2 becomes 1/3).
SINGLETONS = {"Half": "Rational(1, 3)", "Zero": "S.One", "One": "S.Zero",
              "NegativeOne": "S.One"}
#: Names of module-level statements consumed only by ``flowcert golden``.
GOLDEN_NAMES = frozenset({"DERIVATIONS"})
_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
_OPERANDS = (ast.Name, ast.Constant, ast.Call, ast.Attribute, ast.Subscript)


@dataclass(frozen=True)
class Mutant:
    """Replace ``original`` at (line, col)–(end_line, end_col) of ``path`` by ``replacement``.

    Lines are 1-based, columns 0-based character offsets (as in :mod:`ast`).
    """

    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    operator: str
    original: str
    replacement: str

    @property
    def id(self) -> str:
        """The stable id ``path:line:col:operator``."""
        return f"{self.path}:{self.line}:{self.col}:{self.operator}"

    def apply(self, source: str) -> str:
        """``source`` with this mutant applied; ValueError if the span no longer matches."""
        lines = source.splitlines(keepends=True)
        start = sum(len(text) for text in lines[:self.line - 1]) + self.col
        end = sum(len(text) for text in lines[:self.end_line - 1]) + self.end_col
        if source[start:end] != self.original:
            raise ValueError(f"{self.id}: expected {self.original!r} at the mutant's span, "
                             f"found {source[start:end]!r}")
        return source[:start] + self.replacement + source[end:]

    def diff(self, source: str) -> tuple[str, str]:
        """The mutant's first line before and after the change (stripped)."""
        before = source.splitlines()[self.line - 1]
        after = self.apply(source).splitlines()[self.line - 1]
        return before.strip(), after.strip()

    def to_json(self) -> dict:
        return {"id": self.id} | asdict(self)


def _offsets(node: ast.AST) -> tuple[int, int, int, int]:
    return node.lineno, node.col_offset, node.end_lineno, node.end_col_offset


def _utf8_columns(source: str) -> Callable[[int, int], int]:
    """Map (line, UTF-8 byte offset) as :mod:`ast` reports it to a character offset."""
    lines = source.splitlines(keepends=True)
    return lambda line, offset: len(lines[line - 1].encode()[:offset].decode())


def _node_text(source: str, node: ast.AST, column: Callable[[int, int], int]) -> tuple:
    line, col, end_line, end_col = _offsets(node)
    col, end_col = column(line, col), column(end_line, end_col)
    lines = source.splitlines(keepends=True)
    if line == end_line:
        return line, col, end_line, end_col, lines[line - 1][col:end_col]
    text = lines[line - 1][col:] + "".join(lines[line:end_line - 1]) + lines[end_line - 1][
        :end_col]
    return line, col, end_line, end_col, text


def _bump_number(text: str) -> tuple[str, str] | None:
    """(operator, replacement) for a numeric literal: n → n+1, x → x·(1 + 1e-3)."""
    if text.lower().endswith("j"):
        return None
    try:
        return "int_inc", str(int(text, 0) + 1)
    except ValueError:
        value = float(text)
        return "float_scale", repr(value * (1 + 1e-3)) if value else "0.001"


def _rational_arguments(tree: ast.AST) -> dict[tuple[int, int], str]:
    """Positions of the integer literal arguments of ``Rational(a, b)`` calls → role."""
    roles = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(
                node.func, "id", None)
            if name == "Rational" and len(node.args) == 2:
                for role, argument in zip(("rational_num", "rational_den"), node.args,
                                          strict=True):
                    if isinstance(argument, ast.Constant):
                        roles[(argument.lineno, argument.col_offset)] = role
    return roles


def _binary_operator_tokens(tree: ast.AST, tokens: list[tokenize.TokenInfo],
                            column: Callable[[int, int], int]) -> set:
    """Start positions of the tokens that are binary arithmetic operators (not ``*args``,
    unary minus or keyword stars), found between each BinOp's operands."""
    positions = set()
    starts = [token.start for token in tokens]
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp | ast.AugAssign):
            left = node.left if isinstance(node, ast.BinOp) else node.target
            right = node.right if isinstance(node, ast.BinOp) else node.value
            after = (left.end_lineno, column(left.end_lineno, left.end_col_offset))
            before = (right.lineno, column(right.lineno, right.col_offset))
            for index, start in enumerate(starts):
                if after <= start < before and tokens[index].type == tokenize.OP \
                        and tokens[index].string not in "()":
                    positions.add(start)
                    break
    return positions


def enumerate_mutants(source: str, path: str, lines: Iterable[int] | None = None
                      ) -> list[Mutant]:
    """Every single-token mutant of ``source`` on ``lines`` (all lines when None) that still
    compiles and changes the text, in source order, without two mutants giving the same text.

    Operators: ``int_inc`` (n → n+1; ``rational_num``/``rational_den`` inside
    ``Rational(a, b)``), ``float_scale`` (x → x·1.001), ``plus_minus``/``minus_plus``,
    ``mul_div``/``div_mul``, ``pow_exp`` (a non-integer-literal exponent e → (e + 1)),
    ``neg_drop`` (a unary minus removed), ``neg_add`` (a minus put before an operand of
    + − × ÷ or power), ``lt_le``, ``lt_gt`` and the other comparison flips, ``and_or``/
    ``or_and``, ``min_max`` (min ↔ max, minimum ↔ maximum) and ``sympy_singleton``
    (``S.Half`` → ``Rational(1, 3)``, ``S.Zero`` ↔ ``S.One``).
    """
    wanted = None if lines is None else set(lines)
    tree = ast.parse(source)
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    column = _utf8_columns(source)
    binary = _binary_operator_tokens(tree, tokens, column)
    rational = _rational_arguments(tree)
    candidates: list[Mutant] = []

    def add(line: int, col: int, end_line: int, end_col: int, operator: str, original: str,
            replacement: str) -> None:
        if wanted is None or line in wanted:
            candidates.append(Mutant(path, line, col, end_line, end_col, operator, original,
                                     replacement))

    for token in tokens:
        (line, col), (end_line, end_col) = token.start, token.end
        if token.type == tokenize.NUMBER:
            bumped = _bump_number(token.string)
            if bumped:
                operator = rational.get((line, len(token.line[:col].encode())), bumped[0])
                add(line, col, end_line, end_col, operator, token.string, bumped[1])
        elif token.type == tokenize.OP and token.start in binary and token.string in SWAPS:
            operator, replacement = SWAPS[token.string]
            add(line, col, end_line, end_col, operator, token.string, replacement)
        elif token.type == tokenize.OP and token.string in COMPARISONS:
            for operator, replacement in COMPARISONS[token.string]:
                add(line, col, end_line, end_col, operator, token.string, replacement)
        elif token.type == tokenize.NAME and token.string in BOOLEANS:
            operator, replacement = BOOLEANS[token.string]
            add(line, col, end_line, end_col, operator, token.string, replacement)

    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and not (
                isinstance(node.right, ast.Constant) and type(node.right.value) is int):
            line, col, end_line, end_col, text = _node_text(source, node.right, column)
            add(line, col, end_line, end_col, "pow_exp", text, f"({text} + 1)")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            line, col = node.lineno, column(node.lineno, node.col_offset)
            add(line, col, line, col + 1, "neg_drop", "-", "")
        if isinstance(node, ast.BinOp) and isinstance(node.op, _ARITHMETIC):
            for operand in (node.left, node.right):
                if isinstance(operand, _OPERANDS) and not (
                        isinstance(operand, ast.Constant) and isinstance(operand.value, str)):
                    line, col = operand.lineno, column(operand.lineno, operand.col_offset)
                    add(line, col, line, col, "neg_add", "", "-")
        if isinstance(node, ast.Name) and node.id in EXTREMA:
            line, col, end_line, end_col, text = _node_text(source, node, column)
            add(line, col, end_line, end_col, "min_max", text, EXTREMA[node.id])
        if isinstance(node, ast.Attribute) and node.attr in EXTREMA:
            end_line, end_col = node.end_lineno, column(node.end_lineno, node.end_col_offset)
            add(end_line, end_col - len(node.attr), end_line, end_col, "min_max", node.attr,
                EXTREMA[node.attr])
        if isinstance(node, ast.Attribute) and node.attr in SINGLETONS and isinstance(
                node.value, ast.Name | ast.Attribute) and (
                getattr(node.value, "id", None) == "S" or getattr(node.value, "attr", None)
                == "S"):
            end_line, end_col = node.end_lineno, column(node.end_lineno, node.end_col_offset)
            original = f"S.{node.attr}"
            add(end_line, end_col - len(original), end_line, end_col, "sympy_singleton",
                original, SINGLETONS[node.attr])

    mutants, seen = [], {source}
    for mutant in sorted(candidates, key=lambda m: (m.line, m.col, m.operator)):
        mutated = mutant.apply(source)
        if mutated in seen:
            continue
        try:
            compile(mutated, path, "exec")
        except SyntaxError:
            continue
        seen.add(mutated)
        mutants.append(mutant)
    return mutants


def golden_only_lines(source: str) -> set[int]:
    """Lines of module-level statements consumed only by the golden-value pinning: the
    ``DERIVATIONS`` assignment and definitions whose names are used nowhere else."""
    tree = ast.parse(source)
    body = tree.body

    def defined(statement: ast.stmt) -> set[str]:
        if isinstance(statement, ast.FunctionDef | ast.ClassDef):
            return {statement.name}
        if isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [
                statement.target]
            return {t.id for t in targets if isinstance(t, ast.Name)}
        return set()

    golden = {i for i, statement in enumerate(body) if defined(statement) & GOLDEN_NAMES}
    changed = True
    while changed:
        changed = False
        used_elsewhere = {node.id for i, statement in enumerate(body) if i not in golden
                          for node in ast.walk(statement)
                          if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
        for i, statement in enumerate(body):
            names = defined(statement)
            if i not in golden and names and not names & used_elsewhere and any(
                    isinstance(node, ast.Name) and node.id in names
                    for j in golden for node in ast.walk(body[j])):
                golden.add(i)
                changed = True
    return {line for i in golden
            for line in range(_first_line(body[i]), body[i].end_lineno + 1)}


def _first_line(statement: ast.stmt) -> int:
    decorators = getattr(statement, "decorator_list", [])
    return min([statement.lineno] + [d.lineno for d in decorators])


def sample_mutants(groups: dict[str, list[Mutant]], weights: dict[str, float], count: int,
                   seed: int) -> list[Mutant]:
    """``count`` mutants spread over ``groups`` in proportion to ``weights`` (largest
    remainder, each group capped at its size and its excess passed on to the others; a
    missing weight counts as 1, weights must be > 0), drawn with ``seed``.

    The result depends only on the arguments; groups are visited in sorted order.
    """
    names = sorted(name for name in groups if groups[name])
    quota = dict.fromkeys(names, 0)
    remaining = min(count, sum(len(groups[name]) for name in names))
    while remaining > 0:
        open_names = [name for name in names if quota[name] < len(groups[name])]
        total = sum(weights.get(name, 1) for name in open_names)
        shares = {name: remaining * weights.get(name, 1) / total for name in open_names}
        floors = {name: int(shares[name]) for name in open_names}
        by_remainder = sorted(open_names, key=lambda n: (floors[n] - shares[n], n))
        for name in by_remainder[:remaining - sum(floors.values())]:
            floors[name] += 1
        grant = {name: min(floors[name], len(groups[name]) - quota[name]) for name in open_names}
        for name in open_names:
            quota[name] += grant[name]
        remaining -= sum(grant.values())
    rng = random.Random(seed)
    chosen = []
    for name in names:
        ordered = sorted(groups[name], key=lambda m: m.id)
        chosen += sorted(rng.sample(ordered, quota[name]), key=lambda m: m.id)
    return chosen


def load_equivalent(path: Path) -> dict[str, str]:
    """The checked-in equivalent mutants: id → reason (an empty dict if the file is absent)."""
    if not path.exists():
        return {}
    entries = json.loads(path.read_text())
    if not all(isinstance(k, str) and isinstance(v, str) and v.strip()
               for k, v in entries.items()):
        raise ValueError(f"{path}: every entry must map a mutant id to a non-empty reason")
    return entries


def split_equivalent(mutants: Iterable[Mutant], equivalent: dict[str, str]
                     ) -> tuple[list[Mutant], list[Mutant]]:
    """(mutants to run, mutants listed as equivalent), each in the given order."""
    listed = [m for m in mutants if m.id in equivalent]
    return [m for m in mutants if m.id not in equivalent], listed


@contextmanager
def mutated(file: Path, mutant: Mutant, verify: Callable[[Path, bytes], bool],
            stamp: int) -> Iterator[None]:
    """Apply ``mutant`` to ``file`` for the duration of the block, then restore the original
    bytes and modification time whatever happens (exception, KeyboardInterrupt), and require
    ``verify(file, original_bytes)``; RuntimeError if the restored file does not verify.

    The mutated file gets the modification time ``stamp`` (seconds), which must be distinct
    for every mutant of a file, so no cached bytecode of another version can be taken for it.
    """
    original = file.read_bytes()
    status = file.stat()
    try:
        file.write_text(mutant.apply(original.decode()), encoding="utf-8")
        os.utime(file, ns=(stamp * 10**9, stamp * 10**9))
        yield
    finally:
        file.write_bytes(original)
        os.utime(file, ns=(status.st_atime_ns, status.st_mtime_ns))
        if not verify(file, original):
            raise RuntimeError(f"{file} could not be restored after mutant {mutant.id}")
