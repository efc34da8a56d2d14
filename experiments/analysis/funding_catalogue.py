"""The funding comparison's catalogue: its indicators, dimensions and the source's arrows.

What :mod:`~wijksim.experiments.analysis.funding_analysis` measures and compares against
(docs/sources.md §5, S1 App. III.4): every per-run indicator and how it is computed
(:data:`FUNDING_INDICATORS`), which indicator measures which incentive dimension
(:data:`INCENTIVE_DIMENSIONS`), the policy knobs reported apart (:data:`POLICY_INDICATORS`)
and the arrows the source expects of each funding form (:data:`EXPECTED_ARROWS`). Data,
and the few lookups on it; no computation over runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from wijksim.experiments.i18n import N_, translator
from wijksim.model.config.scenario import PAYERS, STREAMS

NEUTRAL_FORM = "cost_centre"
"""The form the source's arrows are read against: no payment depends on what the team
does and its policy is fixed, so any difference from it is the incentive of the other
form."""


UP, DOWN, SAME, NOT_AVAILABLE = "↑", "↓", "≈", N_("n/a")


@dataclass(frozen=True)
class Indicator:
    """One per-run indicator over the evaluation window.

    Attributes:
        name: The indicator's name (the ``metric`` column of the indicator table).
        label: English label for tables.
        unit: Unit of the value: ``"€"``, ``"share"`` (0–1), or a count or quantity.
        how: ``"total"``: Σ ``plus`` − Σ ``minus`` over the window's years;
            ``"ratio"``: (Σ ``plus`` − Σ ``minus``) / Σ ``per`` over the window's years;
            ``"window_mean"``: the mean of the yearly means of ``plus`` over the window;
            ``"last_year_mean"``: the mean of ``plus`` in the window's last year.
        plus: Metrics added (the numerator of a ratio).
        minus: Metrics subtracted (totals and numerators of ratios).
        per: Metrics added up into the denominator (ratios only).
    """

    name: str
    label: str
    unit: str
    how: str
    plus: tuple[str, ...]
    minus: tuple[str, ...] = ()
    per: tuple[str, ...] = ()

    @property
    def formula(self) -> str:
        """How the indicator is computed, in words (for definitions under a table)."""
        return self.formula_in("en")

    def formula_in(self, language: str) -> str:
        """:attr:`formula` in ``language`` (the metric names stay as the code names them)."""
        _ = translator(language)
        top = " + ".join(self.plus) + "".join(f" − {m}" for m in self.minus)
        if self.how == "ratio":
            bottom = " + ".join(self.per)
            return _("Σ({top}) / Σ({bottom}) over the window").format(top=top, bottom=bottom)
        if self.how == "total":
            return _("Σ({top}) over the window").format(top=top)
        if self.how == "window_mean":
            return _("mean of {top} over the window").format(top=top)
        return _("mean of {top} in the window's last year").format(top=top)

    def label_in(self, language: str) -> str:
        """The indicator's label in ``language``."""
        return translator(language)(self.label)

    @property
    def metrics(self) -> tuple[str, ...]:
        """Every yearly metric the indicator reads."""
        return (*self.plus, *self.minus, *self.per)


REFERRALS = ("referrals_consult", "referrals_handover")


STREAM_LABELS = {
    "zeroth_line": N_("spending: zeroth line"),
    "team": N_("spending: team"),
    "specialist": N_("spending: specialist"),
    "escalation": N_("spending: escalation"),
    "friction": N_("spending: friction"),
}
"""The indicator of each cost stream (:data:`~wijksim.model.config.scenario.STREAMS`)."""


PAYER_LABELS = {
    "municipality_wmo": N_("paid by municipality wmo"),
    "municipality_youth": N_("paid by municipality youth"),
    "insurer": N_("paid by insurer"),
    "other": N_("paid by other"),
}
"""The indicator of each payer (:data:`~wijksim.model.config.scenario.PAYERS`)."""


