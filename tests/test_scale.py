"""Districts of many units: the BC's biểu by kind of unit above office.yaml's ``unit_rows_max`` (each unit
then in the summary workbook, which the BC names), the workbook's unit x activity sheet, and the
formula scan of ingest."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from pipeline.ingest import _formula_cells_without_value
from pipeline.runner import run

ROOT = Path(__file__).resolve().parents[1]
DAY = dt.date(2015, 12, 20)


def _biểu(doc) -> dict[str, dict]:
    """Each numbered biểu of the BC: its paragraphs (label to the next label) and its tables' rows as text."""
    body = doc.element.body
    out: dict[str, dict] = {}
    current = None
    for el in body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(t.text or "" for t in el.iter() if t.tag.endswith("}t"))
            if re.fullmatch(r"Biểu \d\d", text.strip()):
                current = out.setdefault(text.strip(), {"paragraphs": [], "rows": []})
            elif current is not None and text.strip():
                current["paragraphs"].append(text.strip())
        elif tag == "tbl" and current is not None:
            for tr in el.iter():
                if tr.tag.endswith("}tr"):
                    cells = ["".join(t.text or "" for t in tc.iter() if t.tag.endswith("}t")).strip()
                             for tc in tr if tc.tag.endswith("}tc")]
                    current["rows"].append(cells)
    return out


@pytest.fixture(scope="module")
def by_kind(tmp_path_factory, shipped_runs):
    """The shipped district run with ``unit_rows_max: 30`` (37 units is above it)."""
    base = tmp_path_factory.mktemp("bykind")
    inputs = base / "inputs"
    shutil.copytree(ROOT / "inputs", inputs)
    office = inputs / "office.yaml"
    text = office.read_text(encoding="utf-8")
    assert "unit_rows_max: 200" in text
    office.write_text(text.replace("unit_rows_max: 200", "unit_rows_max: 30"), encoding="utf-8")
    result = run(inputs, base / "out", 2015, DAY, feedback=False, charts=False)
    bc = next(p for p in result.paths if p.name == "BC_XHHT_2015.docx")
    xlsx = next(p for p in result.paths if p.suffix == ".xlsx")
    doc = Document(bc)
    return _biểu(doc), openpyxl.load_workbook(xlsx, read_only=True), result.model, [p.text for p in doc.paragraphs]


@pytest.fixture(scope="module")
def per_unit(shipped_runs):
    bc = next(p for p in shipped_runs.first.paths if p.name == "BC_XHHT_2015.docx")
    return _biểu(Document(bc))


def test_below_the_threshold_every_unit_has_its_row(per_unit, shipped_runs):
    model = shipped_runs.first.model
    assert set(per_unit) == {"Biểu 01", "Biểu 02", "Biểu 03"}
    names = {r[1] for t in per_unit.values() for r in t["rows"]}
    assert "Xã Đốc Tín" in names and "Thị trấn Đại Nghĩa" in names
    communes = [u for u in model.expected if model.catalog.is_commune(u) and u.indicators]
    first_table = per_unit["Biểu 01"]["rows"]
    assert [r[1] for r in first_table[1:len(communes) + 1]] == [u.name for u in communes]
    assert not any("tổng hợp theo loại đơn vị" in p for t in per_unit.values() for p in t["paragraphs"])


def test_above_the_threshold_biểu_by_kind_and_the_workbook_named(by_kind, per_unit):
    tables, wb, model, _text = by_kind
    assert set(tables) == {"Biểu 01", "Biểu 02", "Biểu 03"}
    names = {r[1] for t in tables.values() for r in t["rows"]}
    assert not {u.name for u in model.expected} & names  # no unit has a row of its own
    assert "Xã (21 đơn vị)" in names and "Thị trấn (1 đơn vị)" in names
    sheets = {
        "Biểu 01": "“Theo đơn vị (a)”, “Theo đơn vị (b)”, “Theo đơn vị (c)”, “Theo đơn vị (d)” và “Theo đơn vị (đ)”",
        "Biểu 02": "“Nhiệm vụ theo đơn vị”", "Biểu 03": "“Kinh phí”"}
    for label, where in sheets.items():
        assert (f"Huyện có 37 đơn vị phải báo cáo nên {label} tổng hợp theo loại đơn vị; số liệu của từng đơn vị "
                f"tại trang {where} của bảng tổng hợp TongHop_XHHT_2015.xlsx gửi kèm báo cáo này.") \
            in tables[label]["paragraphs"]
        for sheet in re.findall(r"“([^”]+)”", where):
            assert sheet in wb.sheetnames
    # the totals are the district's, as in the per-unit biểu
    for label in tables:
        mine = [r for r in tables[label]["rows"] if r[1] in ("Cộng", "Toàn huyện")]
        theirs = [r for r in per_unit[label]["rows"] if r[1] in ("Cộng", "Toàn huyện")]
        assert mine == theirs and mine


