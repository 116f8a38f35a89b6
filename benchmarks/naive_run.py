"""The district job done the naive way, as a baseline for ``bench_run.py``.

What an office script would do without xhht's care for speed: open every submission with openpyxl,
read the data sheet cell by cell, sum numerators and denominators per indicator, write the báo cáo
with python-docx (one table per target group and one per-unit table), write the summary workbook
with openpyxl, and for every unit with a value that fails numerator <= denominator, a copy of its
workbook with the cell marked and a one-page letter with python-docx.

It finds the data by content (the sheet named "Số liệu", the column holding the indicator codes), so
it keeps working when the form layout moves. It is not meant to be correct in every detail of the
real pipeline, only to do the same amount of work the same way a first script would.

    python benchmarks/naive_run.py --inputs inputs --year 2015 --outputs /tmp/naive
"""

from __future__ import annotations

import argparse
from pathlib import Path

import openpyxl
import yaml
from docx import Document
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill


def _codes(plan: dict) -> dict[str, dict]:
    return {ind["code"]: ind for ind in plan["plan"]["indicators"]}


def _read(path: Path, codes: dict[str, dict]) -> tuple[str, dict[str, tuple], openpyxl.Workbook]:
    wb = openpyxl.load_workbook(path)
    unit = path.stem
    if "_xhht" in wb.sheetnames:
        for row in wb["_xhht"].iter_rows(values_only=True):
            if row and row[0] == "unit":
                unit = str(row[1])
    values: dict[str, tuple] = {}
    ws = wb["Số liệu"] if "Số liệu" in wb.sheetnames else wb.worksheets[0]
    for row in ws.iter_rows():
        for i, cell in enumerate(row):
            if isinstance(cell.value, str) and cell.value in codes:
                nums = [c for c in row[i + 1:] if isinstance(c.value, (int, float))]
                values[cell.value] = tuple(nums[:2])
                break
    return unit, values, wb


def run(inputs: Path, year: int, outputs: Path) -> None:
    plan = yaml.safe_load((inputs / "plan.yaml").read_text(encoding="utf-8"))
    codes = _codes(plan)
    outputs.mkdir(parents=True, exist_ok=True)
    totals = {c: [0, 0] for c in codes}
    per_unit: dict[str, dict[str, tuple]] = {}
    bad: list[tuple[str, Path, object, object]] = []
    for path in sorted((inputs / "submissions" / str(year)).glob("*.xls*")):
        unit, values, wb = _read(path, codes)
        per_unit[unit] = {}
        for code, cells in values.items():
            if len(cells) == 2:
                num, den = cells[0].value, cells[1].value
                if num > den:
                    bad.append((unit, path, cells[0], cells[1]))
                    continue
                totals[code][0] += num
                totals[code][1] += den
                per_unit[unit][code] = (num, den)
        wb.close()

    doc = Document()
    doc.add_heading(f"Báo cáo kết quả thực hiện kế hoạch xây dựng xã hội học tập năm {year}", 0)
    for group in plan["plan"]["goal_groups"]:
        doc.add_heading(group["title"], 1)
        table = doc.add_table(rows=1, cols=4)
        for cell, text in zip(table.rows[0].cells, ("Chỉ tiêu", "Tử số", "Mẫu số", "Tỷ lệ")):
            cell.text = text
        for code, ind in codes.items():
            if ind["group"] != group["code"]:
                continue
            num, den = totals[code]
            row = table.add_row().cells
            row[0].text, row[1].text, row[2].text = ind["name"], f"{num:,}", f"{den:,}"
            row[3].text = f"{100 * num / den:.1f}%" if den else "-"
        doc.add_paragraph(f"Có {len(per_unit)} đơn vị gửi báo cáo.")
    doc.add_heading("Phụ lục: số liệu theo đơn vị", 1)
    ratio = [c for c, ind in codes.items() if ind["kind"] == "ratio"]
    table = doc.add_table(rows=1, cols=1 + len(ratio))
    table.rows[0].cells[0].text = "Đơn vị"
    for cell, code in zip(table.rows[0].cells[1:], ratio):
        cell.text = code
    for unit, values in sorted(per_unit.items()):
        row = table.add_row().cells
        row[0].text = unit
        for cell, code in zip(row[1:], ratio):
            if code in values and values[code][1]:
                cell.text = f"{100 * values[code][0] / values[code][1]:.1f}"
    doc.save(outputs / f"BC_{year}.docx")

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tổng hợp"
    ws.append(["Mã", "Chỉ tiêu", "Tử số", "Mẫu số", "Tỷ lệ"])
    for code, ind in codes.items():
        num, den = totals[code]
        ws.append([code, ind["name"], num, den, (num / den if den else None)])
        ws.cell(ws.max_row, 5).number_format = "0.0%"
    units = wb.create_sheet("Theo đơn vị")
    units.append(["Đơn vị", *ratio])
    for unit, values in sorted(per_unit.items()):
        units.append([unit, *[(values[c][0] / values[c][1] if c in values and values[c][1] else None) for c in ratio]])
    for row in units.iter_rows(min_row=2):
        for cell in row[1:]:
            cell.number_format = "0.0%"
            cell.font = Font(name="Times New Roman")
    wb.save(outputs / f"TongHop_{year}.xlsx")

    for unit, path, num_cell, den_cell in bad:
        wb = openpyxl.load_workbook(path)
        ws = wb[num_cell.parent.title]
        for ref in (num_cell.coordinate, den_cell.coordinate):
            ws[ref].fill = PatternFill("solid", fgColor="FF9999")
            ws[ref].comment = Comment("Tử số lớn hơn mẫu số", "xhht")
        wb.save(outputs / f"PhanHoi_{unit}.xlsx")
        letter = Document()
        letter.add_paragraph(f"Kính gửi: {unit}")
        letter.add_paragraph(f"Báo cáo năm {year} của đơn vị có số liệu cần sửa: tử số ({num_cell.value}) lớn hơn "
                             f"mẫu số ({den_cell.value}). Đề nghị đơn vị kiểm tra và gửi lại.")
        letter.save(outputs / f"CongVan_{unit}.docx")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", type=Path, default=Path(__file__).resolve().parents[1] / "inputs")
    ap.add_argument("--year", type=int, default=2015)
    ap.add_argument("--outputs", type=Path, required=True)
    args = ap.parse_args(argv)
    run(args.inputs, args.year, args.outputs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
