"""The ``summary.md`` of ``wijksim reliability`` (:mod:`~.reliability_run`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from wijksim.experiments.analysis.reliability import INDICATORS
from wijksim.experiments.i18n import number, percent
from wijksim.experiments.reports.markdown import markdown_table

if TYPE_CHECKING:
    from wijksim.experiments.reports.reliability_run import ReliabilityResult

TEXT = {
    "en": {
        "title": "# Is settling on results reliable? (S1 App. VI)",
        "settings": "Indicator **{indicator}**, city mean {mean:.4g} a household a year, "
        "between-neighbourhood spread {spread:.3g} of the mean (coefficient of variation); "
        "{units} neighbourhoods ({sizes} households, {per_size} of each); {years} years; "
        "{replications} simulated cities; seed {seed}. Reference: {reference}.",
        "settings_from": "Indicator **{indicator}** from the sweep `{folder}`: its "
        "conditions are the neighbourhoods, its seeds the replications, a condition's mean "
        "rate over seeds and years its true rate. Reference: {reference}.",
        "city_mean": "the city's observed mean",
        "target": "the target {target:g}",
        "source": "Where the defaults come from: {source}.",
        "app_vi": "## S1 App. VI reproduced: observations needed to tell a provider from the mean",
        "rule": "The table follows from a one-sample test of the provider's proportion against "
        "the mean, two-sided α = 0.05, 80% power (assumed), with the provider's odds a "
        "fixed ratio from the mean's: **{green:.2f}** for green, **{yellow:.2f}** for "
        "yellow (fitted to all five rows; root-mean-square error of log n: "
        "{green_error:.2f} and {yellow_error:.2f}). A relative difference fits with "
        "errors {relative}, an absolute one {absolute}. Simulated and exact binomial "
        "power at the source's thresholds differ by at most {gap:.1f} Monte Carlo "
        "standard errors.",
        "headline": "## How often is the bonus–malus on the right side?",
        "sentence": "- With {households} households: right {first} of the time on one "
        "year ({first_shrunk} shrunken), {last} on {years} years pooled "
        "({last_shrunk} shrunken); money paid in the wrong direction: {money} of all "
        "on one year ({money_shrunk} shrunken).",
        "note": "Shrinkage moves each neighbourhood's rate towards the fitted city mean "
        "without crossing it, so against the city mean it hardly changes who is rewarded; "
        "it lowers the amounts settled, most for the small neighbourhoods whose rates are "
        "noisiest. Against a target other than the mean (`--target`) it also changes sides.",
        "figure": "![settlement](figures/settlement.png)",
    },
    "nl": {
        "title": "# Is afrekenen op resultaat betrouwbaar? (S1 bijlage VI)",
        "settings": "Indicator **{indicator}**, stadsgemiddelde {mean:.4g} per huishouden "
        "per jaar, spreiding tussen wijken {spread:.3g} van het gemiddelde "
        "(variatiecoëfficiënt); {units} wijken ({sizes} huishoudens, {per_size} van elk); "
        "{years} jaar; {replications} gesimuleerde steden; seed {seed}. "
        "Referentie: {reference}.",
        "settings_from": "Indicator **{indicator}** uit de sweep `{folder}`: de condities "
        "zijn de wijken, de seeds de herhalingen, het gemiddelde van een conditie over seeds "
        "en jaren het ware cijfer. Referentie: {reference}.",
        "city_mean": "het waargenomen stadsgemiddelde",
        "target": "de norm {target:g}",
        "source": "Herkomst van de standaardwaarden: {source}.",
        "app_vi": "## S1 bijlage VI nagebootst: waarnemingen nodig om een aanbieder van "
        "het gemiddelde te onderscheiden",
        "rule": "De tabel volgt uit een toets van het aandeel van de aanbieder tegen het "
        "gemiddelde, tweezijdig α = 0,05, onderscheidend vermogen 80% (aangenomen), met "
        "een vaste odds ratio: **{green:.2f}** voor groen, **{yellow:.2f}** voor geel "
        "(fout in log n: {green_error:.2f} en {yellow_error:.2f}). Een relatief verschil "
        "past met fouten {relative}, een absoluut {absolute}. Gesimuleerde en exacte "
        "binomiale power verschillen hooguit {gap:.1f} Monte-Carlo-standaardfouten.",
        "headline": "## Hoe vaak valt de bonus–malus goed uit?",
        "sentence": "- Met {households} huishoudens: {first} van de keren terecht op één jaar "
        "({first_shrunk} gekrompen), {last} op {years} jaar samen ({last_shrunk} "
        "gekrompen); geld de verkeerde kant op: {money} van alles op één jaar "
        "({money_shrunk} gekrompen).",
        "note": "Krimpen trekt het cijfer van elke wijk naar het geschatte stadsgemiddelde "
        "zonder het te passeren; tegen het stadsgemiddelde verandert het dus nauwelijks wie "
        "beloond wordt, wel de bedragen, het meest voor kleine wijken. Tegen een norm "
        "(`--target`) verandert het ook de kant.",
        "figure": "![afrekening](figures/settlement.png)",
    },
}


class _DecimalComma(float):
    """A number that formats with a decimal comma (Dutch): ``0,0076``."""

    def __format__(self, spec: str) -> str:
        return format(float(self), spec).replace(".", ",")


def _numbers(language: str):
    """Wrap numbers so that they format in ``language``'s decimal sign."""
    return _DecimalComma if language == "nl" else float


