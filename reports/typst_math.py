"""SymPy expressions as typst math markup, through SymPy's own printer machinery.

:func:`to_typst` returns the text to put between ``$ … $`` in a typst document. The
:class:`TypstPrinter` is a :class:`sympy.printing.printer.Printer`: SymPy dispatches on the
expression's class (``_print_Piecewise``, ``_print_MatrixBase``, …), decides term order and
uses :func:`sympy.printing.precedence.precedence` for parentheses, exactly as its LaTeX and
string printers do. Typst math needs a few things LaTeX does not:

* a run of letters is an identifier in typst math, so every multi-letter name is quoted
  (``"NaN"``) or wrapped as an operator (``op("erf")``); Greek names (``alpha``, ``Gamma``)
  are typst symbols and stay bare;
* groups are parentheses, which typst drops around sub- and superscripts (``x^(2 n)``);
* ``/`` would make a fraction, so fractions are always written ``frac(a, b)``.

Any class without a dedicated method is printed as an operator applied to its arguments, so
every SymPy expression gives markup that compiles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.conventions import requires_partial, split_super_sub
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.printer import Printer
from sympy.printing.str import StrPrinter
from sympy.simplify.radsimp import fraction

GREEK = frozenset(("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
                   "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau",
                   "upsilon", "phi", "chi", "psi", "omega"))
#: SymPy spells λ "lamda" (``lambda`` is a Python keyword).
GREEK_ALIASES = {"lamda": "lambda", "Lamda": "Lambda"}
#: SymPy function names → the operator name a reader expects.
OPERATOR_NAMES = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "acot": "arccot",
                  "asec": "arcsec", "acsc": "arccsc", "asinh": "arsinh", "acosh": "arcosh",
                  "atanh": "artanh", "acoth": "arcoth", "asech": "arsech", "acsch": "arcsch",
                  "log": "ln", "sign": "sgn", "re": "Re", "im": "Im", "Max": "max",
                  "Min": "min", "Trace": "tr", "atan2": "arctan2"}
#: Functions printed as a (possibly Greek) letter applied to the arguments.
LETTER_FUNCTIONS = {"gamma": "Gamma", "zeta": "zeta", "dirichlet_eta": "eta",
                    "DiracDelta": "delta", "beta": "upright(B)",
                    "lowergamma": "gamma", "uppergamma": "Gamma", "Chi": '"Chi"'}
BESSEL_LETTERS = {"besselj": "J", "bessely": "Y", "besseli": "I", "besselk": "K",
                  "hankel1": "H^((1))", "hankel2": "H^((2))"}
RELATIONS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
SEMICOLON = " \\; "  # a literal ";" (a bare one would split a typst call's arguments)
#: Operators whose operand follows them: they bind like a product.
PREFIX_OPERATORS = ("Integral", "Derivative", "Sum", "Product", "Limit")
_IDENTIFIER = re.compile(r"^[^\W\d_]$")  # exactly one letter (any alphabet)


def quote(text: str) -> str:
    """A typst string literal (upright text in math) holding ``text``."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def is_greek(name: str) -> bool:
    """Whether ``name`` is a Greek letter's name (lower or capitalised), a typst symbol."""
    return name in GREEK or name[:1].lower() + name[1:] in GREEK


def group(markup: str) -> str:
    """Parenthesised markup, for sub- and superscripts (typst drops the parentheses)."""
    return f"({markup})"


#: Subscripts that SymPy's LaTeX printer also reads as accents of the symbol's body.
NAME_ACCENTS = {"prime": "{}'", "dot": "dot({})", "ddot": "dot.double({})", "hat": "hat({})",
                "bar": "overline({})", "tilde": "tilde({})", "vec": "arrow({})"}


