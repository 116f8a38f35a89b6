"""Make the synthetic sample submissions shipped under inputs/submissions/<year>/.

The numbers and texts are SYNTHETIC: plausible for a district of about 190,000 people, made with a
fixed random seed per year from the same form generator the office sends out (pipeline.forms), so
running this script again gives the same files. Each year carries the flaws a real year has:
one unit that did not submit, one that submitted twice (a corrected second version), and one
value whose numerator exceeds its denominator.

    python scripts/make_samples.py [--inputs inputs] [--years 2014 2015 2016]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline import layout as L  # noqa: E402
from pipeline.forms import build_form, form_filename, save_workbook  # noqa: E402
from pipeline.plan import load_catalog  # noqa: E402

# The flaws of each year: (missing unit, resubmitted unit, unit with numerator > denominator, indicator).
FLAWS = {
    2014: ("HCCB", "10462", "10477", "BIET_CHU_15_60"),
    2015: ("10486", "10504", "10492", "BIET_CHU_15_35"),
    2016: ("10456", "PVHTT", "10447", "LDNT_TTHTCD"),
}

TASK_TEXT = {
    "NV1": ["Tổ chức {a} buổi tuyên truyền về xây dựng xã hội học tập qua hệ thống loa truyền thanh và các buổi sinh hoạt thôn, xóm.",
            "Hưởng ứng Tuần lễ học tập suốt đời năm {y} với {b} lượt người tham gia; tuyên dương {c} gia đình hiếu học, dòng họ khuyến học.",
            "Xây dựng và ban hành kế hoạch xây dựng xã hội học tập năm {y}; kiện toàn Ban chỉ đạo."],
    "NV2": ["Duy trì tủ sách pháp luật và {a} câu lạc bộ sinh hoạt thường xuyên tại nhà văn hóa thôn.",
            "Phối hợp phát sóng {b} tin, bài về học tập suốt đời trên đài truyền thanh."],
    "NV3": ["Trung tâm học tập cộng đồng mở {a} lớp chuyên đề về trồng trọt, chăn nuôi, pháp luật, sức khỏe với {b} lượt người học.",
            "Rà soát, củng cố ban quản lý trung tâm học tập cộng đồng; bổ sung {c} cộng tác viên."],
    "NV4": ["Tổ chức học theo mùa vụ, học buổi tối tại {a} điểm thôn; {b} lượt người tham gia học tập.",
            "Ứng dụng công nghệ thông tin, kết nối internet phục vụ học tập tại trung tâm học tập cộng đồng."],
    "NV5": ["Huy động các nguồn xã hội hóa hỗ trợ mua sắm trang thiết bị cho trung tâm học tập cộng đồng.",
            "Hỗ trợ {a} học viên thuộc diện chính sách tham gia các lớp bồi dưỡng."],
    "NV6": ["Cử {a} cán bộ, giáo viên tham gia tập huấn nghiệp vụ quản lý trung tâm học tập cộng đồng.",
            "Mời {b} cán bộ nghỉ hưu, nghệ nhân tham gia làm cộng tác viên."],
    "NV7": ["Đưa nội dung xây dựng xã hội học tập vào chương trình công tác và tiêu chí thi đua năm {y}.",
            "Phối hợp với Hội Khuyến học đánh giá, công nhận {a} gia đình học tập, {c} dòng họ học tập."],
    "NV8": ["Tham gia {a} hội nghị, hội thảo chia sẻ kinh nghiệm về xây dựng xã hội học tập.",
            "Cử cán bộ đi học tập kinh nghiệm mô hình học tập tại các huyện bạn."],
}
LIMITS = ["Nội dung học tập tại trung tâm học tập cộng đồng chưa phong phú; cơ sở vật chất còn thiếu.",
          "Cán bộ trung tâm học tập cộng đồng kiêm nhiệm, thời gian dành cho hoạt động còn hạn chế.",
          "Một bộ phận người dân chưa nhận thức đầy đủ về lợi ích của học tập suốt đời.",
          "Kinh phí cho hoạt động xây dựng xã hội học tập còn hạn hẹp."]
PROPOSALS = ["Đề nghị huyện bố trí kinh phí hỗ trợ hoạt động của trung tâm học tập cộng đồng.",
             "Đề nghị tổ chức tập huấn nghiệp vụ cho cán bộ quản lý trung tâm học tập cộng đồng.",
             "Đề nghị tăng cường biệt phái giáo viên về làm việc tại trung tâm học tập cộng đồng."]


def _commune_base(rng: random.Random, codes: list[str]) -> dict[str, dict[str, int]]:
    """Fixed (year-independent) size of each commune, scaled to ~190,000 people in total."""
    raw = {c: rng.uniform(0.55, 1.5) for c in codes}
    scale = 190_000 / sum(raw.values())
    return {c: {"pop": int(v * scale)} for c, v in raw.items()}


def _ratio(rng, den, lo, hi):
    return min(den, max(0, round(den * rng.uniform(lo, hi) / 100)))


def commune_values(rng, base, year, t, pc_bac_th_ok):
    """Values of one commune; ``t`` is years since 2014 (targets improve slowly)."""
    pop = int(base["pop"] * (1 + 0.011 * t))
    p1560 = int(pop * 0.63)
    p1535 = int(pop * 0.37)
    staff = rng.randint(30, 46)
    cb = rng.randint(11, 13)
    cc = rng.randint(10, 12)
    labour = int(pop * 0.52)
    v = {
        "XMC": "Đạt", "PCGD_MN5": "Đạt", "PCGD_TH": "Đạt", "PCGD_THCS": "Đạt",
        "PC_BAC_TH": "Đạt" if pc_bac_th_ok else "Chưa đạt",
        "BIET_CHU_15_60": (p1560 - rng.randint(8, 40) + 4 * t, p1560),
        "BIET_CHU_15_35": (p1535 - rng.randint(0, 6), p1535),
        "CBCCVC_CNTT": (_ratio(rng, staff, 84 + 3 * t, 96 + 2 * t), staff),
        "CBCCVC_NN_B2": (_ratio(rng, staff, 18 + 5 * t, 30 + 6 * t), staff),
        "CBCCVC_NN_B3": (_ratio(rng, staff, 4 + 2 * t, 9 + 3 * t), staff),
        "CB_XA_BD_QL": (_ratio(rng, cb, 88 + 3 * t, 101), cb),
        "CB_XA_CHUAN_CM": (_ratio(rng, cb, 85 + 3 * t, 101), cb),
        "CC_XA_BD_BB": (_ratio(rng, cc, 72 + 4 * t, 95 + 2 * t), cc),
        "LDNT_TTHTCD": (_ratio(rng, labour, 38 + 6 * t, 58 + 6 * t), labour),
        "TTHTCD_THUONG_XUYEN": (1 if rng.random() < 0.8 + 0.05 * t else 0, 1),
        "TTHTCD_CL_TOT": (1 if rng.random() < 0.5 + 0.08 * t else 0, 1),
    }
    if v["TTHTCD_CL_TOT"][0] > v["TTHTCD_THUONG_XUYEN"][0]:
        v["TTHTCD_THUONG_XUYEN"] = (1, 1)
    return v


def office_values(rng, unit, t):
    staff = {"PGDDT": 16, "PLDTBXH": 12, "PVHTT": 9, "PTCKH": 11, "DTT": 7, "TTGDTX": 26}.get(unit.code, 10)
    leaders = max(2, staff // 5)
    v = {
        "CBCCVC_CNTT": (_ratio(rng, staff, 86 + 3 * t, 100), staff),
        "CBCCVC_NN_B2": (_ratio(rng, staff, 25 + 5 * t, 45 + 5 * t), staff),
        "CBCCVC_NN_B3": (_ratio(rng, staff, 8 + 3 * t, 18 + 4 * t), staff),
        "CBCC_HUYEN_CHUAN": (_ratio(rng, staff, 94 + 2 * t, 101), staff),
        "CBCC_HUYEN_LANH_DAO": (_ratio(rng, leaders, 90, 101), leaders),
        "CBCC_HUYEN_BD_BB": (_ratio(rng, staff, 85 + 3 * t, 100), staff),
    }
    if unit.code == "PGDDT":
        hs = 31_800 + 600 * t
        v["HS_KNS"] = (_ratio(rng, hs, 33 + 5 * t, 38 + 6 * t), hs)
    if unit.code == "TTGDTX":
        hs = 640 + 20 * t
        v["HS_KNS"] = (_ratio(rng, hs, 40 + 4 * t, 55 + 5 * t), hs)
    if unit.code == "LDLD":
        cn = 4_600 + 150 * t
        v.update({"CNLD_TH_NN": (_ratio(rng, cn, 34 + 4 * t, 36 + 4 * t), cn),
                  "CNLD_THPT": (_ratio(rng, cn, 86 + 2 * t, 90 + 2 * t), cn),
                  "CNLD_HOC_NGHE": (_ratio(rng, cn, 90 + 2 * t, 94 + 2 * t), cn),
                  "CNLD_TAY_NGHE_CAO": (_ratio(rng, cn, 18 + 2 * t, 20 + 2 * t), cn)})
    return {k: val for k, val in v.items() if k in unit.indicators}


def narrative(rng, unit, year):
    out = {}
    for task in unit.tasks:
        if rng.random() < 0.15:
            continue  # real units leave some groups empty
        lines = rng.sample(TASK_TEXT[task], k=min(len(TASK_TEXT[task]), rng.randint(1, 2)))
        out[task] = "\n".join(s.format(a=rng.randint(3, 24), b=rng.randint(120, 2400), c=rng.randint(5, 60), y=year)
                              for s in lines)
    out[L.LIMITS_CODE] = rng.choice(LIMITS)
    out[L.PROPOSALS_CODE] = rng.choice(PROPOSALS)
    return out


def fill(wb, values, texts, funding, report_date, preparer):
    """Write values into a form the way a clerk would: only into the input cells."""
    ws = wb[L.DATA_SHEET]
    ws[L.REPORT_DATE_CELL] = report_date
    ws[L.PREPARER_CELL] = preparer
    for row in ws.iter_rows(min_row=L.DATA_HEADER_ROW + 1):
        code = row[L.col_index(L.CODE_COL)].value
        if code in values:
            val = values[code]
            if isinstance(val, tuple):
                ws[f"{L.DATA_COLS['num']}{row[0].row}"] = val[0]
                ws[f"{L.DATA_COLS['den']}{row[0].row}"] = val[1]
            else:
                ws[f"{L.DATA_COLS['num']}{row[0].row}"] = val
    ts = wb[L.TASK_SHEET]
    for row in ts.iter_rows(min_row=L.TASK_HEADER_ROW + 1):
        code = row[L.col_index(L.TASK_COLS["code"])].value
        if code in texts:
            ts[f"{L.TASK_COLS['text']}{row[0].row}"] = texts[code]
    fs = wb[L.FUNDING_SHEET]
    for row in fs.iter_rows(min_row=L.FUNDING_HEADER_ROW + 1):
        code = row[L.col_index(L.FUNDING_COLS["code"])].value
        if code in funding:
            fs[f"{L.FUNDING_COLS['amount']}{row[0].row}"] = funding[code]


PREPARERS = ["Nguyễn Thị Hoa", "Trần Văn Hùng", "Lê Thị Lan", "Phạm Văn Nam", "Đỗ Thị Hằng", "Bùi Văn Toàn",
             "Hoàng Thị Thu", "Vũ Văn Long", "Đặng Thị Mai", "Ngô Văn Sơn"]


def make_year(catalog, inputs: Path, year: int) -> list[Path]:
    base_rng = random.Random("xhht-communes")
    communes = [u for u in catalog.expected_units(year) if catalog.is_commune(u)]
    base = _commune_base(base_rng, [u.code for u in communes])
    rng = random.Random(f"xhht-samples-{year}")
    t = year - 2014
    missing, resubmitted, bad_unit, bad_ind = FLAWS[year]
    pc_ok = set(rng.sample([u.code for u in communes], k=min(len(communes), 15 + 3 * t)))
    folder = inputs / "submissions" / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.xlsx"):
        old.unlink()
    written = []
    for unit in catalog.expected_units(year):
        if catalog.is_commune(unit):
            values = commune_values(rng, base[unit.code], year, t, unit.code in pc_ok)
            funding = {"NSNN": rng.randrange(15, 60) * 1_000_000 + rng.choice([0, 500_000]),
                       "XHH": rng.randrange(5, 40) * 1_000_000}
        else:
            values = office_values(rng, unit, t)
            funding = {"NSNN": rng.randrange(5, 30) * 1_000_000} if rng.random() < 0.6 else {}
        texts = narrative(rng, unit, year)
        day = dt.date(year, 12, rng.randint(1, 19))
        preparer = rng.choice(PREPARERS)
        if unit.code == missing:
            continue
        if unit.code == bad_unit:  # a typo: the numerator exceeds the denominator
            num, den = values[bad_ind]
            values[bad_ind] = (den + rng.randint(3, 15), den)
        if unit.code == resubmitted:  # first version with a typed error, corrected a few days later
            first = dict(values)
            code = next(k for k, v in values.items() if isinstance(v, tuple))
            first[code] = (values[code][0], -values[code][1])
            wb = build_form(catalog, unit, year)
            fill(wb, first, texts, funding, day - dt.timedelta(days=4), preparer)
            path = folder / form_filename(unit, year)
            save_workbook(wb, path)
            written.append(path)
            texts = dict(texts, **{L.PROPOSALS_CODE: texts[L.PROPOSALS_CODE] + " (Bản báo cáo bổ sung, thay thế bản đã gửi.)"})
            name = form_filename(unit, year).replace(".xlsx", "_bo-sung.xlsx")
        else:
            name = form_filename(unit, year)
        wb = build_form(catalog, unit, year)
        fill(wb, values, texts, funding, day, preparer)
        save_workbook(wb, folder / name)
        written.append(folder / name)
    return written


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", default=str(ROOT / "inputs"))
    ap.add_argument("--years", nargs="*", type=int, default=sorted(FLAWS))
    args = ap.parse_args(argv)
    catalog = load_catalog(args.inputs)
    for year in args.years:
        paths = make_year(catalog, Path(args.inputs), year)
        print(f"{year}: {len(paths)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
