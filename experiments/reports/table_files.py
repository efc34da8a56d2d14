"""Tables as Parquet for code, and as CSV and one Excel workbook for analysts.

Every command that writes tables writes them here (issue 17, item 3): per table
``<name>.parquet`` (raw column names, the machine format that wijksim's own code and
tests read), ``<name>.csv`` with readable headers and units
(:mod:`wijksim.experiments.reports.table_labels`), and one ``tables.xlsx`` per folder with an
``about`` sheet first (what produced the tables: command, scenario, overrides,
households, years, seeds, wijksim version, model revision, git commit) and a sheet per
table.

Choices:

* CSV is UTF-8 with a byte-order mark, which Excel needs to read UTF-8 (``€``, ``–``,
  ``ë``) instead of guessing a Windows code page. In English it is ``,``-separated with a
  decimal point; in Dutch (``language="nl"``) ``;``-separated with a decimal comma, as
  Dutch Excel opens a CSV by double-click (its list separator is ``;`` because the comma
  is the decimal sign). The same as the dashboard's downloads.
* A table with more rows than an Excel sheet holds (1,048,576 with the header) is left
  out of the workbook, with a line on the ``about`` sheet pointing to its CSV and
  Parquet files; it is never cut short silently. Nothing wijksim writes today comes
  near that at the sizes a laptop runs (a run's ``steps`` of 6,000 households over 10
  years has ~0.1 million rows), but a 100,000-household ledger would.
* The workbook is written with openpyxl's ``write_only`` mode, which streams rows
  instead of holding every cell as an object: about three times as fast.

Each file is written to a temporary sibling and renamed, so a file appears whole or not
at all, also outside a staging folder (``calibrate --spec`` writes into a folder that
holds its waves' runs).

One piece over 300 lines: Parquet, CSV and the Excel workbook with their provenance must
agree cell for cell, so their writers stay together.
"""

from __future__ import annotations

import io
import math
import os
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from wijksim.experiments.i18n import N_, number
from wijksim.experiments.reports.table_labels import header, translator
from wijksim.experiments.runner.atomic import atomic_file
from wijksim.experiments.runner.manifest import (
    git_commit,
    model_provenance,
    overrides_text,
    utc_now,
)
from wijksim.experiments.runner.out_folder import WORKBOOK

CSV_FORMATS = {
    "en": {"sep": ",", "decimal": "."},
    "nl": {"sep": ";", "decimal": ","},
}
"""Separator and decimal sign that Excel in the language opens as columns."""
CSV_ENCODING = "utf-8-sig"
"""UTF-8 with a byte-order mark: Excel reads it as UTF-8 (without, as a code page)."""
EXCEL_MAX_ROWS = 1_048_576
"""Rows of an Excel sheet (Excel 2007 and later), the header included."""
SHEET_NAME_LIMIT = 31
"""Excel's longest sheet name."""
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
"""Characters Excel refuses in a sheet name."""
STRICT_LABELS = "WIJKSIM_STRICT_LABELS"
"""Environment variable: ``1`` makes a column without a label an error (the tests set
it); otherwise such a column keeps its raw name as header and the about sheet says so."""


TARGETS_FILE = N_("Targets file")
SWEEP = N_("Sweep")
SPEC_FILE = N_("Specification file")
VARIED = N_("Varied over the grid")
SCALED = N_("Scaled with the households")
OVERRIDES_B = N_("Overrides of configuration B")
"""Labels of :attr:`Provenance.details` lines (here, so that they are extracted with the
rest of the about sheet into the catalogue)."""


class UnlabelledColumnError(KeyError):
    """A table has a column that :mod:`wijksim.experiments.reports.table_labels` does not cover."""


