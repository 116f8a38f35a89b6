"""The yearly BC (2017, 2020) and the tổng kết 2014–2020 read again as the head of office reads them: what
he would not sign, each fixed in the wording or the layout and checked here by reopening the DOCX."""

from __future__ import annotations

import re

from test_documents_reading import bc, body, docs, rows  # noqa: F401  (docs: the shared session fixture)


def _sentence(lines: list[str], start: str) -> str:
    return next(x for x in lines if x.startswith(start))


# ------------------------------------------------------------------------------------ 1. the year's own target
def test_a_level_never_reached_is_not_maintained_and_is_judged_against_the_years_path(docs):
    lines = body(bc(docs, 2017))
    # 15–60 literacy has never reached 100% (99,6% in 2014 … 99,8% in 2017): no "Duy trì" in its target cell
    row = rows(lines, "6")[0]
    assert row[1].startswith("Tỷ lệ người trong độ tuổi 15–60 biết chữ"), row
    assert row[2] == "100,0%", row
    # the same never-reached level for the communes' upper-secondary standard (21/22 in 2017)
    row = rows(lines, "5")[0]
    assert row[1].startswith("Tỷ lệ xã, thị trấn đạt tiêu chuẩn phổ cập bậc trung học") and row[2] == "100,0%", row
    # a level the district holds keeps "Duy trì"
    assert rows(lines, "1")[0][2] == "Duy trì 100,0%"
    # between milestones the verdict is the lộ trình's, as the table's "Chậm so với lộ trình"
    text = "\n".join(lines)
    assert "Kế hoạch đề ra" not in text
    literate = _sentence(lines, "Tỷ lệ người trong độ tuổi 15–60 biết chữ đạt")
    assert "chậm so với lộ trình năm 2017 (100,0%) 0,2 điểm phần trăm" in literate, literate
    upper = _sentence(lines, "21/22 xã, thị trấn đạt tiêu chuẩn phổ cập bậc trung học")
    assert "chưa đạt lộ trình năm 2017 (tất cả các xã, thị trấn đạt chuẩn)" in upper, upper


def test_in_the_milestone_year_a_level_never_reached_is_met_or_not_met(docs):
    lines = body(bc(docs, 2020))
    row = rows(lines, "6")[0]
    assert row[1].startswith("Tỷ lệ người trong độ tuổi 15–60 biết chữ") and row[2] == "100,0%", row
    literate = _sentence(lines, "Tỷ lệ người trong độ tuổi 15–60 biết chữ đạt")
    assert "chưa đạt chỉ tiêu năm 2020 (100,0%), còn thiếu 0,1 điểm phần trăm" in literate, literate
    assert "Kế hoạch đề ra" not in "\n".join(lines)