def summary_markdown(result: ReliabilityResult, language: str = "en") -> str:
    """The settings, the App. VI table beside the source's, and the headline per size."""
    text = TEXT[language]
    settings = result.settings
    decimal = _numbers(language)
    mean, spread = map(decimal, settings.resolved())
    reference = text["city_mean"]
    if settings.target is not None:
        reference = text["target"].format(target=decimal(settings.target))
    described = text["settings"].format(
        indicator=settings.indicator,
        mean=mean,
        spread=spread,
        units=len(settings.units),
        sizes=" / ".join(number(n, language) for n in settings.households),
        per_size=settings.per_size,
        years=settings.years,
        replications=settings.replications,
        seed=settings.seed,
        reference=reference,
    )
    source = text["source"].format(source=INDICATORS[settings.indicator].source)
    if settings.source_folder is not None:
        described = text["settings_from"].format(
            indicator=settings.indicator, folder=settings.source_folder, reference=reference
        )
        source = ""
    lines = [
        text["title"],
        "",
        described,
        "",
        source,
        "",
        text["app_vi"],
        "",
        _rule_sentence(result, text, decimal),
        "",
        markdown_table(app_vi_rows(result.power)),
        "",
        text["headline"],
        "",
        *_sentences(result.by_size, text, language),
        "",
        text["note"],
        "",
        text["figure"],
        "",
    ]
    return "\n".join(lines)


def _rule_sentence(result: ReliabilityResult, text: dict[str, str], decimal=float) -> str:
    fits = result.rules.set_index(["colour", "rule"])
    power = result.power
    gap = np.max(np.abs(power["simulated_power"] - power["exact_power"]) / power["power_se"])
    return text["rule"].format(
        green=decimal(np.exp(fits.loc[("green", "odds_ratio"), "effect"])),
        yellow=decimal(np.exp(fits.loc[("yellow", "odds_ratio"), "effect"])),
        green_error=decimal(fits.loc[("green", "odds_ratio"), "rms_log_error"]),
        yellow_error=decimal(fits.loc[("yellow", "odds_ratio"), "rms_log_error"]),
        relative=_errors(fits, "relative", decimal),
        absolute=_errors(fits, "absolute", decimal),
        gap=decimal(gap),
    )


def _errors(fits: pd.DataFrame, rule: str, decimal=float) -> str:
    """``0.60 / 0.40``: a rule's fit error for green and yellow."""
    errors = (decimal(fits.loc[(c, rule), "rms_log_error"]) for c in ("green", "yellow"))
    return " / ".join(f"{error:.2f}" for error in errors)


def app_vi_rows(power: pd.DataFrame) -> pd.DataFrame:
    """One row per proportion band: the source's thresholds beside the reproduced ones."""
    rows = []
    for band, group in power.groupby("band", sort=False):
        row = {"p (band)": band}
        for colour, found in group.groupby("colour", sort=False):
            first = found.iloc[0]
            row[f"{colour}: source"] = f"≥ {first.source_n:,}"
            row[f"{colour}: formula"] = f"{first.formula_n:,.0f}"
            row[f"{colour}: simulated"] = f"{first.simulated_n:,.0f}"
            row[f"{colour}: power at source n (sim / exact)"] = (
                f"{first.simulated_power:.3f} / {first.exact_power:.3f}"
            )
        rows.append(row)
    return pd.DataFrame(rows)


def _sentences(by_size: pd.DataFrame, text: dict[str, str], language: str) -> list[str]:
    """The headline per neighbourhood size."""
    lines = []
    last_window = int(by_size["window"].max())
    for size, group in by_size.groupby("households", sort=True):
        table = group.set_index(["estimator", "window"])

        def share(estimator: str, window: int, column: str = "right_share", table=table) -> str:
            value = table.loc[(estimator, window), column]
            return "–" if pd.isna(value) else percent(value, language, 0)

        lines.append(
            text["sentence"].format(
                households=number(size, language),
                first=share("raw", 1),
                first_shrunk=share("shrunk", 1),
                last=share("raw", last_window),
                last_shrunk=share("shrunk", last_window),
                years=last_window,
                money=share("raw", 1, "wrong_money_share"),
                money_shrunk=share("shrunk", 1, "wrong_money_share"),
            )
        )
    return lines
