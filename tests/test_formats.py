"""A form re-saved by LibreOffice as .xls or .ods gives exactly the figures of the original .xlsx (the copies
are vendored in tests/data/resaved)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.ingest import ingest
from pipeline.catalog_load import load_catalog
from pipeline.validate import validate

ROOT = Path(__file__).resolve().parents[1]
# A 2015 sample form (BieuMau_2015_10441_Dai-Nghia.xlsx as shipped when these were made) and the copies
# LibreOffice 7.4 re-saved from it as .xls (filter "MS Excel 97") and .ods, vendored: a conversion costs
# 2 s of CPU per format on every test run. To remake them after the form changes:
#   cd tests/data/resaved && for f in "xls:MS Excel 97" ods; do soffice --headless --convert-to "$f" *.xlsx; done
RESAVED = ROOT / "tests" / "data" / "resaved"
ORIGINAL = RESAVED / "BieuMau_2015_10441_Dai-Nghia.xlsx"


def _observations(inputs: Path, year: int = 2015):
    cat = load_catalog(inputs)
    data = ingest(cat, inputs, year)
    checked = validate(cat, data)
    return {k: (o.numerator, o.denominator, o.status, o.valid) for k, o in checked.observations.items()}, \
        sorted((t.task, t.text) for t in checked.texts), sorted((m.source, m.amount) for m in checked.money), data


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_resaved_copy_gives_the_same_figures(inputs, fmt):
    folder = inputs / "submissions" / "2015"
    folder.mkdir(parents=True)
    shutil.copy(ORIGINAL, folder / ORIGINAL.name)
    expected = _observations(inputs)
    assert len(expected[0]) >= 10 and expected[1] and expected[2]  # figures, texts and money to compare
    (folder / ORIGINAL.name).unlink()
    shutil.copy(RESAVED / f"{ORIGINAL.stem}.{fmt}", folder / f"ban-luu-lai.{fmt}")
    got = _observations(inputs)
    assert got[0] == expected[0] and got[1] == expected[1] and got[2] == expected[2]
    assert [(s.unit, s.state) for s in got[3].submissions] == [("10441", "used")]
