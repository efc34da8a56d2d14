"""Tables an analyst can open: CSV and one Excel workbook beside every Parquet table.

Issue 17, item 3. Real files are written by the commands, then read back with pandas
and openpyxl: the CSV and the sheets hold the Parquet tables' values under readable
headers with units, and the workbook's ``about`` sheet names what produced them.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from conftest import small
from wijksim.experiments.cli import main
from wijksim.experiments.i18n import LOCALE_DIR
from wijksim.experiments.reports import table_files, table_labels
from wijksim.experiments.reports.run_report import write_run
from wijksim.experiments.reports.table_files import (
    CSV_FORMATS,
    WORKBOOK,
    Provenance,
    UnlabelledColumnError,
    sheet_names,
    write_tables,
)
from wijksim.experiments.reports.table_labels import COLUMNS, DOMAIN_NAMES, header
from wijksim.experiments.runner import run as run_module
from wijksim.model.core.domains import DOMAINS

PO_FILE = LOCALE_DIR / "nl" / "LC_MESSAGES" / f"{table_labels.DOMAIN}.po"
MO_FILE = PO_FILE.with_suffix(".mo")
SOURCES = [Path(table_labels.__file__), Path(table_files.__file__)]


def about_sheet(folder: Path) -> dict[str, object]:
    """The workbook's first sheet as label → value."""
    book = openpyxl.load_workbook(folder / WORKBOOK, read_only=True)
    first = book[book.sheetnames[0]]
    return {label: value for label, value in first.iter_rows(values_only=True)}


def sheet(folder: Path, name: str) -> pd.DataFrame:
    """A table's sheet, read back with pandas (header in the first row)."""
    return pd.read_excel(folder / WORKBOOK, sheet_name=name, engine="openpyxl")


def assert_readable_copies(folder: Path, language: str = "en") -> list[str]:
    """Every ``*.parquet`` has a CSV and a sheet with the same values, headers labelled.

    Returns:
        The table names found.
    """
    names = sorted(p.stem for p in folder.glob("*.parquet"))
    assert names, f"no tables in {folder}"
    book = openpyxl.load_workbook(folder / WORKBOOK, read_only=True)
    assert sorted(book.sheetnames[1:]) == names  # after the about sheet, one per table
    for name in names:
        table = pd.read_parquet(folder / f"{name}.parquet")
        expected = [header(str(c), language) for c in table.columns]
        assert None not in expected, f"{name}: a column without a label"
        copy = pd.read_csv(folder / f"{name}.csv", encoding="utf-8-sig", **CSV_FORMATS[language])
        assert list(copy.columns) == expected, name
        assert len(copy) == len(table), name
        from_excel = sheet(folder, name)
        assert list(from_excel.columns) == expected, name
        assert len(from_excel) == len(table), name
        for raw, readable in zip(table.columns, expected, strict=True):
            if pd.api.types.is_numeric_dtype(table[raw]) and table[raw].dtype != bool:
                values = table[raw].to_numpy(dtype=float)
                # float32 columns are written by their shortest text: equal to 7 digits
                for found in (copy[readable], from_excel[readable]):
                    np.testing.assert_allclose(
                        found.to_numpy(dtype=float), values, rtol=1e-6, equal_nan=True
                    )
    return names


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ----------------------------------------------------------------------- the commands


def test_run_writes_csv_and_a_workbook_beside_parquet(in_tmp):
    args = ["run", "old_system", "--households", "300", "--years", "1", "--seed", "3"]
    assert main([*args, "--out", "r", "--quiet", "--no-figures"]) == 0
    folder = in_tmp / "r"
    assert assert_readable_copies(folder) == ["households", "indicators", "ledger", "steps"]
    households = pd.read_csv(folder / "households.csv", encoding="utf-8-sig")
    assert "Spending (EUR)" in households.columns
    assert "Self-sufficiency (ZRM): mental health (level 1–5)" in households.columns
    about = about_sheet(folder)
    assert about["Command"] == "wijksim run"
    assert about["Scenario"] == "old_system"
    assert about["Overrides"] == "households=300, years=1"
    assert (about["Households"], about["Years"], about["Seeds"]) == (300, 1, "3")
    assert about["wijksim version"] and about["Git commit"]
    assert about["Table steps"].endswith("rows, sheet of the same name")
    assert "Columns without a label" not in about
    # An earlier run with its CSV files and workbook is replaced without --overwrite.
    assert main([*args, "--out", "r", "--quiet", "--no-figures"]) == 0


