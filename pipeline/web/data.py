"""What the pages show, computed with the pipeline API (no HTML here, no CLI).

Every function takes the folders and returns plain values for the templates.
"""

from __future__ import annotations

import datetime as _dt
import pickle
import threading
from dataclasses import dataclass
from pathlib import Path

from .. import archive
from ..checkcache import CheckedCache
from ..errors import NothingToReport
from ..ingest import submissions_folder
from ..catalog import RATIO, Catalog
from ..catalog_load import load_catalog
from ..runner import FEEDBACK_DIR, build_model, read_checked, report_filenames, validate_year


def catalog(inputs: Path) -> Catalog:
    return load_catalog(Path(inputs))


def has_submissions(inputs: Path, year: int) -> bool:
    folder = submissions_folder(Path(inputs), year)
    return folder.is_dir() and any(p.is_file() and not p.name.startswith((".", "~$")) for p in folder.iterdir())


def plan_years(cat: Catalog) -> list[int]:
    lo, hi = cat.plan.period
    return list(range(lo, hi + 1))


def default_year(cat: Catalog, inputs: Path) -> int:
    """The newest plan year that has submissions, else the first year of the plan."""
    with_data = [y for y in plan_years(cat) if has_submissions(inputs, y)]
    return with_data[-1] if with_data else plan_years(cat)[0]


# The checked years this process has read, by their key (the year's files and receipt times, the catalog, the
# date, xhht's code: checkcache.year_key): a page asks for the same years again and again (the board, the
# year's figures, the series over the plan read each year and the one before it), and reads a year's files
# only when they changed. One request at a time uses it; the oldest are let go past _KEEP.
_CHECKED = CheckedCache([])
_CHECKED_LOCK = threading.Lock()
_KEEP = 64


def board(inputs: Path, outputs: Path, year: int, today: _dt.date | None = None):
    """The progress board of ``year``: what :func:`pipeline.status.status` (``xhht status``) gives, with the
    checked year taken from this process's cache when its files did not change."""
    from ..status import build_board

    inputs, outputs, today = Path(inputs), Path(outputs), today or _dt.date.today()
    cat = load_catalog(inputs)
    cat.check_year(year)
    with _CHECKED_LOCK:
        try:
            key, blob = read_checked(cat, inputs, year, outputs, today, _CHECKED)
            _CHECKED.put(key, blob)
        finally:
            _CHECKED.keep_read(_KEEP)
    data, checked = pickle.loads(blob)
    return build_board(cat, checked, data.submissions, year, today, data.notes)


@dataclass
class Headline:
    code: str
    name: str
    kind: str
    rate: float | None
    target: float | None
    target_kind: str
    status: str
    status_label: str
    margin: float | None
    change: float | None
    reporting: int
    units: int


def model_or_none(cat: Catalog, inputs: Path, year: int, outputs: Path | None = None):
    """The aggregated model of ``year``, or None when no usable submission exists yet."""
    with _CHECKED_LOCK:
        try:
            return build_model(cat, Path(inputs), year, outputs=Path(outputs) if outputs else None, cache=_CHECKED)
        except NothingToReport:
            return None
        finally:
            _CHECKED.keep_read(_KEEP)


def headlines(model) -> list[Headline]:
    if model is None:
        return []
    out = []
    for r in model.indicators:
        out.append(Headline(r.indicator.code, r.indicator.name, r.indicator.kind, r.rate,
                            r.target.value if r.target else None, r.target.kind if r.target else "",
                            r.status, r.status_label, r.margin, r.change, len(r.reporting), len(r.units)))
    return out


def series(cat: Catalog, inputs: Path, outputs: Path | None = None) -> dict[str, list[tuple[int, float]]]:
    """The district rate of every ratio indicator per year that has data: {code: [(year, rate), …]}."""
    out: dict[str, list[tuple[int, float]]] = {}
    for y in plan_years(cat):
        if not has_submissions(inputs, y):
            continue
        model = model_or_none(cat, inputs, y, outputs)
        if model is None:
            continue
        for r in model.indicators:
            if r.indicator.kind == RATIO and r.rate is not None:
                out.setdefault(r.indicator.code, []).append((y, r.rate))
    return out