@dataclass
class Provenance:
    """What produced a folder's tables: the ``about`` sheet of its workbook.

    Attributes:
        command: The wijksim command (``run``, ``transition``, ...).
        scenario: The scenario's name (or the sweep's base scenario).
        overrides: The command line's or sweep's overrides (``{"years": 5}``).
        households: Households per run (a number or a span such as ``300–600``).
        years: Years per run (a number or a span).
        seeds: The seeds (a list, or how many).
        git_commit: The commit that produced the runs; the current one if ``None``.
        details: Further lines, label (marked for translation) → value.
    """

    command: str
    scenario: str
    overrides: dict[str, object] = field(default_factory=dict)
    households: object = ""
    years: object = ""
    seeds: object = ""
    git_commit: str | None = None
    details: dict[str, object] = field(default_factory=dict)

    def rows(self, translate) -> list[tuple[str, object]]:
        """(label, value) pairs in the language of ``translate``."""
        provenance = model_provenance()
        overrides = ", ".join(overrides_text(self.overrides)) or translate(N_("none"))
        rows = [
            (N_("Command"), f"wijksim {self.command}"),
            (N_("Scenario"), self.scenario),
            (N_("Overrides"), overrides),
            (N_("Households"), self.households),
            (N_("Years"), self.years),
            (N_("Seeds"), _listed(self.seeds)),
            *self.details.items(),
            (N_("wijksim version"), provenance["wijksim_version"]),
            (N_("Model revision"), provenance["model_revision"]),
            (N_("Git commit"), self.git_commit or git_commit()),
            (N_("Written (UTC)"), utc_now()),
        ]
        return [(translate(label), _cell_value(value)) for label, value in rows]


def _listed(value: object) -> object:
    """A list as ``0, 1, 2``; anything else as it is."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


def write_tables(
    folder: Path,
    tables: dict[str, pd.DataFrame],
    provenance: Provenance,
    language: str = "en",
) -> list[str]:
    """Write each table as Parquet and CSV, and all of them into ``tables.xlsx``.

    Args:
        folder: The (staging) folder; it must exist.
        tables: File name without extension → table; the order is the sheets' order.
        provenance: What produced them, for the workbook's ``about`` sheet.
        language: ``en`` or ``nl``, for the CSV and Excel headers and the CSV format.

    Returns:
        The names of the files written.

    Raises:
        UnlabelledColumnError: Under ``WIJKSIM_STRICT_LABELS=1``, for a column
            without a label.
    """
    folder = Path(folder)
    written = []
    unlabelled: list[str] = []
    # Headers first: under strict labels a missing one fails before any file is written.
    readable = readable_tables(tables, language, unlabelled)
    for name, table in tables.items():
        with atomic_file(folder / f"{name}.parquet") as path:
            table.to_parquet(path, index=False)
        with atomic_file(folder / f"{name}.csv") as path:
            path.write_bytes(csv_bytes(readable[name], language))
        written += [f"{name}.parquet", f"{name}.csv"]
    with atomic_file(folder / WORKBOOK) as path:
        path.write_bytes(workbook_bytes(readable, provenance, language, unlabelled))
    written.append(WORKBOOK)
    return written


def readable_tables(
    tables: dict[str, pd.DataFrame],
    language: str,
    unlabelled: list[str] | None = None,
    metrics: Collection[str] = (),
) -> dict[str, pd.DataFrame]:
    """The tables with readable headers (:func:`headers`) instead of raw column names.

    ``metrics``: columns that hold model metrics, in wide tables (one column per metric).

    Raises:
        UnlabelledColumnError: Under ``WIJKSIM_STRICT_LABELS=1``, for a column
            without a label.
    """
    return {
        name: table.set_axis(
            headers(name, table.columns, language, unlabelled, metrics), axis="columns"
        )
        for name, table in tables.items()
    }


def csv_bytes(readable: pd.DataFrame, language: str) -> bytes:
    """A table with readable headers as the CSV file's bytes, in the language's format."""
    return readable.to_csv(index=False, **CSV_FORMATS[language]).encode(CSV_ENCODING)


def workbook_bytes(
    readable: dict[str, pd.DataFrame],
    provenance: Provenance,
    language: str,
    unlabelled: Sequence[str] = (),
) -> bytes:
    """The workbook's bytes: the about sheet, then a sheet per table (readable headers).

    Args:
        readable: From :func:`readable_tables`.
        provenance: What produced the tables.
        language: ``en`` or ``nl``, for the about sheet.
        unlabelled: Columns without a label, named on the about sheet.
    """
    translate = translator(language)
    about = provenance.rows(translate)
    about.append((translate(N_("CSV files")), translate(CSV_NOTES[language])))
    for name, table in readable.items():
        title = translate(N_("Table {name}")).format(name=name)
        about.append((title, _size(table, translate, language)))
    if unlabelled:
        about.append((translate(N_("Columns without a label")), ", ".join(unlabelled)))
    buffer = io.BytesIO()
    _write_workbook(buffer, readable, about, translate(N_("about")))
    return buffer.getvalue()


CSV_NOTES = {
    "en": N_("UTF-8, comma-separated, decimal point"),
    "nl": N_("UTF-8, semicolon-separated, decimal comma"),
}
"""How the CSV files are written, on the about sheet."""


def headers(
    table: str,
    columns: Iterable[str],
    language: str,
    unlabelled: list[str] | None = None,
    metrics: Collection[str] = (),
) -> list[str]:
    """The readable, distinct headers of a table's columns.

    A column without a label keeps its raw name and is added to ``unlabelled``; under
    ``WIJKSIM_STRICT_LABELS=1`` it raises instead. ``metrics``: columns that hold model
    metrics (wide tables).

    Raises:
        UnlabelledColumnError: Strict, and a column has no label.
    """
    found = []
    for column in map(str, columns):
        text = header(column, language, metrics)
        if text is None:
            if os.environ.get(STRICT_LABELS) == "1":
                raise UnlabelledColumnError(
                    f"column '{column}' of table '{table}' has no label: add it to "
                    "COLUMNS in experiments/reports/table_labels.py, with its Dutch in "
                    "dashboard/locale/nl/LC_MESSAGES/wijksim_tables.po"
                )
            if unlabelled is not None:
                unlabelled.append(f"{table}.{column}")
            text = column
        found.append(text)
    # Two columns with the same label would be ambiguous: the raw name tells them apart.
    repeated = {text for text in found if found.count(text) > 1}
    return [
        f"{text} [{column}]" if text in repeated else text
        for text, column in zip(found, map(str, columns), strict=True)
    ]


def _cell_value(value: object) -> object:
    """A number as it is, anything else as text (an Excel cell holds no list or dict)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return str(value)