def test_a_run_that_fails_while_writing_its_workbook_leaves_nothing(in_tmp, monkeypatch):
    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(table_files, "_write_workbook", broken)
    result = run_module.run_simulation(small(households=200, years=1), scenario_name="tiny")
    with pytest.raises(OSError, match="disk full"):
        write_run(result, in_tmp / "r", figures=False)
    assert sorted(p.name for p in in_tmp.iterdir()) == []


def test_sweep_report_writes_every_table_as_csv_and_sheet(in_tmp):
    args = ["transition", "--seeds", "1", "--households", "200", "--years", "3"]
    assert main([*args, "--backend", "serial", "--out", "t", "--quiet"]) == 0
    report = in_tmp / "t" / "report"
    names = assert_readable_copies(report)
    assert {"yearly_summary", "differences", "transition_indicators"} <= set(names)
    indicators = sheet(report, "transition_indicators")
    assert "Net present value (EUR)" in indicators.columns
    about = about_sheet(report)
    assert about["Command"] == "wijksim transition"
    assert about["Scenario"] == "transition"
    assert "households=200" in about["Overrides"] and "years=3" in about["Overrides"]
    assert about["Seeds"] == "1"


def test_targets_write_csv_and_a_workbook(in_tmp):
    args = ["targets", "old_system", "--households", "300", "--years", "1", "--seeds", "1"]
    assert main([*args, "--out", "g", "--quiet"]) == 0
    folder = in_tmp / "g"
    assert assert_readable_copies(folder) == ["comparison", "per_seed"]
    about = about_sheet(folder)
    assert about["Command"] == "wijksim targets"
    assert about["Targets file"].endswith("targets.toml")


# --------------------------------------------------------------- the writer itself


def _provenance() -> Provenance:
    return Provenance("run", "old_system", {"years": 2}, 300, 2, [0, 1])