class TypstPrinter(Printer):
    """Prints SymPy expressions as typst math markup (see the module docstring)."""

    printmethod = "_typst"
    _default_settings = {"order": None}

    # -------------------------------------------------------------- helpers

    @staticmethod
    def precedence(expr: sp.Basic) -> int:
        """SymPy's precedence, with integrals, sums and derivatives binding like products."""
        if type(expr).__name__ in PREFIX_OPERATORS:
            return PRECEDENCE["Mul"]
        return precedence(expr)

    def parenthesize(self, expr: sp.Basic, level: int, strict: bool = False) -> str:
        """``expr`` printed, in parentheses when it binds less tightly than ``level``."""
        printed = self._print(expr)
        rank = self.precedence(expr)
        if rank < level or (not strict and rank <= level):
            return f"({printed})"
        return printed

    def _join(self, items: Iterable, separator: str = ", ") -> str:
        return separator.join(self._print(item) for item in items)

    def _apply(self, head: str, args: Iterable) -> str:
        return f"{head}({self._join(args)})"

    def _name(self, name: str, upright_words: bool = False) -> str:
        """A symbol name with ``_``/``^`` parts and trailing digits as attachments."""
        body, supers, subs = split_super_sub(name)
        markup = self._name_part(body, upright_words)
        for accent in [s for s in subs if s in NAME_ACCENTS]:  # x_prime → x′, x_dot → ẋ
            markup = NAME_ACCENTS[accent].format(markup)
        subs = [s for s in subs if s not in NAME_ACCENTS]
        if subs:
            markup += "_" + group(" ".join(self._name_part(s, True) for s in subs))
        if supers:
            markup += "^" + group(" ".join(self._name_part(s, True) for s in supers))
        return markup

    @staticmethod
    def _name_part(text: str, upright_words: bool) -> str:
        text = GREEK_ALIASES.get(text, text)
        if is_greek(text) or _IDENTIFIER.match(text) or text.isdigit():
            return text
        if not text:
            return quote("")
        return quote(text) if upright_words else f"italic({quote(text)})"

    def _function_head(self, name: str) -> str:
        name = OPERATOR_NAMES.get(name, name)
        body, supers, subs = split_super_sub(name)
        if not supers and not subs and (is_greek(body) or _IDENTIFIER.match(body)):
            return body
        if supers or subs:
            return self._name(name)
        return f"op({quote(name)})"

    # -------------------------------------------------------------- atoms

    def emptyPrinter(self, expr) -> str:
        """Fallback: an operator named after the class applied to the arguments."""
        if isinstance(expr, sp.Basic) and expr.args:
            return self._apply(f"op({quote(type(expr).__name__)})", expr.args)
        return quote(str(expr))

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        return self._name(expr.name)

    def _print_MatrixSymbol(self, expr: sp.MatrixSymbol) -> str:
        return self._name(expr.name)

    def _print_Integer(self, expr: sp.Integer) -> str:
        return str(expr.p)

    def _print_int(self, expr: int) -> str:
        return str(expr)

    def _print_Rational(self, expr: sp.Rational) -> str:
        sign = "-" if expr.p < 0 else ""
        return f"{sign}frac({abs(expr.p)}, {expr.q})"

    def _print_Float(self, expr: sp.Float) -> str:
        text = StrPrinter({"full_prec": False}).doprint(expr)
        mantissa, _, exponent = text.partition("e")
        if not exponent:
            return mantissa
        return f"{mantissa} dot 10^{group(str(int(exponent)))}"

    def _print_float(self, expr: float) -> str:
        return self._print_Float(sp.Float(expr))

    _CONSTANTS = {"Exp1": "e", "Pi": "pi", "ImaginaryUnit": "i", "Infinity": "infinity",
                  "NegativeInfinity": "-infinity", "ComplexInfinity": "tilde(infinity)",
                  "NaN": quote("NaN"), "EulerGamma": "gamma", "GoldenRatio": "phi",
                  "Catalan": "G", "TribonacciConstant": quote("TribonacciConstant"),
                  "EmptySet": "nothing", "Reals": "RR", "Integers": "ZZ",
                  "Naturals": "NN", "Naturals0": "NN_0", "Rationals": "QQ",
                  "Complexes": "CC"}

    def _print_Atom(self, expr: sp.Atom) -> str:
        name = type(expr).__name__
        markup = self._CONSTANTS.get(name)
        return markup if markup is not None else self.emptyPrinter(expr)

    def _print_Set(self, expr: sp.Set) -> str:
        markup = self._CONSTANTS.get(type(expr).__name__)
        return markup if markup is not None else self.emptyPrinter(expr)

    def _print_Reals(self, expr: sp.Set) -> str:
        return self._print_Set(expr)

    def _print_BooleanAtom(self, expr: sp.logic.boolalg.BooleanAtom) -> str:
        return quote(str(bool(expr)).lower())

    _print_bool = _print_BooleanAtom

    def _print_str(self, expr: str) -> str:
        return quote(expr)

    # -------------------------------------------------------------- arithmetic

    def _print_Add(self, expr: sp.Add, order=None) -> str:
        markup = ""
        for index, term in enumerate(self._as_ordered_terms(expr, order=order)):
            if index and term.could_extract_minus_sign():
                markup += " - "
                term = -term
            elif index:
                markup += " + "
            markup += self.parenthesize(term, PRECEDENCE["Add"], strict=True)
        return markup

    def _print_Mul(self, expr: sp.Mul) -> str:
        if expr.could_extract_minus_sign():
            positive = -expr
            inner = self._print(positive)
            return f"-({inner})" if self.precedence(positive) <= PRECEDENCE["Add"] else f"-{inner}"
        numerator, denominator = fraction(expr, exact=True)
        if denominator is sp.S.One:
            return self._product(expr)
        return f"frac({self._product(numerator)}, {self._product(denominator)})"

    def _product(self, expr: sp.Expr) -> str:
        """Factors side by side; a number after another factor gets a dot."""
        if not expr.is_Mul:
            return self._print(expr)
        factors = expr.as_ordered_factors()
        markup = []
        for index, factor in enumerate(factors):
            printed = self.parenthesize(factor, PRECEDENCE["Mul"], strict=True)
            if index and (factor.is_Number or printed[0].isdigit()):
                markup.append("dot")
            markup.append(printed)
        return " ".join(markup)

    def _print_Pow(self, expr: sp.Pow) -> str:
        base, exponent = expr.base, expr.exp
        if exponent.is_Rational and exponent.q != 1 and abs(exponent.p) == 1:
            root = (f"sqrt({self._print(base)})" if exponent.q == 2 else
                    f"root({exponent.q}, {self._print(base)})")
            return root if exponent.p > 0 else f"frac(1, {root})"
        if exponent.is_Rational and exponent.is_negative and base.is_commutative:
            return f"frac(1, {self._print(sp.Pow(base, -exponent, evaluate=False))})"
        return f"{self._power_base(base)}^{group(self._print(exponent))}"

    def _power_base(self, base: sp.Expr) -> str:
        printed = self.parenthesize(base, PRECEDENCE["Pow"], strict=False)
        needs_group = ((base.is_Symbol and "^" in printed) or base.is_Float
                       or (base.is_Rational and not base.is_Integer))
        return f"({printed})" if needs_group and not printed.startswith("(") else printed

    def _print_exp(self, expr: sp.exp) -> str:
        return f"e^{group(self._print(expr.args[0]))}"

    def _print_factorial(self, expr: sp.factorial) -> str:
        return f"{self.parenthesize(expr.args[0], PRECEDENCE['Func'])}!"

    def _print_binomial(self, expr: sp.binomial) -> str:
        return self._apply("binom", expr.args)

    def _print_Abs(self, expr: sp.Abs) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_floor(self, expr: sp.floor) -> str:
        return f"floor({self._print(expr.args[0])})"

    def _print_ceiling(self, expr: sp.ceiling) -> str:
        return f"ceil({self._print(expr.args[0])})"

    def _print_conjugate(self, expr: sp.conjugate) -> str:
        return f"overline({self._print(expr.args[0])})"

    # -------------------------------------------------------------- functions

    def _print_Function(self, expr: sp.Function) -> str:
        name = type(expr).__name__
        if name in LETTER_FUNCTIONS:
            return self._apply(LETTER_FUNCTIONS[name], expr.args)
        if name in BESSEL_LETTERS:
            order, argument = expr.args
            return f"{BESSEL_LETTERS[name]}_{group(self._print(order))}({self._print(argument)})"
        return self._apply(self._function_head(name), expr.args)

    def _print_Heaviside(self, expr: sp.Heaviside) -> str:
        return f"theta({self._print(expr.args[0])})"

    def _print_MinMaxBase(self, expr: sp.Max) -> str:
        return self._apply(self._function_head(type(expr).__name__), expr.args)

    def _print_AppliedUndef(self, expr: AppliedUndef) -> str:
        return self._apply(self._function_head(expr.func.__name__), expr.args)

    def _print_LambertW(self, expr: sp.LambertW) -> str:
        argument, *branch = expr.args
        head = f"W_{group(self._print(branch[0]))}" if branch else "W"
        return f"{head}({self._print(argument)})"

    def _print_polygamma(self, expr: sp.polygamma) -> str:
        order, argument = expr.args
        head = "psi" if order == 0 else f"psi^{group(group(self._print(order)))}"
        return f"{head}({self._print(argument)})"

    def _print_loggamma(self, expr: sp.loggamma) -> str:
        return f"op(\"ln\") Gamma({self._print(expr.args[0])})"

    def _print_hyper(self, expr: sp.hyper) -> str:
        upper, lower, argument = expr.ap, expr.bq, expr.argument
        head = f"attach(F, bl: {len(upper)}, br: {len(lower)})"
        parts = [self._join(upper), self._join(lower), self._print(argument)]
        return f"{head}({SEMICOLON.join(parts)})"

    def _print_meijerg(self, expr: sp.meijerg) -> str:
        return self.emptyPrinter(expr)

    # -------------------------------------------------------------- calculus

    def _print_Integral(self, expr: sp.Integral) -> str:
        signs, differentials = [], []
        for limit in reversed(expr.limits):
            variable, *bounds = limit
            sign = "integral"
            if len(bounds) == 2:
                sign += f"_{group(self._print(bounds[0]))}^{group(self._print(bounds[1]))}"
            signs.append(sign)
            differentials.append(f"dif {self._print(variable)}")
        integrand = self.parenthesize(expr.function, PRECEDENCE["Mul"], strict=True)
        return f"{' '.join(signs)} {integrand} {' '.join(reversed(differentials))}"

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        symbol = "partial" if requires_partial(expr) else "dif"
        total = sum(count for _, count in expr.variable_count)
        top = symbol if total == 1 else f"{symbol}^{group(str(total))}"
        bottom = " ".join(f"{symbol} {self._power_base(v)}" + (
            f"^{group(str(count))}" if count != 1 else "") for v, count in expr.variable_count)
        argument = self.parenthesize(expr.expr, PRECEDENCE["Mul"])
        return f"frac({top}, {bottom}) {argument}"

    def _limits(self, limits) -> tuple[str, str]:
        variable, low, high = limits
        return (f"{self._print(variable)} = {self._print(low)}", self._print(high))

    def _big_operator(self, name: str, expr) -> str:
        heads = []
        for limit in expr.limits:
            below, above = self._limits(limit)
            heads.append(f"{name}_{group(below)}^{group(above)}")
        body = self.parenthesize(expr.function, PRECEDENCE["Mul"], strict=True)
        return f"{' '.join(heads)} {body}"

    def _print_Sum(self, expr: sp.Sum) -> str:
        return self._big_operator("sum", expr)

    def _print_Product(self, expr: sp.Product) -> str:
        return self._big_operator("product", expr)

    def _print_Limit(self, expr: sp.Limit) -> str:
        function, variable, point, direction = expr.args
        side = "" if str(direction) == "+-" or point.is_infinite else \
            f"^{group(str(direction))}"
        below = f"{self._print(variable)} -> {self._power_base(point)}{side}"
        body = self.parenthesize(function, PRECEDENCE["Mul"], strict=True)
        return f"lim_{group(below)} {body}"

    def _print_Order(self, expr: sp.Order) -> str:
        return f"O({self._print(expr.expr)})"

    # -------------------------------------------------------------- logic, relations, sets

    def _print_Relational(self, expr: sp.core.relational.Relational) -> str:
        return (f"{self._print(expr.lhs)} {RELATIONS[expr.rel_op]} "
                f"{self._print(expr.rhs)}")

    def _print_And(self, expr: sp.And) -> str:
        return " and ".join(self.parenthesize(a, precedence(expr), True) for a in expr.args)

    def _print_Or(self, expr: sp.Or) -> str:
        return " or ".join(self.parenthesize(a, precedence(expr), True) for a in expr.args)

    def _print_Not(self, expr: sp.Not) -> str:
        return f"not {self.parenthesize(expr.args[0], PRECEDENCE['Not'])}"

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        rows = []
        for value, condition in expr.args:
            text = quote("otherwise") if condition is sp.true else \
                f"{quote('if')} {self._print(condition)}"
            rows.append(f"{self._print(value)} & {text}")
        return f"cases({', '.join(rows)})"

    def _print_Interval(self, expr: sp.Interval) -> str:
        left = "(" if expr.left_open else "["
        right = ")" if expr.right_open else "]"
        return f"lr({left}{self._print(expr.start)}, {self._print(expr.end)}{right})"

    def _print_FiniteSet(self, expr: sp.FiniteSet) -> str:
        return f"{{{self._join(expr.args)}}}"

    def _print_Union(self, expr: sp.Union) -> str:
        return " union ".join(self.parenthesize(a, precedence(expr)) for a in expr.args)

    def _print_Intersection(self, expr: sp.Intersection) -> str:
        return " sect ".join(self.parenthesize(a, precedence(expr)) for a in expr.args)

    def _print_Contains(self, expr: sp.Contains) -> str:
        return f"{self._print(expr.args[0])} in {self._print(expr.args[1])}"

    # -------------------------------------------------------------- containers, matrices

    def _print_Tuple(self, expr) -> str:
        return f"({self._join(expr)})"

    _print_tuple = _print_list = _print_Tuple

    def _print_MatrixBase(self, expr: sp.MatrixBase) -> str:
        rows = "; ".join(self._join(expr.row(i)) for i in range(expr.rows))
        return f"mat({rows})"


    def _print_Transpose(self, expr) -> str:
        return f"{self._power_base(expr.arg)}^(T)"

    def _print_Inverse(self, expr) -> str:
        return f"{self._power_base(expr.arg)}^(-1)"

    def _print_MatMul(self, expr) -> str:
        return " ".join(self.parenthesize(a, precedence(expr), True) for a in expr.args)

    def _print_MatAdd(self, expr) -> str:
        return self._print_Add(expr)

    def _print_Determinant(self, expr) -> str:
        return f"det({self._print(expr.arg)})"

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        return f"{self._power_base(expr.base)}_{group(self._join(expr.indices))}"

    def _print_IndexedBase(self, expr: sp.IndexedBase) -> str:
        return self._print(expr.label)


def to_typst(expr: sp.Basic, **settings) -> str:
    """Typst math markup (the text between ``$ … $``) for a SymPy expression."""
    return TypstPrinter(settings).doprint(sp.sympify(expr))
