"""Claim builders: a claim states what is specific to it, the builder does the rest.

* :func:`exact_claim` — EXACT (and ASYMPTOTIC) claims: a ``measure(bits, series)`` that
  fills a :class:`~flowcert.claims.comparison.Comparison` and returns its
  :class:`~flowcert.claims.base.PrecisionRun`, optional rate ``fits`` and extra ``checks``.
  The builder runs the precision ladder, judges it, writes the evidence and applies the
  Sharpness rule: the ladder re-judged with every prediction × (1 + 1e-9) must fail, and
  every fitted interval must exclude the predicted exponent ± 1/4.
  A :class:`PropertyCheck` among its ``checks`` adds a statistical or qualitative part with
  its own null models (an EXACT law with a Monte Carlo confirmation, or a STATISTICAL claim
  whose closed forms also have a precision ladder).
* :func:`qualitative_claim` and :func:`statistical_claim` — an ``observe()`` experiment and a
  ``check(observation)`` returning a :class:`Finding`, plus at least one
  :class:`NullModel`: the same experiment with the claimed effect removed, judged by the same
  ``check``, which must fail.

A null model that passes, or a perturbation the check does not notice, fails the claim as a
vacuous check. The user-facing trajectory builder lives in :mod:`flowcert.claims.trajectory`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from flowcert.claims.base import (
    Claim,
    ClaimClass,
    NullModelResult,
    Outcome,
    PrecisionRun,
    RateFit,
    Sharpness,
)
from flowcert.claims.ladder import judge_ladder

#: Relative perturbation of every prediction that an EXACT check must reject (Sharpness).
PERTURBATION = 1e-9
#: A predicted exponent off by this much must fall outside a fitted rate's interval: the
#: difference between n^(−1/2) and n^(−1/4) or n^(−3/4), or between α^(−2D) and α^(−2D ± ¼).
EXPONENT_PERTURBATION = 0.25
_ID = re.compile(r"^[A-Z][A-Z0-9]*[0-9]+$")
_DOLLAR = re.compile(r"(?<!\\)\$")


class ClaimDefinitionError(ValueError):
    """A claim declared without a required part (said in one line)."""


@dataclass
class Finding:
    """What one check of one experiment found: verdict, sentences, figure data, fits."""

    passed: bool
    evidence: list[str] = field(default_factory=list)
    series: dict = field(default_factory=dict)
    fits: list[RateFit] = field(default_factory=list)
    #: Null models this check ran on its own part of the claim (e.g. the Monte Carlo part of
    #: an EXACT claim), reported with the claim's other null models.
    null_models: list[NullModelResult] = field(default_factory=list)


@dataclass(frozen=True)
class NullModel:
    """The claim's experiment with the claimed effect removed (a negative control).

    ``experiment`` has the signature of the claim's own: ``measure(bits, series)`` for
    :func:`exact_claim`, ``observe()`` for :func:`qualitative_claim` and
    :func:`statistical_claim`. The claim's own comparison judges it and must fail it.
    """

    name: str
    description: str
    experiment: Callable


def fit_sentence(fit: RateFit) -> str:
    """One evidence line of a fitted rate."""
    return (f"{fit.name}: slope {fit.slope:.4f}, 99% interval [{fit.low:.4f}, {fit.high:.4f}],"
            f" predicted {fit.predicted:g} ({'contained' if fit.passed else 'NOT contained'})")


def judge_null_models(models: Sequence[NullModel], check: Callable[[object], Finding]
                      ) -> list[NullModelResult]:
    """Each model's ``experiment()`` judged by ``check`` (which must fail it)."""
    results = []
    for model in models:
        finding = check(model.experiment())
        results.append(NullModelResult(model.name, model.description, finding.passed,
                                       finding.evidence))
    return results


@dataclass(frozen=True)
class PropertyCheck:
    """A statistical or qualitative part of an :func:`exact_claim` (an entry of its
    ``checks``): ``check(observe())``, and the ``null_models`` — ``observe``-type experiments
    with the effect removed — judged by the same ``check``, which must fail them. Their names
    are declared with the claim; the observation's series go to the claim's figures."""

    observe: Callable[[], object]
    check: Callable[[object], Finding]
    null_models: Sequence[NullModel]

    def __call__(self, series: dict) -> Finding:
        finding = self.check(self.observe())
        series.update(finding.series)
        finding.null_models = [*finding.null_models,
                               *judge_null_models(self.null_models, self.check)]
        return finding


