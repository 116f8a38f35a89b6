"""The documents' content (issue 9): lộ trình in the model, house style of every generated text,
wording as data (phrasebook), `plan check` naming undefined variables, `xhht check` on every document."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from conftest import _W, paragraph_text
from pipeline.cli import cli
from pipeline.runner import run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def shipped(yearly_runs):
    """Runs 2014–2016 on a copy of the shipped inputs (made once per test run; READ ONLY)."""
    return yearly_runs.inputs, yearly_runs.out, yearly_runs.results


def _text(path: Path) -> list[str]:
    """Every paragraph of the document, in the body and inside tables."""
    doc = Document(str(path))
    out = [paragraph_text(p._p) for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            for c in row.cells:
                out += [paragraph_text(p) for p in c._tc.iterchildren(_W + "p")]
    return [t for t in out if t.strip()]


def _documents(out: Path) -> list[Path]:
    return sorted(out.glob("*/v1/*.docx")) + sorted(out.glob("*/v1/phan-hoi/*.docx"))


STYLE_RULES = [
    (re.compile(r"\b(hoá|hoà|Hoá|khoẻ|thuỷ|Uỷ|uỷ|tuỳ|kĩ|Kĩ|lí do|quản lí)\b"), "orthography (hóa, Ủy, kỹ)"),
    (re.compile(r"(?<=[a-zà-ỹ,;:] )(Xã|Thị trấn) [A-ZĐ]"), "Xã/Thị trấn capitalised mid-sentence"),
    (re.compile(r"(?<![\d.,/])\d{4,}(?![\d.,])(?! ?[-–/])"), "count ≥ 1.000 without a dot"),
    (re.compile(r"(?<![\d,])\d+%|\d,\d{2,}%"), "percentage without one decimal"),
    (re.compile(r"điểm %"), "“điểm phần trăm” not spelled out"),
    (re.compile(r"[\"'→]|->"), "straight quote or arrow"),
    (re.compile(r"(?:19|20)\d\d ?- ?(?:19|20)\d\d|\d{2}-\d{2} tuổi|—"), "dash style (en dash for ranges)"),
    (re.compile(r"Bản báo cáo bổ sung|trang '|ô [A-Z]{1,2}\d"), "software leak (resubmission note, sheet or cell)"),
]
_YEARS = re.compile(r"\b(?:19|20)\d\d\b")
_ALLOWED = ("Độc lập - Tự do - Hạnh phúc",)


def _deviations(lines: list[str]) -> list[str]:
    found = []
    for line in lines:
        if line in _ALLOWED:
            continue
        scan = _YEARS.sub("YEAR", line)
        for pat, rule in STYLE_RULES:
            target = scan if "count" in rule else line
            m = pat.search(target)
            if m:
                found.append(f"{rule}: …{target[max(0, m.start() - 30):m.end() + 30]}…")
    return found


def test_style_scan_over_every_generated_document(shipped):
    _inputs, out, _ = shipped
    docs = _documents(out)
    kinds = {p.name.split("_")[0] for p in docs}
    assert {"BC", "KH", "TTr", "CV"} <= kinds
    problems = {p.name: _deviations(_text(p)) for p in docs}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)[:3000]


def test_style_scan_can_fail():
    bad = ["Năm 2015 văn hoá đạt 96% với 2181 lượt, tăng 4 điểm % → “x”", "trao cho Xã Hùng Tiến"]
    assert _deviations(["đạt 99,95% (66.847/66.878 người)"])  # two decimals: one decimal everywhere
    assert not _deviations(["đạt 99,9% (66.847/66.878 người); 100,0%; 0,5%"])
    rules = {d.split(":")[0] for d in _deviations(bad)}
    assert {"orthography (hóa, Ủy, kỹ)", "count ≥ 1.000 without a dot", "percentage without one decimal",
            "“điểm phần trăm” not spelled out", "straight quote or arrow",
            "Xã/Thị trấn capitalised mid-sentence"} <= rules


def test_model_json_2016_judges_against_the_lo_trinh_not_the_2020_values(shipped):
    _inputs, out, _ = shipped
    model = json.loads((out / "2016" / "v1" / "model.json").read_text(encoding="utf-8"))
    assert model["year"] == 2016 and model["is_milestone_year"] is False
    for ind in model["indicators"]:
        t = ind["target"]
        if t and t["year"] == 2020:
            assert ind["status"] != "chua_dat", ind["code"]
            if t["kind"] != "increase":
                assert ind["judged_against"] in ("path", "baseline"), ind["code"]
    cntt = next(i for i in model["indicators"] if i["code"] == "CBCCVC_CNTT")
    # lộ trình from the 2015 figure to 100% in 2020: one fifth of the way in 2016
    base = cntt["baseline_rate"]
    assert cntt["path_value"] == pytest.approx(base + (100 - base) / 5, abs=1e-3)
    bc = "\n".join(_text(out / "2016" / "v1" / "BC_XHHT_2016.docx"))
    assert "chưa đạt chỉ tiêu năm 2020" not in bc and "lộ trình năm 2016" in bc
    assert "chặng đường đến mục tiêu năm 2020" in bc


def test_status_indicators_counted_over_all_communes(shipped):
    _inputs, out, _ = shipped
    bc = "\n".join(_text(out / "2016" / "v1" / "BC_XHHT_2016.docx"))
    assert re.search(r"\d\d/22 xã, thị trấn đạt chuẩn chống mù chữ[^;.]*; 01 xã chưa báo cáo", bc)
    assert "phổ cập bậc trung học mới đạt" not in bc  # a status indicator is counted, not a gap in points


def test_every_generated_document_passes_xhht_check(shipped):
    _inputs, out, _ = shipped
    docs = [str(p) for p in _documents(out)]
    r = CliRunner().invoke(cli, ["check", *docs])
    assert r.exit_code == 0, r.output[-2000:]


def test_kh_is_a_draft_for_ubnd_and_ttr_asks_to_issue_it(shipped):
    _inputs, out, _ = shipped
    kh = _text(out / "2016" / "v1" / "KH_XHHT_2017.docx")
    assert "ỦY BAN NHÂN DÂN\nHUYỆN MỸ ĐỨC" in kh and "UBND HUYỆN MỸ ĐỨC" not in kh
    assert any(t.startswith("Số:") and t.endswith("/KH-UBND") for t in kh)
    assert "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH" in kh and "PHÓ CHỦ TỊCH" in kh
    assert any("Phụ lục kèm theo Kế hoạch này" in t for t in kh)
    assert any("Thường trực Huyện ủy" in t for t in kh)
    ttr = _text(out / "2016" / "v1" / "TTr_XHHT_2017.docx")
    assert "TỜ TRÌNH" in ttr and any(t.endswith("/TTr-PGDĐT") for t in ttr)
    assert any("kính trình Ủy ban nhân dân huyện xem xét, ban hành Kế hoạch" in t for t in ttr)


def test_bc_opens_with_cong_tac_chi_dao_and_has_lessons(shipped):
    _inputs, out, _ = shipped
    bc = _text(out / "2016" / "v1" / "BC_XHHT_2016.docx")
    i = bc.index("I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH")
    assert "ban hành 03 văn bản" in bc[i + 1]
    assert "4. Bài học kinh nghiệm" in bc
    assert not any(t.startswith("- Phòng Giáo dục và Đào tạo") and "đề nghị" in t for t in bc)


def test_letters_to_units_plain_and_addressed_properly(shipped):
    _inputs, out, _ = shipped
    letters = sorted((out / "2015" / "v1" / "phan-hoi").glob("CV_*.docx"))
    texts = {p.name: "\n".join(_text(p)) for p in letters}
    commune = next(t for n, t in texts.items() if "_104" in n)
    assert "Kính gửi: Ủy ban nhân dân xã " in commune or "Kính gửi: Ủy ban nhân dân thị trấn " in commune
    for t in texts.values():
        assert "trang '" not in t and "ô E" not in t and "Hãy" not in t
        assert "cập nhật ngày báo cáo" in t or "chưa nhận được báo cáo" in t


def test_phrasebook_sentence_change_appears_in_next_bc_without_code_change(shipped, tmp_path):
    inputs, _out, _ = shipped
    own = tmp_path / "inputs"
    shutil.copytree(inputs, own)
    pb = own / "phrasebook.yaml"
    text = pb.read_text(encoding="utf-8")
    pb.write_text(text.replace("Bám sát lộ trình của từng chỉ tiêu", "Bám sát từng chỉ tiêu theo lộ trình đã định"),
                  encoding="utf-8")
    r = run(own, tmp_path / "out", 2015, dt.date(2015, 12, 22), feedback=False, charts=False)
    bc = "\n".join(_text(r.version / "BC_XHHT_2015.docx"))
    assert "Bám sát từng chỉ tiêu theo lộ trình đã định" in bc


def test_plan_check_names_an_undefined_template_variable(tmp_path):
    own = tmp_path / "inputs"
    shutil.copytree(ROOT / "inputs", own, ignore=shutil.ignore_patterns("submissions"))
    pb = own / "phrasebook.yaml"
    pb.write_text(pb.read_text(encoding="utf-8").replace("{{ office }} báo cáo kết quả", "{{ ofice }} báo cáo kết quả"),
                  encoding="utf-8")
    r = CliRunner().invoke(cli, ["plan", "check", "--inputs", str(own)])
    assert r.exit_code == 1
    assert "bc.intro" in r.output and "ofice" in r.output


def test_bc_2016_section_iii_components_and_status_counts(shipped):
    """Section III states district totals with the change from last year (not each unit's text), shared remarks
    with their count, the detail in Biểu 02 (one table per task group); each component plan has a status line
    drawn from the indicators / activity counts plan.yaml links to it; status indicators are counted."""
    _inputs, out, results = shipped
    model = json.loads((out / "2016" / "v1" / "model.json").read_text(encoding="utf-8"))
    acts = {a["code"]: a for a in model["activities"]}
    tuan_le = acts["NV1_TUAN_LE"]
    text = _text(out / "2016" / "v1" / "BC_XHHT_2016.docx")
    change = tuan_le["total"] - tuan_le["previous_total"]
    word = "tăng" if change > 0 else "giảm"
    line = (f"- Lượt người tham gia Tuần lễ hưởng ứng học tập suốt đời: {tuan_le['total']:,} lượt người "
            f"({word} {abs(change):,} so với năm 2015);").replace(",", ".")
    assert line in text
    assert any(re.search(r": [^:]+ \(\d\d đơn vị\)[;.]", t) for t in text)  # a shared remark with its count
    assert sum("tại Biểu 02 kèm theo" in t for t in text) == 1  # one reference for the whole section
    i = text.index("Biểu 02")
    assert text[i + 1] == "KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ THEO ĐƠN VỊ NĂM 2016"
    assert len({t for t in text[i:] if re.match(r"[1-8]\. [A-ZĐ]", t)}) == 8  # one table per task group
    comps = [t for t in text if t.startswith("- Kế hoạch ") and "(chủ trì: " in t]
    assert len(comps) == 7
    assert not any(t.endswith("đang triển khai theo kế hoạch.") for t in comps)
    assert any("chỉ tiêu liên quan" in t for t in comps) and any("năm 2016: " in t for t in comps)
    # a status indicator: counted over all 22 communes with the one that did not report, never a gap in points
    assert not any("xã, thị trấn đạt chuẩn chống mù chữ" in t and "điểm phần trăm" in t for t in text)
    assert any(re.fullmatch(r"\d\d/22 đạt(; 01 chưa báo cáo)?", t) for t in text)  # the table's result cell


def test_implausible_activity_count_warned_at_its_cell_qualified_in_bc_and_letter(shipped):
    """A count far above the units of its kind (rules.yaml activity_median) is a warning at its cell; the BC
    qualifies it and the letter asks the unit to confirm it (not to correct it)."""
    import dataclasses
    import datetime as dt

    from pipeline import feedback, wording
    from pipeline.aggregate import aggregate
    from pipeline.ingest import ingest
    from pipeline.plan import load_catalog
    from pipeline.validate import validate

    inputs, _out, _ = shipped
    catalog = load_catalog(inputs)
    data = ingest(catalog, inputs, 2016)
    i, target = next((k, a) for k, a in enumerate(data.activities)
                     if a.unit == "HCGC" and a.activity == "NV1_TUYEN_TRUYEN")
    data.activities[i] = dataclasses.replace(target, raw=1962)
    checked = validate(catalog, data)
    flagged = [x for x in checked.issues if x.code == "activity-implausible"]
    assert [(x.unit, x.cell) for x in flagged] == [("HCGC", target.cell)]
    assert flagged[0].severity.name == "WARNING" and "1.962" in flagged[0].message
    assert checked.activities["HCGC"][target.activity] == 1962      # kept in the total, but qualified
    model = aggregate(catalog, checked, data.submissions)
    pb = wording.phrasebook(inputs)
    lines = " ".join(str(x) for x in wording.task_lines(pb, model, "NV1", "02"))
    assert "Hội Cựu giáo chức huyện (1.962" in lines and "kiểm tra, xác nhận" in lines
    fb = next(f for f in feedback.collect(model) if f.unit == "HCGC")
    ctx = feedback.letter_context(model, fb, dt.date(2016, 12, 22), "")
    body = " ".join(str(x) for x in ctx["body"])
    assert ctx["recipient"] == "Hội Cựu giáo chức huyện"
    assert "1.962" in body and "xác nhận" in body and "a)" not in body and "'" not in body
    assert "điều chỉnh các số liệu" not in body   # a warning only: confirm, not correct


def test_milestone_status_counts_never_claim_the_target_for_units_that_did_not_report(tmp_path):
    # 2020 is the milestone: one commune did not report, so "giữ vững chỉ tiêu" would claim 22/22
    res = run(ROOT / "inputs", tmp_path / "out", 2020, dt.date(2020, 12, 20), feedback=False, charts=False)
    text = [p.text for p in Document(str(res.paths[0])).paragraphs]
    line = next(t for t in text if t.startswith("21/22 xã, thị trấn đạt chuẩn chống mù chữ"))
    assert line == ("21/22 xã, thị trấn đạt chuẩn chống mù chữ, phổ cập giáo dục mầm non cho trẻ 5 tuổi, tiểu học "
                    "đúng độ tuổi, trung học cơ sở và đạt tiêu chuẩn phổ cập bậc trung học; 01 xã chưa báo cáo; "
                    "các xã, thị trấn đã báo cáo đều đạt chuẩn theo chỉ tiêu năm 2020 (100,0%).")
    assert not any(t.startswith("21/22") and "giữ vững" in t for t in text)
