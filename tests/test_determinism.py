"""The same inputs and options (with --date) give byte-identical documents."""

import datetime as dt
from pathlib import Path

from pipeline.runner import run

ROOT = Path(__file__).resolve().parents[1]


def test_two_runs_give_identical_bytes(tmp_path):  # separate output folders, same --date
    a = run(ROOT / "inputs", tmp_path / "a", 2015, dt.date(2015, 12, 20)).paths
    b = run(ROOT / "inputs", tmp_path / "b", 2015, dt.date(2015, 12, 20)).paths
    for pa, pb in zip(a, b):
        assert pa.name == pb.name
        assert pa.read_bytes() == pb.read_bytes(), pa.name