def symbolic_checks(results: Mapping[str, bool]) -> Finding:
    """A Finding from named symbolic identities (each True when it holds); none at all fails
    (a claim that declares symbolic checks and finds none of its own checks nothing)."""
    if not results:
        return Finding(False, ["no symbolic identity found for this claim: vacuous check"])
    failed = [name for name, ok in results.items() if not ok]
    return Finding(not failed, [f"{len(results) - len(failed)}/{len(results)} symbolic "
                                f"identities hold" + (f"; FAILED: {'; '.join(failed)}"
                                                      if failed else "")])


# ----------------------------------------------------------------------------- EXACT


def exact_claim(*, id: str, title: str, provenance: str, source: str, statement: str,
                theory: str, experiment: str, comparison: str, parameters: dict,
                measure: Callable[[int, dict], PrecisionRun] | None = None,
                fits: Sequence[Callable[[], RateFit]] = (),
                checks: Sequence[Callable[[dict], Finding]] = (),
                null_models: Sequence[NullModel] = (),
                claim_class: ClaimClass = ClaimClass.EXACT, family: str | None = None,
                domain: Callable[[], object] | None = None, figures: Sequence[Callable] = (),
                derivations: Callable[[], Sequence] | None = None,
                certify: Callable[[int], object] | None = None) -> Claim:
    """An EXACT or ASYMPTOTIC claim (see the module doc).

    ``measure(bits, series)`` runs the experiment at ``bits`` and returns the PrecisionRun of
    its Comparison (``series``: one dict shared by every precision, for figures); ``fits``
    return fitted rates; ``checks(series)`` add qualitative parts after the ladder (their
    Findings may carry null-model results; a :class:`PropertyCheck` declares and runs the
    null models of a statistical part); ``certify(bits)`` returns a Certificate (run when
    certification is asked for).
    """
    if measure is None and not fits and not checks:
        raise ClaimDefinitionError(f"{id}: an {claim_class} claim needs a measure, a fit or a "
                                   "check")
    declared = [*null_models, *(model for check in checks if isinstance(check, PropertyCheck)
                                for model in check.null_models)]
    if claim_class in (ClaimClass.STATISTICAL, ClaimClass.QUALITATIVE) and not declared:
        raise ClaimDefinitionError(f"{id}: a {claim_class} claim needs at least one null "
                                   "model (a PropertyCheck's, or the ladder's)")

    def run(precisions: Sequence[int]) -> Outcome:
        started = time.perf_counter()
        series: dict = {}
        runs = ([measure(bits, series) for bits in sorted(set(precisions))]
                if measure is not None else [])
        passed, evidence = judge_ladder(runs) if runs else (True, [])
        fitted = [fit() for fit in fits]
        evidence += [fit_sentence(fit) for fit in fitted]
        passed = passed and all(fit.passed for fit in fitted)
        nulls = []
        for check in checks:
            finding = check(series)
            passed = passed and finding.passed
            evidence += finding.evidence
            fitted += finding.fits
            nulls += finding.null_models
        sharpness = _perturbation_test(runs, fitted)
        nulls += [_null_ladder(model, precisions) for model in null_models]
        return _outcome(id, passed, runs, fitted, evidence, series, started, nulls, sharpness)

    return _claim(id, family, title, claim_class, provenance, source, statement, theory,
                  experiment, comparison, parameters, run, domain, declared, figures,
                  derivations, certify)


def _perturbation_test(runs: Sequence[PrecisionRun], fits: Sequence[RateFit]) -> Sharpness:
    """The Sharpness rule for EXACT comparisons and fitted rates (see the module doc)."""
    evidence, perturbed_passes = [], False
    compared = [run for run in runs if run.comparison is not None and len(run.comparison)]
    if runs and len(compared) < len(runs):
        raise ClaimDefinitionError("every precision run must record its Comparison "
                                   "(observed and predicted values) for the perturbation test")
    if compared:
        perturbed = [run.perturbed(PERTURBATION) for run in compared]
        perturbed_passes, _ = judge_ladder(perturbed)
        detects = ", ".join(f"{r.precision_bits} bits {_format(r.detects)}" for r in compared)
        evidence.append(f"closed form × (1 + {PERTURBATION:g}): the ladder "
                        f"{'STILL PASSES (vacuous check)' if perturbed_passes else 'fails'}; "
                        f"smallest relative perturbation detected: {detects}")
    for fit in fits:
        wrong = [fit.predicted - EXPONENT_PERTURBATION, fit.predicted + EXPONENT_PERTURBATION]
        accepted = [w for w in wrong if fit.low <= w <= fit.high]
        perturbed_passes = perturbed_passes or bool(accepted)
        evidence.append(f"{fit.name}: predicted exponent ± {EXPONENT_PERTURBATION:g} "
                        + (f"STILL ACCEPTED ({accepted[0]:g}; vacuous fit)" if accepted else
                           "rejected")
                        + f"; resolution ±{fit.resolution:.3g}")
    return Sharpness(PERTURBATION, perturbed_passes, evidence)


