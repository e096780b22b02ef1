"""The registry of claims this suite checks.

Each claim is a statement made in the authors' response to the reviewers
of the AdaBelief paper (Zhuang et al., NeurIPS 2020), paraphrased here in
our own words, with the lines of that response it comes from (numbered 1
to 56 as printed at the line ends) and the notebook that checks it.
Statements that numbers cannot settle are listed too, with the reason.

References in the paraphrases: Adam (Kingma & Ba 2015), AMSGrad (Reddi,
Kale & Kumar 2018), "Dissecting Adam" (Balles & Hennig 2018), the centred
second-moment methods (centred RMSprop, SDProp).
"""

from __future__ import annotations

import dataclasses

__all__ = ["CLAIMS", "Claim", "claim"]


@dataclasses.dataclass(frozen=True)
class Claim:
    """One claim of the response.

    Attributes
    ----------
    id : str
        Stable identifier, e.g. ``"A1"``.
    lines : str
        Lines of the response the claim comes from.
    statement : str
        The claim in our words.
    notebook : str
        File name of the notebook that checks it (empty when the claim is
        not checkable).
    not_checkable : str
        Why numbers cannot check it (empty for checkable claims).
    """

    id: str
    lines: str
    statement: str
    notebook: str = ""
    not_checkable: str = ""


_NB01 = "01_stationary_moments.ipynb"
_NB02 = "02_sign_descent.ipynb"
_NB03 = "03_projection_and_regret.ipynb"
_NB04 = "04_hessian.ipynb"
_NB05 = "05_step_size_and_eps.ipynb"
_NB06 = "06_denominator_validity.ipynb"
_NB07 = "07_toy_problems.ipynb"

CLAIMS: tuple[Claim, ...] = (
    Claim(
        "A1",
        "6",
        "For gradients drawn i.i.d. from a fixed law, Adam's bias-corrected "
        "second moment has expectation (E g)^2 + Var g.",
        _NB01,
    ),
    Claim(
        "A2",
        "8",
        "Without correction, m_t estimates E g with a bias of order "
        "beta1^t E g, so the analysis needs beta1^t to be small.",
        _NB01,
    ),
    Claim(
        "A3",
        "9",
        "In practice the approximations need a small beta (such as 0.3) or a large t.",
        _NB01,
    ),
    Claim(
        "A4",
        "13",
        "m_t and v_t are the moments of the optimizer's own iterates, not "
        "statistics of a separate SGD run.",
        _NB01,
    ),
    Claim(
        "B1",
        "7",
        "When (E g)^2 is much larger than Var g, E g / sqrt(E v) is close to "
        "sign(E g), so Adam behaves like sign descent.",
        _NB02,
    ),
    Claim(
        "B2",
        "10-11, 50",
        "Being close to sign descent hurts Adam's performance (as argued in "
        "Dissecting Adam).",
        _NB02,
    ),
    Claim(
        "B3",
        "49-51",
        "AdaBelief behaves like Adam under high noise and moves away from "
        "sign descent under low noise.",
        _NB02,
    ),
    Claim(
        "C1",
        "14-17",
        "The momentum beta1_t may vary with t and is not the power beta1^t; "
        "both constant and decaying schedules are covered.",
        _NB03,
    ),
    Claim(
        "C2",
        "18-20",
        "Both deterministic problems and online problems are covered, with "
        "regret measured against the best fixed point in hindsight.",
        _NB03,
    ),
    Claim(
        "C3",
        "21-22",
        "The algorithm and its convergence proof include a weighted "
        "projection onto the feasible set.",
        _NB03,
    ),
    Claim(
        "C4",
        "23-25",
        "The sum over coordinates of sqrt(s_hat_T) is below d G_inf, because "
        "the residual g_t - m_t is bounded by G_inf in the max norm.",
        _NB03,
    ),
    Claim(
        "C5",
        "26",
        "For stationary gradients E s_t equals Var g, which is at most E g^2 = E v_t.",
        _NB01,
    ),
    Claim(
        "C6",
        "25-26",
        "Hence AdaBelief's regret grows more slowly than O(sqrt(T)).",
        _NB03,
    ),
    Claim(
        "D1",
        "29-31",
        "On an L1-type loss the oscillation across the non-optimal axis "
        "shrinks, for fixed and for decreasing step sizes alike.",
        _NB07,
    ),
    Claim(
        "D2",
        "31-32",
        "eps keeps s_t away from zero as the theory assumes, and AdaBelief "
        "is robust to the choice of eps.",
        _NB05,
    ),
    Claim(
        "D3",
        "41-44",
        "AdaBelief's advantage is not an effectively larger step: it beats "
        "Adam's best learning rate across a sweep of learning rates.",
        _NB05,
    ),
    Claim(
        "D4",
        "44-45",
        "When g_t and m_t differ in sign, (g_t - m_t)^2 exceeds g_t^2, so "
        "AdaBelief can step less than Adam.",
        _NB05,
    ),
    Claim(
        "D5",
        "52-54",
        "A (v_t - m_t^2)^(1/2) denominator can become invalid, while "
        "AdaBelief's moving average of (g_t - m_t)^2 is always valid.",
        _NB06,
    ),
    Claim(
        "D6",
        "56",
        "On the paper's 2-D toy problems AdaBelief, with Adam's "
        "hyperparameters, follows a similar path and reaches the optimum "
        "sooner.",
        _NB07,
    ),
    Claim(
        "E1",
        "34",
        "Approximating the inverse Hessian by the inverse of its diagonal can fail.",
        _NB04,
    ),
    Claim(
        "E2",
        "35-36",
        "Ignoring the moving averages, g_t - g_{t-1} is about H times the "
        "step: a Hessian-vector product, not the diagonal of H.",
        _NB04,
    ),
    Claim(
        "E3",
        "37",
        "Adam-type methods divide by sqrt(v_t), which is closer to H^(-1/2) "
        "than to H^(-1).",
        _NB04,
    ),
    Claim(
        "N1",
        "1-4",
        "Summary of the reviews and a promise to rephrase remarks.",
        not_checkable="a description of the reviews and of planned edits",
    ),
    Claim(
        "N2",
        "27-28",
        "The behaviour discussed relates to 'cycles' in theory and 'mode "
        "collapse' in practice.",
        not_checkable="neither term is defined precisely enough to measure",
    ),
    Claim(
        "N3",
        "39-40",
        "The method is simple and, to the authors' knowledge, new.",
        not_checkable="novelty is a judgement about the literature",
    ),
    Claim(
        "N4",
        "46-48",
        "The name refers to how far the observed gradient departs from its "
        "moving average.",
        not_checkable="a choice of name",
    ),
    Claim(
        "N5",
        "54-55",
        "AdaBelief trains LSTMs without numerical problems and is unrelated "
        "to AdaBayes.",
        not_checkable=(
            "training LSTMs is outside this suite's scope, and relatedness "
            "is a judgement"
        ),
    ),
)


def claim(claim_id: str) -> Claim:
    """Return the claim with identifier ``claim_id``.

    Raises
    ------
    ValueError
        If no claim has that identifier.
    """
    for item in CLAIMS:
        if item.id == claim_id:
            return item
    known = ", ".join(c.id for c in CLAIMS)
    raise ValueError(f"claim_id must be one of {known}; got {claim_id!r}")