def test_kind_rows_add_up_to_the_district(by_kind, per_unit):
    tables, _wb, _model, _text = by_kind
    number = lambda s: int(s.replace(".", "")) if s else 0  # noqa: E731
    for label in ("Biểu 02", "Biểu 03"):
        block: list[list[str]] = []
        for row in tables[label]["rows"][1:] + [["STT"]]:
            if row[0] == "STT":  # a new table (one per task group in Biểu 02)
                if block:
                    total = block[-1]
                    assert total[1] == "Toàn huyện"
                    for col in range(2, len(total)):
                        assert sum(number(r[col]) for r in block[:-1]) == number(total[col])
                block = []
            else:
                block.append(row)
    # a kind none of whose units reported an activity has an empty cell, as its units have in the per-unit biểu
    kinds = [r for r in tables["Biểu 02"]["rows"] if r[1].startswith(("Hội (", "Phòng chuyên môn ("))]
    assert kinds and any(c == "" for r in kinds for c in r[2:]) and not any(c == "0" for r in kinds for c in r[2:])
    # Biểu 01: a kind that is the whole group (the district bodies of one kind) has the group's rate
    communes = [r for r in tables["Biểu 01"]["rows"] if r[1].startswith(("Xã (", "Thị trấn ("))]
    assert len(communes) == 2 and all(len(r) == len(tables["Biểu 01"]["rows"][0]) for r in communes)


def test_workbook_has_each_units_activities(shipped_runs):
    model = shipped_runs.first.model
    xlsx = next(p for p in shipped_runs.first.paths if p.suffix == ".xlsx")
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["Nhiệm vụ theo đơn vị"]
    assert ws["A1"].value == "KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ THEO ĐƠN VỊ NĂM 2015"
    head = [c.value for c in ws[3]]
    acts = [a for t in model.catalog.plan.tasks for a in model.activities_of(t.code) if a.reporters]
    assert head[:2] == ["STT", "Đơn vị"] and len(head) == 2 + len(acts)
    assert head[2] == f"1. {acts[0].label} ({acts[0].measure})"
    rows = {r[1].value: [c.value for c in r[2:]] for r in ws.iter_rows(min_row=4)}
    assert rows["Toàn huyện"] == [a.total for a in acts]
    unit, value = acts[0].values[0]
    assert rows[unit.name][0] == value
    assert ws.print_title_rows == "$3:$3" and ws.page_setup.orientation == "landscape"
    assert ws.freeze_panes == "A4" and ws.row_dimensions[3].height == pytest.approx(110, abs=0.5)


@pytest.mark.parametrize("xml, cells", [
    ('<c r="A1"><f>1+1</f></c>', {"A1"}),
    ('<c r="A1" s="2"><f t="shared" si="0"/></c><c r="A2"><f t="shared" si="0"/><v>3</v></c>', {"A1"}),
    ('<c r="B2" t="str"><f>"x"</f><v></v></c><c r="B3"><f>1</f>\n <v>5</v></c>', {"B2"}),
    ('<c r="C1"><v>2</v></c><dataValidation><formula1>0</formula1></dataValidation>', set()),
])
def test_formula_cells_without_a_saved_value(xml, cells):
    assert _formula_cells_without_value(f"<sheetData><row>{xml}</row></sheetData>") == cells