def _format(value: float | None) -> str:
    """A detectable perturbation; 0 means the unperturbed comparison already fails."""
    if value == 0:
        return "— (fails unperturbed)"
    return "—" if value is None else f"{value:.1g}"


def _null_ladder(model: NullModel, precisions: Sequence[int]) -> NullModelResult:
    series: dict = {}
    runs = [model.experiment(bits, series) for bits in sorted(set(precisions))]
    passed, evidence = judge_ladder(runs)
    return NullModelResult(model.name, model.description, passed, evidence)


# ----------------------------------------------------------------------------- properties


def qualitative_claim(**declaration) -> Claim:
    """A QUALITATIVE claim: ``observe()`` → observation, ``check(observation)`` →
    :class:`Finding`, and ≥ 1 :class:`NullModel` whose ``observe()`` the check must fail."""
    return _property_claim(ClaimClass.QUALITATIVE, **declaration)


def statistical_claim(**declaration) -> Claim:
    """A STATISTICAL claim: as :func:`qualitative_claim`; the check's tolerances come from
    standard errors (:mod:`flowcert.claims.statistics`)."""
    return _property_claim(ClaimClass.STATISTICAL, **declaration)


def _property_claim(claim_class: ClaimClass, *, id: str, title: str, provenance: str,
                    source: str, statement: str, theory: str, experiment: str,
                    comparison: str, parameters: dict, observe: Callable[[], object],
                    check: Callable[[object], Finding], null_models: Sequence[NullModel],
                    family: str | None = None, domain: Callable[[], object] | None = None,
                    figures: Sequence[Callable] = (),
                    derivations: Callable[[], Sequence] | None = None) -> Claim:
    if not null_models:
        raise ClaimDefinitionError(f"{id}: a {claim_class} claim needs at least one null "
                                   "model (the experiment with the effect removed)")

    def run(_precisions: Sequence[int]) -> Outcome:
        started = time.perf_counter()
        finding = check(observe())
        nulls = judge_null_models(null_models, check)
        return _outcome(id, finding.passed, [], finding.fits, finding.evidence,
                        finding.series, started, nulls, None)

    return _claim(id, family, title, claim_class, provenance, source, statement, theory,
                  experiment, comparison, parameters, run, domain, null_models, figures,
                  derivations)


# ----------------------------------------------------------------------------- shared


def _outcome(claim_id: str, passed: bool, runs: list, fits: list, evidence: list,
             series: dict, started: float, nulls: list[NullModelResult],
             sharpness: Sharpness | None) -> Outcome:
    """The Outcome, failing as vacuous when a null model passes or a perturbation does."""
    for null in nulls:
        evidence.append(f"null model “{null.name}”: "
                        + ("PASSES the same check — the check is vacuous" if null.passed
                           else "fails, as it must"))
    if sharpness is not None:
        evidence += sharpness.evidence
    vacuous = any(null.passed for null in nulls) or (sharpness is not None
                                                    and sharpness.perturbed_passed)
    return Outcome(claim_id, bool(passed and not vacuous), list(runs), list(fits), evidence,
                   series, time.perf_counter() - started, nulls, sharpness)


def _claim(id, family, title, claim_class, provenance, source, statement, theory, experiment,
           comparison, parameters, run, domain, null_models, figures, derivations,
           certify=None) -> Claim:
    if not isinstance(id, str) or not _ID.match(id):
        raise ClaimDefinitionError(f"claim id {id!r} must be upper-case letters then digits, "
                                   "e.g. MY1")
    for name, text in (("title", title), ("provenance", provenance), ("source", source),
                       ("statement", statement), ("theory", theory),
                       ("experiment", experiment), ("comparison", comparison)):
        if not isinstance(text, str) or not text.strip():
            raise ClaimDefinitionError(f"{id}: {name} must be a non-empty string")
        if name != "statement" and len(_DOLLAR.findall(text)) % 2:
            raise ClaimDefinitionError(f"{id}: {name} has an unbalanced $ (inline math goes "
                                       "between a pair of $ signs; write \\$ for a dollar)")
    return Claim(id=id, family=family or id.rstrip("0123456789"), title=title,
                 claim_class=claim_class, provenance=provenance, source=source,
                 statement=statement, theory=theory, experiment=experiment,
                 comparison=comparison, parameters=dict(parameters), run=run, domain=domain,
                 null_models=tuple(model.name for model in null_models),
                 figures=tuple(figures), derivations=derivations, certify=certify)