def _size(table: pd.DataFrame, translate, language: str) -> str:
    """``12,345 rows`` or, beyond Excel's limit, where to find the table instead."""
    rows = number(len(table), language)
    if fits_excel(table):
        return translate(N_("{rows} rows, sheet of the same name")).format(rows=rows)
    return translate(
        N_("{rows} rows: more than an Excel sheet holds, so only in the CSV and Parquet files")
    ).format(rows=rows)


def fits_excel(table: pd.DataFrame) -> bool:
    """Whether the table and its header fit on one Excel sheet."""
    return len(table) + 1 <= EXCEL_MAX_ROWS


def sheet_names(names: Sequence[str], taken: Iterable[str] = ()) -> list[str]:
    """Valid, distinct Excel sheet names: at most 31 characters, none of ``[]:*?/``, no backslash.

    Excel compares sheet names without regard to case.
    """
    used = {name.lower() for name in taken}
    result = []
    for name in names:
        base = SHEET_NAME_FORBIDDEN.sub("_", name)[:SHEET_NAME_LIMIT] or "table"
        candidate, number = base, 1
        while candidate.lower() in used:
            number += 1
            suffix = f"~{number}"
            candidate = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix
        used.add(candidate.lower())
        result.append(candidate)
    return result


def _write_workbook(
    path: Path | io.BytesIO,
    tables: dict[str, pd.DataFrame],
    about: list[tuple[str, object]],
    about_name: str,
) -> None:
    """The about sheet, then a sheet per table that fits, headers in bold."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    sheet = book.create_sheet(about_name)
    for label, value in about:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        sheet.append([cell, value])
    fitting = {name: table for name, table in tables.items() if fits_excel(table)}
    for title, table in zip(
        sheet_names(list(fitting), [about_name]), fitting.values(), strict=True
    ):
        sheet = book.create_sheet(title)
        top = []
        for text in table.columns:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            top.append(cell)
        sheet.append(top)
        for row in zip(*(_cells(table[c]) for c in table.columns), strict=True):
            sheet.append(row)
    book.save(path)


def _cells(column: pd.Series) -> list:
    """A column's values as Python objects openpyxl writes; missing values as empty cells."""
    if column.dtype == "float32":
        # Widened as they are, float32 values show noise digits (0.3 as 0.30000001192...):
        # their shortest text, as the CSV has it, read back as a double.
        column = column.astype(str).astype("float64")
    values = column.tolist()
    return [None if _missing(v) else v for v in values]


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