# fmt: off
FUNDING_INDICATORS: tuple[Indicator, ...] = (
    Indicator("clients_served", N_("clients served (cases opened)"), N_("clients"), "total",
              ("team_admissions",)),
    Indicator("hours_per_client", N_("casework hours per client"), N_("hours"), "ratio",
              ("team_hours_casework",), per=("team_admissions",)),
    Indicator("mean_intake_wait_weeks", N_("mean wait for intake"), N_("weeks"), "ratio",
              ("team_intake_wait_weeks",), per=("team_admissions",)),
    Indicator("held_year_share", N_("team closures at ZRM ≥ 4 on every domain a year later"),
              "share", "ratio", ("closures_team_held_year",), per=("closures_team_year_done",)),
    Indicator("relapse_share",
              N_("team closures fallen to ZRM ≤ 2 within a year (lower is better)"), "share",
              "ratio", ("closures_team_relapsed_year",), per=("closures_team_year_done",)),
    Indicator("return_rate", N_("returns to care within a year per closure (lower is better)"),
              "share", "ratio", ("relapses",), per=("closures",)),
    Indicator("admissions_not_complex_share", N_("team admissions not complex (selection)"),
              "share", "ratio", ("team_admissions",), minus=("team_admissions_complex",),
              per=("team_admissions",)),
    Indicator("referrals_per_client", N_("specialist referrals per client"), N_("referrals"),
              "ratio", REFERRALS, per=("team_admissions",)),
    Indicator("specialist_referrals", N_("specialist referrals"), N_("referrals"), "total",
              REFERRALS),
    Indicator("escalations", N_("escalations"), N_("escalations"), "total", ("escalations_total",)),
    Indicator("cost_total_eur", N_("spending, all streams"), "€", "total", ("cost_total_eur",)),
    *(
        Indicator(f"cost_{stream}_eur", STREAM_LABELS[stream], "€", "total",
                  (f"cost_{stream}_eur",))
        for stream in STREAMS
    ),
    *(
        Indicator(f"cost_paid_by_{payer}_eur", PAYER_LABELS[payer], "€", "total",
                  (f"cost_paid_by_{payer}_eur",))
        for payer in PAYERS
    ),
    Indicator("operator_margin_eur", N_("operator's margin"), "€", "total",
              # Specialist charges (options D–E) are already deducted from revenue.
              ("operator_revenue_eur",), minus=("operator_staff_cost_eur",)),
    # Already deducted from revenue, as the municipality deducts it from the payment.
    Indicator("operator_clawback_eur", N_("clawed back for staff below the formation"), "€",
              "total", ("operator_clawback_eur",)),
    Indicator("frontline_fte", N_("frontline staff (mean)"), "FTE", "window_mean",
              ("team_frontline_fte",)),
    Indicator("households_in_need", N_("households in need (last year)"), N_("households"),
              "last_year_mean", ("households_in_need",)),
    Indicator("share_self_reliant", N_("share self-reliant (last year)"), "share",
              "last_year_mean", ("share_self_reliant",)),
    # Policy chosen: the operator's settings, recorded every week (model/observation/metrics.py).
    Indicator("policy_discharge_min_level", N_("policy: lowest ZRM level at closure (mean)"),
              N_("level"), "window_mean", ("team_discharge_min_level",)),
    Indicator("policy_intake_max_level", N_("policy: highest ZRM level taken on (mean)"),
              N_("level"), "window_mean", ("team_intake_max_level",)),
    Indicator("policy_referral_max_level", N_("policy: highest ZRM level referred (mean)"),
              N_("level"), "window_mean", ("team_referral_max_level",)),
    Indicator("policy_complex_offload_share", N_("policy: share of complex households to offload"),
              "share", "window_mean", ("team_complex_offload_share",)),
    Indicator("policy_complex_offloaded_share",
              N_("policy applied: complex households refused or passed on at intake"), "share",
              "ratio", ("intake_complex_offloaded",), per=("intake_complex_assessed",)),
    Indicator("policy_hours_per_case_factor", N_("policy: hours per case (× the norm, mean)"),
              "×", "window_mean", ("team_hours_per_case_factor",)),
    Indicator("policy_outreach_share", N_("policy: share of hours on outreach (mean)"), "share",
              "window_mean", ("team_outreach_share",)),
)
# fmt: on
"""The indicators, in reading order (one row each in the tables)."""


INDICATORS_BY_NAME = {indicator.name: indicator for indicator in FUNDING_INDICATORS}


