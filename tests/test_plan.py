"""The plan, units and office data: loaded, cross-checked, and faithful to the plan's own text."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.errors import CatalogError, UsageError
from pipeline.catalog_load import load_catalog

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds" / "000_07ebc35313857b24.txt"  # the plan as published (a web page)
VENDORED = ROOT / "tests" / "data" / "kh233_full.txt"  # the plan's own text from that page: title to annex
# SHA-256 of the whitespace-normalised vendored text, recorded when it was checked equal to the seed
VENDORED_SHA256 = "af20a31de6d1dff386c380254e8757986fbdf440b71cf4ca5aaf6fb2201aeb93"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def _full_text() -> str:
    """The whole plan, "KẾ HOẠCH" to the annex of component plans (vendored; the same as the seed's)."""
    return VENDORED.read_text(encoding="utf-8")


def _plan_text() -> str:
    """The plan from "KẾ HOẠCH" up to Section II."""
    text = _full_text()
    return text[:text.index("II. NHIỆM VỤ VÀ GIẢI PHÁP")]


def _section1_percentages() -> list[tuple[int, float, str]]:
    """Every "N%" of Section I with its milestone year (2015 for part 1, 2020 for part 2)."""
    text = _plan_text()
    part1 = text[text.index("1. Mục tiêu đến năm 2015"):text.index("2. Mục tiêu giai đoạn 2015")]
    part2 = text[text.index("2. Mục tiêu giai đoạn 2015"):]
    found = []
    for year, part in ((2015, part1), (2020, part2)):
        for line in part.splitlines():
            for m in re.finditer(r"(\d+(?:,\d+)?)%", line):
                found.append((year, float(m.group(1).replace(",", ".")), _norm(line)))
    return found


def test_vendored_text_is_the_plan(catalog):
    """Runs everywhere on the vendored copy; where the seed is beside the checkout, also against it."""
    vendored = _norm(_full_text())
    assert hashlib.sha256(vendored.encode("utf-8")).hexdigest() == VENDORED_SHA256  # not edited since checked
    assert vendored.startswith(f"KẾ HOẠCH {_norm(catalog.plan.title)}")
    for heading in ("I. MỤC TIÊU", "1. Mục tiêu đến năm 2015", "2. Mục tiêu giai đoạn 2015", "II. NHIỆM VỤ VÀ GIẢI PHÁP",
                    "DANH MỤC CÁC KẾ HOẠCH THÀNH PHẦN"):
        assert heading in vendored
    if SEED.is_file():
        seed = SEED.read_text(encoding="utf-8")
        assert _norm(seed[seed.index("KẾ HOẠCH\n"):seed.index("Tác giả bài viết")]) == vendored


def test_every_percentage_target_of_section_one_is_in_the_plan_data(catalog):
    targets = catalog.plan.targets
    pct = _section1_percentages()
    assert len(pct) == 32  # 16 percentages in part 1 (to 2015), 16 in part 2 (2015-2020)
    for year, value, line in pct:
        matches = [t for t in targets if t.year == year and t.value == value and _norm(t.quote) in line]
        assert matches, f"no target {value}% for {year} quoting: {line}"


def test_each_target_quote_is_the_plans_own_words_with_its_value(catalog):
    text = _norm(_plan_text())
    for t in catalog.plan.targets:
        assert _norm(t.quote) in text, t
        if t.value is not None and t.kind != "maintain" and "Duy trì giữ vững và từng bước" not in t.quote:
            assert f"{t.value:g}%" in t.quote, t


def test_targets_in_force_by_year(catalog):
    plan = catalog.plan
    assert plan.target_for("CBCCVC_CNTT", 2014).value == 95
    assert plan.target_for("CBCCVC_CNTT", 2015).value == 95
    assert plan.target_for("CBCCVC_CNTT", 2016).value == 100
    assert plan.target_for("TTHTCD_CL_TOT", 2020).value == 70
    assert plan.target_for("TTHTCD_THUONG_XUYEN", 2018) is None  # the 2020 targets do not repeat it
    assert plan.target_for("CNLD_TH_NN", 2015).kind == "increase"
    assert plan.target_for("PC_BAC_TH", 2015).kind == "reach"


def test_plan_sections_two_to_four_and_annex(catalog):
    plan = catalog.plan
    assert [t.number for t in plan.tasks] == list(range(1, 9))
    assert [p.label for p in plan.task("NV3").parts] == ["a", "b", "c", "d"]
    assert len(plan.funding) == 2
    titles = [b.title for b in plan.bodies]
    assert titles[0] == "Phòng Giáo dục và Đào tạo" and len(plan.bodies) == 7
    assert [m.number for m in plan.bodies[6].members] == ["a", "b", "c", "d", "đ", "e", "g"]
    assert len(plan.component_plans) == 7
    assert plan.component_plans[6].lead == "Hội Khuyến học huyện"


def test_units_communes_and_validity(catalog):
    communes = [u for u in catalog.expected_units(2015) if catalog.is_commune(u)]
    assert len(communes) == 22
    assert {u.code for u in communes} >= {"10441", "10504", "10459"}
    assert catalog.unit("10441").name == "Thị trấn Đại Nghĩa"
    assert len(catalog.expected_units(2015)) == 37
    # Mỹ Thành and Bột Xuyên merged into Mỹ Xuyên from 2025: the old units end, the successor starts.
    myt = catalog.unit("10456")
    assert myt.successors == ("MYXUYEN",) and not myt.active_on(__import__("datetime").date(2025, 2, 1))
    assert catalog.unit("MYXUYEN").active_on(__import__("datetime").date(2025, 2, 1))
    assert "HS_KNS" in catalog.unit("PGDDT").indicators
    assert catalog.office.abbreviation == "PGDĐT"


def test_year_outside_plan_is_a_usage_error(catalog):
    with pytest.raises(UsageError, match="Năm 2030 nằm ngoài giai đoạn của kế hoạch 233/KH-UBND"):
        catalog.check_year(2030)


def _broken(inputs: Path, file: str, old: str, new: str) -> list[str]:
    path = inputs / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(inputs)
    return err.value.problems


def test_duplicate_indicator_code_is_refused(inputs):
    problems = _broken(inputs, "plan.yaml", "- code: PCGD_MN5", "- code: XMC")
    assert "plan.yaml, mục indicators[1] (XMC): mã chỉ tiêu 'XMC' bị trùng." in problems


def test_target_out_of_range_is_refused(inputs):
    problems = _broken(inputs, "plan.yaml", "kind: at_least\n    value: 95", "kind: at_least\n    value: 195")
    assert any(p.startswith("plan.yaml, mục targets[7] (CBCCVC_CNTT, 2015): giá trị chỉ tiêu 195 nằm ngoài") for p in problems)


def test_unknown_unit_in_organisation_is_refused(inputs):
    problems = _broken(inputs, "plan.yaml", "      - PLDTBXH\n", "      - PHONGXYZ\n")
    assert ("plan.yaml, mục organisation (2. Phòng Lao động - Thương binh và Xã hội): đơn vị 'PHONGXYZ' "
            "không có trong units.yaml.") in problems


def test_indicator_nobody_reports_is_refused(inputs):
    path = inputs / "units.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("  extra_indicators: [HS_KNS]\n") == 2  # Phòng GD&ĐT and the TT GDTX
    path.write_text(text.replace("  extra_indicators: [HS_KNS]\n", ""), encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(inputs)
    assert ("plan.yaml, mục indicators (HS_KNS): không có đơn vị nào báo cáo chỉ tiêu này (thêm mã vào một "
            "profile hoặc extra_indicators trong units.yaml).") in err.value.problems


def test_unknown_indicator_in_a_unit_is_refused(inputs):
    problems = _broken(inputs, "units.yaml", "extra_indicators: [HS_KNS]", "extra_indicators: [HS_KNSX]")
    assert "units.yaml, mục units[24] (PGDDT): chỉ tiêu 'HS_KNSX' không có trong plan.yaml." in problems


def test_malformed_yaml_names_file_and_line(inputs):
    (inputs / "office.yaml").write_text("office:\n  name: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(inputs)
    assert err.value.problems[0].startswith("office.yaml (dòng 3, cột 1): sai cú pháp YAML")


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path)
    assert f"Không tìm thấy tệp {tmp_path / 'plan.yaml'}." in err.value.problems


def test_cli_plan_targets_json(inputs):
    res = CliRunner().invoke(cli, ["plan", "targets", "--json", "--inputs", str(inputs)], catch_exceptions=False)
    assert res.exit_code == 0
    rows = json.loads(res.output)
    assert len(rows) == 47
    row = next(r for r in rows if r["indicator"] == "CBCCVC_NN_B3" and r["year"] == 2020)
    assert row == {**row, "name": "Tỷ lệ cán bộ, công chức, viên chức có trình độ ngoại ngữ bậc 3 (B1)",
                   "year": 2020, "value": 25.0}
    assert all(isinstance(r["year"], int) for r in rows)


def test_cli_plan_targets_table_and_error(inputs):
    res = CliRunner().invoke(cli, ["plan", "targets", "--inputs", str(inputs)])
    assert res.exit_code == 0
    assert "CBCCVC_NN_B2           2015  at_least     25,0%  Tỷ lệ cán bộ" in res.output
    assert res.output.rstrip().endswith("Tổng số: 47 chỉ tiêu.")
    (inputs / "plan.yaml").write_text("plan: {}\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["plan", "targets", "--inputs", str(inputs)])
    assert res.exit_code == 1
    assert res.output.startswith("Lỗi: Dữ liệu kế hoạch/đơn vị/cơ quan có lỗi, chưa thể chạy:\n  - plan.yaml, mục plan:")


CORRECTIONS = ROOT / "tests" / "data" / "plan_corrections.yaml"


def _corrections() -> list[tuple[str, str]]:
    import yaml

    doc = yaml.safe_load(CORRECTIONS.read_text(encoding="utf-8"))
    return [(c["original"], c["corrected"]) for c in doc["corrections"]]


def test_plan_typos_are_corrected_and_every_sentence_is_still_the_plans_own_words(catalog):
    seed = _norm(_full_text())
    plan_yaml = (ROOT / "inputs" / "plan.yaml").read_text(encoding="utf-8")
    corrected = seed
    for original, fixed in _corrections():
        assert _norm(original) in seed, f"the plan does not contain {original!r}"
        assert original not in plan_yaml, f"typo {original!r} still in plan.yaml"
        assert fixed in plan_yaml, f"correction {fixed!r} not in plan.yaml"
        corrected = corrected.replace(_norm(original), _norm(fixed))
    plan = catalog.plan
    texts = [i for t in plan.tasks for i in t.items] + [i for t in plan.tasks for p in t.parts for i in p.items]
    texts += [c.name for c in plan.component_plans] + [c.content for c in plan.component_plans]
    missing = [t for t in texts if _norm(t).strip("'") not in corrected]
    assert not missing, missing[:3]


def test_packaged_phrasebooks_are_the_shipped_ones():
    """A district without its own phrasebook gets the packaged copy (templates/): it must say what the
    shipped inputs say, or a sentence added to inputs/ is missing elsewhere (e.g. the large district's)."""
    root = Path(__file__).resolve().parents[1]
    for name in ("phrasebook.yaml", "phrasebook_review.yaml"):
        assert (root / "templates" / name).read_bytes() == (root / "inputs" / name).read_bytes(), name


def test_the_offices_own_unit_is_loaded_and_must_exist(catalog, inputs):
    assert catalog.office.unit == "PGDDT"       # office.yaml office.unit
    problems = _broken(inputs, "office.yaml", "  unit: PGDDT", "  unit: PGDXYZ")
    assert "office.yaml, mục office.unit: mã đơn vị 'PGDXYZ' không có trong units.yaml." in problems


def test_the_offices_own_report_is_not_counted_among_the_units_proposing_to_it(shipped_models):
    """The Phòng's own report asks the district for funding too; the BC it writes counts only the
    other units that do ("… 10 đơn vị đề nghị hỗ trợ kinh phí"), never the office itself."""
    from pipeline.wording import _texts, _themes

    m = shipped_models.models[2015]
    assert m.office_unit == "PGDDT"
    own = [t for units, t in m.proposals.entries for u in units if u.code == "PGDDT"]
    assert own and "kinh phí" in own[0]                          # the office did propose funding
    with_office = dict(_themes(_texts(m.proposals), ""))
    counted = dict(_themes(_texts(m.proposals), m.office_unit))
    theme = next(name for name in with_office if "kinh phí" in name)
    assert counted[theme] == with_office[theme] - 1


def test_a_folder_checked_once_gives_each_caller_its_own_copy_and_an_edit_is_read_again(inputs, tmp_path):
    """load_catalog keeps the catalogs it has checked in this process, by the contents of their files: the same
    files again are a copy (never the same objects) with their folder's paths; an edited file is read again."""
    first, second = load_catalog(inputs), load_catalog(inputs)
    assert first == second and first is not second and first.plan.indicators[0] is not second.plan.indicators[0]
    path = inputs / "office.yaml"
    text = path.read_text(encoding="utf-8")
    assert "Phòng Giáo dục và Đào tạo" in text
    path.write_text(text.replace("Phòng Giáo dục và Đào tạo", "Phòng Văn hóa và Thông tin", 1), encoding="utf-8")
    assert load_catalog(inputs) != first
    path.write_text("office:\n  name: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError):
        load_catalog(inputs)
    path.write_text(text, encoding="utf-8")
    assert load_catalog(inputs) == first
    # the same files in another folder: the same catalog, with that folder's paths
    other = tmp_path / "khac"
    shutil.copytree(inputs, other)
    moved = load_catalog(other)
    assert moved.plan == first.plan and moved.units == first.units and moved.unit("10441") == first.unit("10441")
    assert moved.files == {name: other / name for name in first.files} and moved.files != first.files