def test_dutch_headers_and_csv_that_dutch_excel_opens(tmp_path):
    table = pd.DataFrame({"cost_eur": [1234.5, 0.25], "need_group": ["a", "b"]})
    write_tables(tmp_path, {"households": table}, _provenance(), language="nl")
    raw = (tmp_path / "households.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines == ["Uitgaven (EUR);Zorgbehoeftegroep", "1234,5;a", "0,25;b"]
    book = openpyxl.load_workbook(tmp_path / WORKBOOK, read_only=True)
    assert book.sheetnames == ["toelichting", "households"]
    about = about_sheet(tmp_path)
    assert about["Aanpassingen"] == "years=2"
    assert about["Tabel households"] == "2 rijen, blad met dezelfde naam"
    assert sheet(tmp_path, "households")["Uitgaven (EUR)"].tolist() == [1234.5, 0.25]


def test_a_table_too_long_for_excel_is_left_out_with_a_note(tmp_path, monkeypatch):
    monkeypatch.setattr(table_files, "EXCEL_MAX_ROWS", 4)  # a header and three rows
    tables = {"steps": pd.DataFrame({"step": range(4)}), "ledger": pd.DataFrame({"step": [1]})}
    write_tables(tmp_path, tables, _provenance())
    book = openpyxl.load_workbook(tmp_path / WORKBOOK, read_only=True)
    assert book.sheetnames == ["about", "ledger"]
    about = about_sheet(tmp_path)
    assert about["Table steps"] == (
        "4 rows: more than an Excel sheet holds, so only in the CSV and Parquet files"
    )
    assert len(pd.read_csv(tmp_path / "steps.csv", encoding="utf-8-sig")) == 4


def test_missing_values_are_empty_cells_and_float32_has_no_noise_digits(tmp_path):
    table = pd.DataFrame(
        {
            "vulnerability": np.array([0.3, np.nan], dtype="float32"),
            "agrees": pd.array([True, None], dtype="boolean"),
            "life_phase": pd.Categorical(["adult", "elderly"]),
        }
    )
    write_tables(tmp_path, {"t": table}, _provenance())
    book = openpyxl.load_workbook(tmp_path / WORKBOOK, read_only=True)
    rows = list(book["t"].iter_rows(values_only=True))
    assert rows[1:] == [(0.3, True, "adult"), (None, None, "elderly")]


def test_sheet_names_are_short_distinct_and_valid():
    names = sheet_names(["a" * 40, "a" * 40, "x/y:z", "About"], taken=["about"])
    assert names == ["a" * 31, "a" * 29 + "~2", "x_y_z", "About~2"]
    assert all(len(n) <= 31 for n in names)


def test_a_column_without_a_label_fails_under_strict_and_is_named_otherwise(tmp_path, monkeypatch):
    table = pd.DataFrame({"no_such_column": [1]})
    with pytest.raises(UnlabelledColumnError, match="no_such_column"):
        write_tables(tmp_path, {"ok": pd.DataFrame({"step": [1]}), "t": table}, _provenance())
    assert not any(tmp_path.iterdir())  # found before any file is written
    monkeypatch.delenv(table_files.STRICT_LABELS)
    write_tables(tmp_path, {"t": table}, _provenance())
    assert about_sheet(tmp_path)["Columns without a label"] == "t.no_such_column"
    assert pd.read_csv(tmp_path / "t.csv", encoding="utf-8-sig").columns[0] == "no_such_column"


def test_two_columns_with_one_label_are_told_apart():
    assert table_files.headers("t", ["q05", "p05"], "en") == [
        "5th percentile [q05]",
        "5th percentile [p05]",
    ]


# ------------------------------------------------------------------- the registry


def test_families_of_columns_have_labels():
    assert header("team.frontline_fte") == "Scenario field team.frontline_fte"
    assert header("mean_evictions") == "Mean of evictions"
    assert header("rho_share_complex") == "Rank correlation with share_complex"
    assert header("evictions") == "Simulated: evictions"
    assert header("zrm_adl", "nl").startswith("Zelfredzaamheid (ZRM): algemene dagelijkse")
    assert set(DOMAIN_NAMES) == set(DOMAINS)
    assert header("mean_no_such_target") is None


def _catalogue():
    with PO_FILE.open("rb") as handle:
        return read_po(handle)


def _marked() -> set[str]:
    found = set()
    for source in SOURCES:
        for _line, message, _comments, _context in extract_from_file(
            "python", str(source), keywords={"N_": None}
        ):
            found.add(message)
    return found


def test_every_header_and_about_line_has_a_dutch_translation():
    catalogue = _catalogue()
    marked = _marked()
    assert {c.label for c in COLUMNS.values()} <= marked  # the extraction sees the registry
    missing = sorted(
        text
        for text in marked
        if text not in catalogue or not catalogue[text].string or catalogue[text].fuzzy
    )
    assert not missing, f"no Dutch in {PO_FILE.name} for: {missing}"
    for text in marked:  # a template's placeholders survive the translation
        assert sorted(_placeholders(catalogue[text].string)) == sorted(_placeholders(text))


def _placeholders(text: str) -> list[str]:
    return re.findall(r"\{[a-z]+\}", text)


def test_compiled_catalogue_matches_the_po_file():
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [m.id for m in _catalogue() if m.id and compiled.gettext(m.id) != m.string]
    assert not stale, f"{MO_FILE.name} is older than {PO_FILE.name} for: {stale[:5]}"


def test_a_dutch_comparison_writes_its_report_tables_in_dutch(in_tmp):
    """``--lang nl`` reaches the report's tables, not only the headline (issue 17, item 4)."""
    args = ["transition", "--seeds", "1", "--households", "200", "--years", "3", "--lang", "nl"]
    assert main([*args, "--backend", "serial", "--out", "t", "--quiet"]) == 0
    raw = (in_tmp / "t" / "report" / "yearly_summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel's cue for UTF-8
    assert b";" in raw.splitlines()[0]  # Dutch Excel splits columns on ';'
