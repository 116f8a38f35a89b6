"""Shared fixtures: the shipped catalog, small input folders built inside each test, and the whole
pipeline run on the shipped inputs once per test run (session scope; tests that change its outputs
work on a copy)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline import form_layout as L
from pipeline.forms import build_form, form_filename, save_workbook
from pipeline.catalog_load import load_catalog
from pipeline.runner import run

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/*.json from the current code")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture(scope="session")
def catalog():
    return load_catalog(INPUTS)


SHIPPED_DAY = dt.date(2015, 12, 20)


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="session")
def shipped_runs(tmp_path_factory) -> SimpleNamespace:
    """``xhht run --year 2015 --date 2015-12-20`` on the shipped inputs, then the same run forced:
    ``out`` holds v1 and v2, ``first``/``second`` are the RunResults, ``v1_before`` the bytes of v1
    before the second run. Made once per test run and READ ONLY: use ``shipped_copy`` to change it."""
    out = tmp_path_factory.mktemp("shipped") / "out"
    first = run(INPUTS, out, 2015, SHIPPED_DAY)
    v1_before = tree_bytes(out / "2015" / "v1")
    second = run(INPUTS, out, 2015, SHIPPED_DAY, force=True)  # the same inputs: a new version only when forced
    return SimpleNamespace(out=out, first=first, second=second, v1_before=v1_before)


@pytest.fixture
def shipped_copy(shipped_runs, tmp_path) -> Path:
    """A private copy of the outputs folder of ``shipped_runs`` (v1 and v2), free to change."""
    out = tmp_path / "out"
    shutil.copytree(shipped_runs.out, out)
    return out


@pytest.fixture
def inputs(tmp_path) -> Path:
    """An inputs folder with the shipped plan, units and office data but no submissions."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    for name in ("plan.yaml", "units.yaml", "office.yaml", "rules.yaml"):
        shutil.copy(INPUTS / name, folder / name)
    return folder


def fill_form(wb, values: dict, texts: dict | None = None, funding: dict | None = None,
              report_date: dt.date | None = dt.date(2015, 12, 10), activities: dict | None = None):
    """Type values into a form the way a clerk would. ``values``: code -> (num, den) or status text;
    ``texts``: task code (remark) or TON_TAI/DE_XUAT -> text; ``activities``: activity code -> count."""
    ws = wb[L.DATA_SHEET]
    ws[L.REPORT_DATE_CELL] = report_date
    for row in ws.iter_rows(min_row=L.DATA_HEADER_ROW + 1):
        code = row[L.col_index(L.CODE_COL)].value
        if code in values:
            v = values[code]
            r = row[0].row
            pairs = zip((L.DATA_COLS["num"], L.DATA_COLS["den"]), v if isinstance(v, tuple) else (v,))
            for col, value in pairs:
                cell = ws[f"{col}{r}"]
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # typed text stays text (a leading "=" is not a formula)
    for sheet, cols, header, data in ((L.TASK_SHEET, L.TASK_COLS, L.TASK_HEADER_ROW, texts or {}),
                                      (L.FUNDING_SHEET, L.FUNDING_COLS, L.FUNDING_HEADER_ROW, funding or {})):
        ws = wb[sheet]
        target = cols["text"] if "text" in cols else cols["amount"]
        for row in ws.iter_rows(min_row=header + 1):
            code = row[L.col_index(cols["code"])].value
            if code in data:
                ws[f"{target}{row[0].row}"] = data[code]
    ws = wb[L.TASK_SHEET]
    for row in ws.iter_rows(min_row=L.TASK_HEADER_ROW + 1):
        code = row[L.col_index(L.TASK_COLS["code"])].value
        if code in (activities or {}):
            cell = ws[f"{L.TASK_COLS['count']}{row[0].row}"]
            cell.value = activities[code]
            if isinstance(activities[code], str):
                cell.data_type = "s"
    return wb


def full_values(unit, base: int = 1000) -> dict:
    """A valid value for every indicator the unit reports."""
    cat = load_catalog(INPUTS)
    out = {}
    for code in unit.indicators:
        ind = cat.plan.indicator(code)
        out[code] = ind.status_success if ind.kind == "status" else (base - 10, base)
    return out


def full_activities(unit, base: int = 5) -> dict:
    """A valid count for every activity the unit reports."""
    return {code: base + i for i, code in enumerate(unit.activities)}


@pytest.fixture
def submit(inputs):
    """Write a filled form for a unit: submit(code, year, values=..., name=..., **fill kwargs) -> path."""
    cat = load_catalog(inputs)

    def _submit(code: str, year: int = 2015, values: dict | None = None, name: str | None = None,
                form_year: int | None = None, **kw) -> Path:
        unit = cat.unit(code)
        wb = build_form(cat, unit, form_year or year)
        kw.setdefault("activities", full_activities(unit))
        fill_form(wb, full_values(unit) if values is None else values, **kw)
        folder = inputs / "submissions" / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (name or form_filename(unit, year))
        save_workbook(wb, path)
        return path

    return _submit