def _cells(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = {
            "cells": [[(c.value, c.number_format, c.font.b, c.fill.fgColor.rgb, c.border.left.style,
                        c.alignment.wrap_text, c.alignment.vertical) for c in row] for row in ws.iter_rows()],
            "heights": {r: d.height for r, d in ws.row_dimensions.items() if d.height},
            "filter": ws.auto_filter.ref, "freeze": ws.freeze_panes, "titles": ws.print_title_rows}
    return out


def test_fast_rows_write_what_xlsxwriter_writes(shipped_runs, tmp_path, monkeypatch):
    """The summary workbook's data rows written as XML directly read back the same as XlsxWriter's own
    writing: values, number formats, fonts, borders, wrapping, row heights, filters (every sheet)."""
    from pipeline import render_xlsx

    model = shipped_runs.first.model
    fast = render_xlsx.render_workbook(model, tmp_path / "fast.xlsx", DAY)
    monkeypatch.setattr(render_xlsx, "FAST_ROWS", False)
    slow = render_xlsx.render_workbook(model, tmp_path / "slow.xlsx", DAY)
    a, b = _cells(fast), _cells(slow)
    assert list(a) == list(b) and a == b
    assert any(h > 20 for s in a.values() for h in s["heights"].values())  # wrapped rows were heightened


def test_model_json_is_written_one_indicator_at_a_time_with_the_same_bytes(shipped_runs, tmp_path):
    import json

    from pipeline.aggregate import model_dict, write_model_json

    model = shipped_runs.first.model
    write_model_json(model, tmp_path / "model.json")
    whole = json.dumps(model_dict(model), ensure_ascii=False, indent=1, sort_keys=True)
    assert (tmp_path / "model.json").read_text(encoding="utf-8") == whole
    assert len(json.loads(whole)["indicators"]) == len(model.indicators) > 10
    version = shipped_runs.out / "2015" / "v1"
    assert (version / "model.json").read_text(encoding="utf-8") == whole


def test_indented_json_is_json_dumps_indent_1_on_awkward_values():
    import json
    import random

    from pipeline.aggregate import indented_json

    rng = random.Random(7)
    texts = ["", "a", "},\n   {", '{"', "}", "\n", "Xã \"Mỹ\" Đức", "\\u0000", " x ", "[1, 2]", ",\n  "]

    def scalar():
        return rng.choice([None, True, False, 0, -3, 1.5, 94.96, 1e-7, rng.choice(texts)])

    def value(depth):
        kind = rng.randrange(6 if depth < 4 else 1)
        if kind == 0:
            return scalar()
        if kind == 1:  # a list of flat dicts, the shape of an indicator's units
            return [{rng.choice(texts) + str(i): scalar() for i in range(rng.randrange(1, 4))} for _ in range(rng.randrange(4))]
        if kind == 2:
            return [scalar() for _ in range(rng.randrange(4))]
        if kind == 3:
            return {rng.choice(texts) + str(i): scalar() for i in range(rng.randrange(4))}
        if kind == 4:
            return {rng.choice(texts) + str(i): value(depth + 1) for i in range(rng.randrange(4))}
        return [value(depth + 1) for _ in range(rng.randrange(4))]

    for _ in range(400):
        v = value(0)
        for depth in (0, 2):
            expected = json.dumps(v, ensure_ascii=False, indent=1, sort_keys=True).replace("\n", "\n" + " " * depth)
            assert indented_json(v, depth) == expected
    assert indented_json({1: "a", 2: [1]}, 1) == json.dumps({1: "a", 2: [1]}, indent=1, sort_keys=True).replace("\n", "\n ")


def test_workbook_members_stamped_with_the_issue_date(shipped_runs):
    import zipfile

    xlsx = next(p for p in shipped_runs.first.paths if p.suffix == ".xlsx")
    with zipfile.ZipFile(xlsx) as z:
        assert z.testzip() is None
        assert {i.date_time for i in z.infolist()} == {(2015, 12, 20, 8, 0, 0)}
        assert {i.external_attr for i in z.infolist()} == {0o600 << 16}
        core = z.read("docProps/core.xml").decode()
    assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2015-12-20T08:00:00Z</dcterms:created>" in core
    assert "<dcterms:modified xsi:type=\"dcterms:W3CDTF\">2015-12-20T08:00:00Z</dcterms:modified>" in core


def test_section_three_refers_to_the_biểu_by_kind_and_the_workbook(by_kind, shipped_runs):
    *_rest, text = by_kind
    assert ("Kết quả thực hiện các nhóm nhiệm vụ, giải pháp năm 2015 theo báo cáo của các đơn vị như sau (số liệu "
            "theo loại đơn vị tại Biểu 02 kèm theo; số liệu của từng đơn vị trong bảng tổng hợp gửi kèm):") in text
    per_unit = [p.text for p in Document(next(p for p in shipped_runs.first.paths
                                             if p.name == "BC_XHHT_2015.docx")).paragraphs]
    assert ("Kết quả thực hiện các nhóm nhiệm vụ, giải pháp năm 2015 theo báo cáo của các đơn vị như sau (số liệu chi "
            "tiết của từng đơn vị tại Biểu 02 kèm theo):") in per_unit


def test_ranking_the_units_of_an_activity_asks_their_kind_once_not_once_per_unit(catalog, monkeypatch):
    """BC section III names the highest and lowest units of each task group's main count. The ranking asked
    ``ActivityResult.ranks_communes`` (a count over every unit) once per unit: 2,5 s of a 1.100-unit run,
    quadratic in the units. It is asked once now; the units named are the same."""
    from pipeline.aggregate import ActivityResult
    from pipeline.wording import ranked_units

    units = [u for u in catalog.units if catalog.unit(u.code)][:30]
    communes = frozenset(u.code for u in units if catalog.is_commune(u))
    values = [(u, (i * 7) % 11) for i, u in enumerate(units)]
    a = ActivityResult("X", "NV1", "x", "lượt", sum(v for _, v in values), None, len(values), len(values), values,
                       communes)
    expected = ranked_units(a)
    calls = []
    real = ActivityResult.ranks_communes.fget
    monkeypatch.setattr(ActivityResult, "ranks_communes", property(lambda self: calls.append(1) or real(self)))
    assert ranked_units(a) == expected and expected[0] and expected[1]
    assert len(calls) <= 2, len(calls)