MAIN_INDICATORS: tuple[str, ...] = (
    "clients_served",
    "hours_per_client",
    "mean_intake_wait_weeks",
    "held_year_share",
    "relapse_share",
    "return_rate",
    "admissions_not_complex_share",
    "referrals_per_client",
    "escalations",
    "cost_total_eur",
    "operator_margin_eur",
    "frontline_fte",
    "households_in_need",
    "share_self_reliant",
)
"""The indicators of the summary's tables (the spending per stream and payer are in the
indicator table and the figures)."""


POLICY_INDICATORS: tuple[str, ...] = (
    "policy_discharge_min_level",
    "policy_intake_max_level",
    "policy_referral_max_level",
    "policy_complex_offload_share",
    "policy_complex_offloaded_share",
    "policy_hours_per_case_factor",
    "policy_outreach_share",
)
"""The operator's settings, reported apart as "policy chosen": a form's incentive shows
in them, but they are what the operator decided, not what became of the households."""


INCENTIVE_DIMENSIONS: dict[str, str] = {
    "volume": "clients_served",
    "effort": "hours_per_client",
    "quality": "held_year_share",
    "selection": "admissions_not_complex_share",
    "offloading": "referrals_per_client",
}
"""The columns of the incentive table → the indicator measuring each: the source's four
(App. III.4) and offloading as a fifth column (see the module docstring)."""


SOURCE_DIMENSIONS: tuple[str, ...] = ("volume", "effort", "quality", "selection")
"""The source's four columns, in its order."""


DETAIL_DIMENSIONS: dict[str, str] = {
    "volume": "clients_served",
    "effort": "hours_per_client",
    "quality": "held_year_share",
    "relapses": "relapse_share",
    "returns": "return_rate",
    "selection": "admissions_not_complex_share",
    "offloading": "referrals_per_client",
}
"""The rows of the detail table: the incentive dimensions and, after quality, the
secondary quality measures (relapses to ZRM ≤ 2 and returns to care, where lower is
better; no column of their own)."""


DIMENSION_LABELS: dict[str, str] = {
    "volume": N_("volume (clients)"),
    "effort": N_("effort per client"),
    "quality": N_("quality (held a year later)"),
    "relapses": N_("quality: relapses to ZRM ≤ 2 (lower is better)"),
    "returns": N_("quality: returns to care (lower is better)"),
    "selection": N_("selection (admissions not complex)"),
    "offloading": N_("offloading (referrals per client)"),
}


EXPECTED_ARROWS: dict[str, dict[str, str]] = {
    "function_budget": {"volume": DOWN, "effort": DOWN, "quality": DOWN, "selection": UP},
    "per_hour": {"volume": UP, "effort": UP, "quality": DOWN, "selection": DOWN},
    "per_trajectory": {"volume": UP, "effort": DOWN, "quality": DOWN, "selection": UP},
    # The gate closes (selection ↓) but passing clients on to specialists pays (↑) ...
    "population": {
        "volume": DOWN,
        "effort": DOWN,
        "quality": UP,
        "selection": DOWN,
        "offloading": UP,
    },
    # ... unless the form is settled on specialist use: the source then claims no
    # offloading arrow, so none is compared.
    "shared_savings": {"volume": DOWN, "effort": DOWN, "quality": UP, "selection": DOWN},
    "result_per_client": {"volume": UP, "effort": DOWN, "quality": UP, "selection": UP},
}
"""The source's arrows (S1 App. III.4) per funding form, against a neutral form.
Shared savings is population funding settled on specialist use (S1 §4.5.1), so it takes
population funding's arrows. The cost centre is the neutral reference itself."""


def funding_form(condition: str) -> str | None:
    """The funding form of a condition label, or None if it is not a known form.

    ``"per_hour [team.frontline_fte=8]"`` and ``"funding_per_hour"`` are both ``per_hour``:
    grid values are dropped and a ``funding_`` prefix (the shipped scenarios' names) too.
    """
    name = str(condition).split(" [")[0].strip().removeprefix("funding_")
    return name if name in EXPECTED_ARROWS or name == NEUTRAL_FORM else None


def expected_arrows(condition: str) -> dict[str, str]:
    """The source's arrows for a condition's funding form by dimension ({} if unknown)."""
    return dict(EXPECTED_ARROWS.get(funding_form(condition) or "", {}))


def required_metrics() -> list[str]:
    """Every yearly metric the indicators read (others in a yearly table are ignored)."""
    return list(dict.fromkeys(m for indicator in FUNDING_INDICATORS for m in indicator.metrics))