def targets_by_year(cat: Catalog) -> dict[str, list[tuple[int, float]]]:
    out: dict[str, list[tuple[int, float]]] = {}
    for t in cat.plan.targets:
        if t.value is not None:
            out.setdefault(t.indicator, []).append((t.year, t.value))
    return out


@dataclass
class UnitValue:
    code: str
    name: str
    kind: str
    numerator: int | None
    denominator: int | None
    status: str | None
    rate: float | None
    valid: bool
    problems: list[str]
    cells: str
    numerator_label: str = ""
    denominator_label: str = ""


def unit_detail(cat: Catalog, inputs: Path, outputs: Path, year: int, code: str):
    """(status row, values, issues) of one unit in ``year``."""
    _data, checked = validate_year(cat, Path(inputs), year, Path(outputs))
    status = next((u for u in checked.completeness if u.unit == code), None)
    issues = [i for i in checked.issues if i.unit == code]
    values = []
    for ind in cat.plan.indicators:
        obs = checked.observations.get((code, ind.code))
        if obs is None:
            continue
        # the problems in words (the issue messages at this indicator), never the internal codes
        said = [i.message for i in issues if i.indicator == ind.code and i.severity.value != "info"]
        values.append(UnitValue(ind.code, ind.name, ind.kind, obs.numerator, obs.denominator, obs.status, obs.rate,
                                obs.valid, said, ", ".join(obs.cells.values()),
                                ind.numerator_label, ind.denominator_label))
    return status, values, issues


def unit_history(cat: Catalog, inputs: Path, outputs: Path, code: str) -> tuple[list[int], dict[str, dict[int, float | str]]]:
    """The unit's own value of each indicator in every year that has submissions."""
    years, table = [], {}
    for y in plan_years(cat):
        if not has_submissions(inputs, y):
            continue
        _data, checked = validate_year(cat, Path(inputs), y, Path(outputs))
        got = False
        for (unit, ind), obs in checked.observations.items():
            if unit != code or not obs.valid:
                continue
            value = obs.rate if obs.kind == RATIO else obs.status
            if value is not None:
                table.setdefault(ind, {})[y] = value
                got = True
        if got:
            years.append(y)
    return years, table


def feedback_files(outputs: Path, year: int, code: str) -> list[tuple[str, str]]:
    """(version name, file name) of the unit's feedback in the newest version (marked workbook, letter)."""
    v = archive.latest(Path(outputs), year)
    if v is None or not (v / FEEDBACK_DIR).is_dir():
        return []
    return [(v.name, p.name) for p in sorted((v / FEEDBACK_DIR).iterdir())
            if p.is_file() and f"_{year}_{code}_" in p.name]


def version_files(version: Path) -> list[str]:
    """Every file of a version that may be downloaded (relative names from its manifest)."""
    try:
        m = archive.read_manifest(version)
    except Exception:  # noqa: BLE001 - a broken manifest shows as no files
        return []
    return [e["file"] for e in m.get("outputs", []) + m.get("signed", [])]


def documents_of(version: Path, year: int) -> list[dict]:
    """The documents of a version, each with its DOCX/PDF/XLSX files, for the documents page."""
    names = report_filenames(year)
    files = set(version_files(version))
    labels = [("bc", f"Báo cáo kết quả năm {year}"),
              ("ttr", f"Tờ trình đề nghị ban hành kế hoạch năm {year + 1}"),   # when the runner makes one
              ("kh", f"Kế hoạch năm {year + 1}"), ("xlsx", "Bảng tổng hợp số liệu")]
    out = []
    for key, label in labels:
        name = names.get(key)
        if not name or name not in files:
            continue
        stem = name.rsplit(".", 1)[0]
        pdf = stem + ".pdf" if stem + ".pdf" in files else None
        out.append({"key": key, "label": label, "file": name, "pdf": pdf})
    return out
