"""Theory-vs-numerics overlays for claims SS1–SS6 (from each outcome's ``series``)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from flowcert.claims.base import Outcome
from flowcert.reports.figures import new_figure
from flowcert.theory import soft_sets


def ss1(outcome: Outcome) -> Figure | None:
    """H for several δ beside the step; the L1 gap by quadrature approaching τ_m/4, not 0."""
    curves, limit = outcome.series.get("curves"), outcome.series.get("limit")
    if curves is None or limit is None:
        return None
    figure, (left, right) = new_figure(2)
    tau = curves["tau"]
    for index, (delta, values) in enumerate(zip(curves["delta"], curves["H"], strict=True)):
        left.plot(curves["p"], values, color=f"C{index}", lw=1.2, label=f"δ = {delta:g}")
    left.step([0, tau, 1], [0, 1, 1], where="post", color="k", ls="--", lw=0.8,
              label="1[p ≥ τ]")
    left.set_xlabel("p")
    left.set_ylabel("H(p; τ, δ)")
    left.set_title(f"SS1: H at τ = {tau:g} beside the step")
    left.legend(fontsize=6)
    deltas = np.asarray(limit["delta"])
    dense = np.geomspace(deltas.min(), deltas.max(), 200)
    right.semilogx(dense, [soft_sets.l1_gap(tau, d) for d in dense], "-", color="C0", lw=1,
                   label="τ_m/4 + δ/2 (SymPy)")
    right.semilogx(deltas, limit["gap"], "o", ms=3, color="C1", label="quadrature")
    right.axhline(limit["tau_m_over_4"], color="k", ls=":", lw=0.8, label="τ_m/4")
    right.set_ylim(0, None)
    right.set_xlabel("δ")
    right.set_ylabel("∫|H − 1[p ≥ τ]| dp")
    right.set_title("L1 gap tends to τ_m/4, not 0")
    right.legend(fontsize=6)
    return figure


def ss3(outcome: Outcome) -> Figure | None:
    """Central differences of numerics' soft F1 against the closed-form gradient."""
    cases = [value for key, value in outcome.series.items() if key.startswith("case")]
    if not cases:
        return None
    figure, (axis,) = new_figure()
    for index, case in enumerate(cases):
        label = f"τ={case['tau']:g}, δ={case['delta']:g}" + (", A = 0"
                                                              if case["zero_positives"] else "")
        axis.plot(case["predicted"], case["finite"], "o", ms=3, color=f"C{index}", label=label)
    values = np.concatenate([case["predicted"] for case in cases])
    axis.plot([values.min(), values.max()], [values.min(), values.max()], "k:", lw=0.8)
    axis.axhline(0, color="0.6", lw=0.5)
    axis.axvline(0, color="0.6", lw=0.5)
    axis.set_xlabel("closed form ∂F1/∂p_i")
    axis.set_ylabel("central difference")
    axis.set_title("SS3: positives > 0, negatives < 0")
    axis.legend(fontsize=6)
    return figure


def ss4(outcome: Outcome) -> Figure | None:
    """|soft F1 − hard F1| against δ (scores outside the band) with a slope-1 guide."""
    rate = outcome.series.get("rate")
    if rate is None:
        return None
    figure, (axis,) = new_figure()
    deltas, gaps = np.asarray(rate["delta"]), np.asarray(rate["gap"])
    axis.loglog(deltas, gaps, "o", ms=3, label="numerics")
    axis.loglog(deltas, gaps[-1] * deltas / deltas[-1], "k:", lw=0.8, label="slope 1")
    axis.set_xlabel("δ")
    axis.set_ylabel("|F1_s − F1|")
    axis.set_title(f"SS4: soft vs hard F1 gap, τ = {rate['tau']:g}")
    axis.legend(fontsize=7)
    return figure


def ss5(outcome: Outcome) -> Figure | None:
    """sd of F1 of Bernoulli(h) predictions, and its RMS distance from soft F1, vs n."""
    data = outcome.series.get("sd")
    if data is None:
        return None
    figure, (axis,) = new_figure()
    sizes = np.asarray(data["n"], dtype=float)
    axis.loglog(sizes, data["sd"], "o", ms=3, label="sd(F1)")
    axis.loglog(sizes, data["rms"], "x", ms=4, label="RMS(F1 − F1_s)")
    axis.loglog(sizes, data["sd"][-1] * np.sqrt(sizes[-1] / sizes), "k:", lw=0.8,
                label=r"$\propto n^{-1/2}$")
    axis.set_xlabel("n")
    axis.set_ylabel("spread of F1")
    axis.set_title("SS5: F1 of random predictions concentrates")
    axis.legend(fontsize=7)
    return figure


def ss6(outcome: Outcome) -> Figure | None:
    """Held-out hard F1 of both trainings on every draw; held-out F1 and loss along both
    flows of the first draw."""
    training, held_out = outcome.series.get("training"), outcome.series.get("held_out")
    if not training or held_out is None:
        return None
    figure, (left, right, draws) = new_figure(3, size=(9.6, 3.0))
    soft, cross = np.asarray(held_out["a"]), np.asarray(held_out["b"])
    draws.scatter(cross, soft, s=10, color="C2", zorder=3)
    span = [min(cross.min(), soft.min()) - 0.02, max(cross.max(), soft.max()) + 0.02]
    draws.plot(span, span, "k--", lw=0.8, label="equal F1")
    draws.set_xlabel(f"held-out hard F1, {held_out['names'][1]}")
    draws.set_ylabel(f"held-out hard F1, {held_out['names'][0]}")
    draws.set_title(f"{soft.size} draws: mean gap {np.mean(soft - cross):+.3f}")
    draws.legend(fontsize=6)
    for index, (name, curve) in enumerate(training.items()):
        times = np.asarray(curve["times"])
        left.semilogx(times[1:], curve["held_out_f1"][1:], "-o", ms=2, color=f"C{index}",
                      label=name)
        right.semilogx(times[1:], curve["loss"][1:], "-", color=f"C{index}", label=name)
    left.set_xlabel("t")
    left.set_ylabel("held-out hard F1 at τ = ½")
    left.set_title("SS6: along the flows (first draw)")
    left.legend(fontsize=7)
    right.set_xlabel("t")
    right.set_ylabel("training loss")
    right.set_title("each flow's own loss")
    right.legend(fontsize=7)
    return figure


OVERLAYS = {"SS1": ss1, "SS3": ss3, "SS4": ss4, "SS5": ss5, "SS6": ss6}
