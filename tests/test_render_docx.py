"""The báo cáo reopened: Nghị định 30 page setup, header, fonts, numbers, escaping, strictness."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from pipeline.errors import RenderError
from pipeline.render_docx import render_template
from pipeline.runner import run

ROOT = Path(__file__).resolve().parents[1]
ISSUED = dt.date(2015, 12, 20)


@pytest.fixture(scope="module")
def bc_path(shipped_runs) -> Path:
    assert shipped_runs.first.paths[0].name == "BC_XHHT_2015.docx"
    return shipped_runs.first.paths[0]


@pytest.fixture(scope="module")
def doc(bc_path):
    return Document(str(bc_path))


def _all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            for c in row.cells:
                parts.append(c.text)
    return "\n".join(parts)


def test_file_name_and_page_setup(bc_path, doc):
    assert bc_path.name.startswith("BC") and bc_path.suffix == ".docx"
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert 20 <= s.top_margin.mm <= 25 and 20 <= s.bottom_margin.mm <= 25
    assert 30 <= s.left_margin.mm <= 35 and 15 <= s.right_margin.mm <= 20


def test_page_numbers_centred_at_top_from_page_two(doc):
    s = doc.sections[0]
    assert s.different_first_page_header_footer is True
    assert all(not p.text.strip() for p in s.first_page_header.paragraphs)
    xml = s.header._element.xml
    assert "PAGE" in xml and 'w:fldCharType="begin"' in xml
    p = s.header.paragraphs[0]
    assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert p.runs[0].font.size.pt == 14


def test_header_table(doc):
    t = doc.tables[0]
    left, right = t.rows[0].cells
    lp = [p for p in left.paragraphs if p.text.strip()]
    rp = [p for p in right.paragraphs if p.text.strip()]
    assert [p.text for p in lp] == ["UBND HUYỆN MỸ ĐỨC", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"]
    assert lp[0].runs[0].bold is False and lp[0].runs[0].font.size.pt == 13
    assert lp[1].runs[0].bold is True and lp[1].runs[0].font.size.pt == 13
    assert [p.text for p in rp] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert rp[0].runs[0].bold and 12 <= rp[0].runs[0].font.size.pt <= 13
    assert rp[1].runs[0].bold and 13 <= rp[1].runs[0].font.size.pt <= 14
    # the short lines under the issuing body and the Tiêu ngữ: bordered paragraphs narrower than the cell
    lines = [p for p in left.paragraphs + right.paragraphs if p._p.find(qn("w:pPr") + "/" + qn("w:pBdr")) is not None]
    assert len(lines) == 2
    so, date = t.rows[1].cells
    assert so.text == "Số:      /BC-PGDĐT"
    assert date.text == "Mỹ Đức, ngày 20 tháng 12 năm 2015"
    run = date.paragraphs[0].runs[0]
    assert run.italic is True and run.font.size.pt == 14
    widths = [c.width.mm for c in t.rows[0].cells]
    # about 40/60 (not 50/50), wide enough for "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO" on one line at 13 pt bold
    assert 0.38 < widths[0] / sum(widths) < 0.48 and widths[0] >= 78


def test_title_subject_and_recipient(doc):
    texts = [p.text for p in doc.paragraphs]
    i = texts.index("BÁO CÁO")
    title = doc.paragraphs[i]
    assert title.style.name == "XH Ten loai" and title.style.font.bold and title.style.font.size.pt == 14
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert texts[i + 1] == "Kết quả thực hiện Kế hoạch xây dựng xã hội học tập năm 2015"
    # a báo cáo sent up to two bodies: "Kính gửi:" with the first recipient on its line, the second on a dash
    # line aligned under the first (NĐ 30 box 9a)
    k = texts.index("Kính gửi:\t- Ủy ban nhân dân huyện Mỹ Đức;")
    assert texts[k + 1] == "- Sở Giáo dục và Đào tạo Hà Nội."
    first, second = doc.paragraphs[k].paragraph_format, doc.paragraphs[k + 1].paragraph_format
    assert first.left_indent == second.left_indent and first.first_line_indent < 0
    assert [t.position for t in first.tab_stops] == [first.left_indent]


def test_body_style_and_fonts(doc):
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 14
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert {fonts.get(qn(a)) for a in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia")} == {"Times New Roman"}
    pf = normal.paragraph_format
    assert pf.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert round(pf.first_line_indent.mm) in (10, 13)
    assert pf.space_before.pt >= 6 and 1.0 <= pf.line_spacing <= 1.5
    other = {r.font.name for p in doc.paragraphs for r in p.runs if r.font.name}
    assert other <= {"Times New Roman"}


def test_no_template_tags_left(bc_path):
    with zipfile.ZipFile(bc_path) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                xml = z.read(name).decode("utf-8")
                assert "{{" not in xml and "{%" not in xml and "}}" not in xml, name


def test_content_numbers_and_sections(doc):
    text = _all_text(doc)
    assert "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH" in text
    assert ("- Kế hoạch số 24/KH-UBND ngày 14/02/2015 của UBND huyện về triển khai nhiệm vụ xây dựng xã hội học tập "
            "năm 2015;") in text
    assert ("Phòng Giáo dục và Đào tạo huyện Mỹ Đức đã tổng hợp báo cáo của 36/37 đơn vị (21 xã, thị trấn và 15 phòng, "
            "ban, đoàn thể cấp huyện); xã Đốc Tín chưa gửi báo cáo; 06 đơn vị gửi sau thời hạn.") in text
    # 2015 is a milestone year: judged against the 2015 target, gaps in points for ratios only
    assert ("Tỷ lệ cán bộ cấp xã có trình độ chuyên môn theo chuẩn quy định đạt 87,8% (223/254 người), chưa đạt chỉ "
            "tiêu năm 2015 (95,0%), còn thiếu 7,2 điểm phần trăm") in text
    assert "vượt chỉ tiêu năm 2015 (25,0%) 0,8 điểm phần trăm" in text
    # a status indicator over communes: a count with the commune that did not report, never a gap in points
    assert ("12/22 xã, thị trấn đạt tiêu chuẩn phổ cập bậc trung học, chưa đạt chỉ tiêu năm 2015 "
            "(chỉ tiêu: tất cả các xã, thị trấn đạt chuẩn); 01 xã chưa báo cáo.") in text
    assert "còn thiếu 42,9 điểm phần trăm" not in text
    assert ("Tổng kinh phí thực hiện năm 2015 do 28 đơn vị báo cáo là 1.286.500.000 đồng (bằng chữ: Một tỷ hai trăm "
            "tám mươi sáu triệu năm trăm nghìn đồng), tăng 43.500.000 đồng so với năm 2014") in text
    for heading in ("II. KẾT QUẢ THỰC HIỆN CÁC MỤC TIÊU", "III. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ, GIẢI PHÁP",
                    "IV. KINH PHÍ THỰC HIỆN", "V. ĐÁNH GIÁ CHUNG", "VI. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2016",
                    "VII. ĐỀ XUẤT, KIẾN NGHỊ"):
        assert heading in text
    # section III: district totals per task group with the change from last year, detail in Biểu 02
    assert re.search(r"- Lượt người tham gia Tuần lễ hưởng ứng học tập suốt đời: \d{1,3}\.\d{3} lượt người "
                     r"\((tăng|giảm) [\d.]+ so với năm 2014\);", text)
    assert "(số liệu chi tiết của từng đơn vị tại Biểu 02 kèm theo):" in text


def test_target_tables_repeat_header_and_rows_do_not_split(doc):
    t = next(t for t in doc.tables if t.rows[0].cells[0].text == "TT" and t.rows[0].cells[1].text == "Chỉ tiêu")
    assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert t.rows[1]._tr.trPr.find(qn("w:cantSplit")) is not None
    assert [c.text for c in t.rows[1].cells] == ["1", "Tỷ lệ xã, thị trấn đạt chuẩn chống mù chữ", "Duy trì 100,0%",
                                                 "21/22 đạt; 01 chưa báo cáo", "100,0%", "Chưa đủ số liệu"]


def test_signature_and_recipients(doc):
    sig = doc.tables[-1] if False else next(t for t in doc.tables if t.rows[0].cells[0].text.startswith("Nơi nhận:"))
    left, right = sig.rows[0].cells
    items = [p for p in left.paragraphs if p.text.strip()]
    assert items[0].text == "Nơi nhận:" and items[0].style.font.size.pt == 12
    assert items[0].style.font.bold and items[0].style.font.italic
    assert items[1].text == "- Như trên;" and items[-1].text == "- Lưu: VT, GDTX."
    assert all(p.style.font.size.pt == 11 for p in items[1:])
    assert [p.text for p in right.paragraphs if p.text.strip()] == ["KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG",
                                                                    "Nguyễn Văn Minh"]


def test_appendix_in_landscape_section_with_numbering_restart(doc):
    assert len(doc.sections) == 2  # the body, then every numbered biểu in one landscape section
    app = doc.sections[1]
    assert app.orientation == WD_ORIENT.LANDSCAPE and round(app.page_width.mm) == 297
    assert app._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
    text = _all_text(doc)
    assert "Biểu 01" in text and "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU THEO ĐƠN VỊ NĂM 2015" in text
    assert "Biểu 02" in text and "KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ THEO ĐƠN VỊ NĂM 2015" in text
    assert ("(Kèm theo Báo cáo số      /BC-PGDĐT ngày 20 tháng 12 năm 2015 của Phòng Giáo dục và Đào tạo huyện Mỹ Đức)"
            in text)
    matrix = next(t for t in doc.tables if t.rows[0].cells[0].text == "STT" and t.rows[0].cells[1].text == "Đơn vị")
    assert len(matrix.columns) == 2 + 16 and len(matrix.rows) == 1 + 22 + 1
    row = next(r for r in matrix.rows if r.cells[1].text == "Xã Đốc Tín")
    assert {c.text for c in row.cells[2:]} == {"–"}
    row = next(r for r in matrix.rows if r.cells[1].text == "Xã Hùng Tiến")
    assert "Chưa tính" in [c.text for c in row.cells] and "Lỗi" not in [c.text for c in row.cells]


def test_submitted_text_is_data_not_template_code(inputs, submit, tmp_path):
    # a remark shared by two communes is summarised in section III (with its count): it must come out as typed
    evil = "Kết quả {{ 7*7 }} {% raw %} <b>đậm</b> & \"trích\" ]]> {{ office.name }}"
    submit("10441", texts={"NV1": evil, "TON_TAI": "{%p if true %}x"})
    submit("10444", texts={"NV1": evil})
    res = run(inputs, tmp_path / "out", 2015, ISSUED, charts=False)
    doc = Document(str(res.paths[0]))
    text = _all_text(doc)
    assert f": {evil[0].lower() + evil[1:]} (02 đơn vị)." in text
    assert "{%p if true %}" not in text and "49" not in text.split("(02 đơn vị)")[0][-80:]


def test_missing_variable_is_an_error_naming_template_and_variable(tmp_path):
    from docx import Document as New

    tpl = tmp_path / "mau.docx"
    d = New()
    d.add_paragraph("Xin chào {{ khong_co }}")
    d.save(tpl)
    with pytest.raises(RenderError, match=r"Mẫu mau.docx: lỗi khi điền dữ liệu: biến chưa được định nghĩa \('khong_co'\)"):
        render_template(tpl, {"office": {"full_name": "x"}}, tmp_path / "o.docx", ISSUED, "t")
    assert not (tmp_path / "o.docx").exists()


def test_missing_template_is_an_error(tmp_path):
    with pytest.raises(RenderError, match="Không tìm thấy mẫu văn bản"):
        render_template(tmp_path / "khong.docx", {}, tmp_path / "o.docx", ISSUED, "t")
