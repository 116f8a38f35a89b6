"""A form re-saved by LibreOffice as .xls or .ods gives exactly the figures of the original .xlsx."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.ingest import ingest
from pipeline.catalog_load import load_catalog
from pipeline.validate import validate

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
ROOT = Path(__file__).resolve().parents[1]
ORIGINAL = ROOT / "inputs" / "submissions" / "2015" / "BieuMau_2015_10441_Dai-Nghia.xlsx"


def _can_convert_spreadsheets() -> bool:
    if SOFFICE is None:
        return False
    return any(Path(p).exists() for p in ("/usr/lib/libreoffice/program/libsclo.so",
                                          "/usr/lib64/libreoffice/program/libsclo.so",
                                          "/opt/libreoffice/program/libsclo.so"))


if os.environ.get("CI") and not _can_convert_spreadsheets():
    pytest.fail("LibreOffice Calc is required in CI: .ci/run installs libreoffice-calc-nogui", pytrace=False)


def _observations(inputs: Path, year: int = 2015):
    cat = load_catalog(inputs)
    data = ingest(cat, inputs, year)
    checked = validate(cat, data)
    return {k: (o.numerator, o.denominator, o.status, o.valid) for k, o in checked.observations.items()}, \
        sorted((t.task, t.text) for t in checked.texts), sorted((m.source, m.amount) for m in checked.money), data


@pytest.mark.skipif(not _can_convert_spreadsheets(), reason="LibreOffice Calc not installed")
@pytest.mark.parametrize("fmt, filt", [("xls", "xls:MS Excel 97"), ("ods", "ods")])
def test_resaved_copy_gives_the_same_figures(inputs, tmp_path, fmt, filt):
    folder = inputs / "submissions" / "2015"
    folder.mkdir(parents=True)
    shutil.copy(ORIGINAL, folder / ORIGINAL.name)
    expected = _observations(inputs)
    profile = tmp_path / "lo"
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", filt,
                    "--outdir", str(tmp_path), str(ORIGINAL)], check=True, capture_output=True, timeout=240)
    converted = tmp_path / f"{ORIGINAL.stem}.{fmt}"
    (folder / ORIGINAL.name).unlink()
    shutil.copy(converted, folder / f"ban-luu-lai.{fmt}")
    got = _observations(inputs)
    assert got[0] == expected[0] and got[1] == expected[1] and got[2] == expected[2]
    assert [(s.unit, s.state) for s in got[3].submissions] == [("10441", "used")]
