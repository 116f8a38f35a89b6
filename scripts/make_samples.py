"""Make the synthetic sample submissions shipped under inputs/submissions/<year>/ (2014-2020).

The numbers and texts are SYNTHETIC: plausible for a district of about 190,000 people, made with
fixed random seeds from the same form generator the office sends out (pipeline.forms), so running
this script again gives the same files. Every unit has a life that runs through the whole period:
its population and staff persist from year to year with small changes, its rates move towards the
plan's targets at its own speed (some communes reach every 2020 target, some miss a few), and its
activity counts grow or dip a little each year. Each year carries the flaws a real year has: one unit
that did not submit, one that submitted twice (a first version with a typed error, corrected a few
days later), and one value whose numerator exceeds its denominator.

    python scripts/make_samples.py [--inputs inputs] [--years 2014 2015 ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline import form_layout as L  # noqa: E402
from pipeline.forms import build_form, form_filename, save_workbook  # noqa: E402
from pipeline.catalog_load import load_catalog  # noqa: E402

FIRST, LAST = 2014, 2020
# The flaws of each year: (missing unit, resubmitted unit, unit with numerator > denominator, indicator).
FLAWS = {
    2014: ("HCCB", "10462", "10477", "BIET_CHU_15_60"),
    2015: ("10486", "10504", "10492", "BIET_CHU_15_35"),
    2016: ("10456", "PVHTT", "10447", "LDNT_TTHTCD"),
    2017: ("HNCT", "10471", "10498", "CBCCVC_NN_B2"),
    2018: ("10465", "DTT", "10480", "CC_XA_BD_BB"),
    2019: ("HND", "10441", "10453", "CB_XA_CHUAN_CM"),
    2020: ("10495", "PTCKH", "10501", "BIET_CHU_15_60"),
}

# Where a commune's rates start in 2014 (% range) and the 2020 target they move towards.
COMMUNE_RATES = {
    "CBCCVC_CNTT": ((84, 92), 100), "CBCCVC_NN_B2": ((16, 26), 50), "CBCCVC_NN_B3": ((3, 8), 25),
    "CB_XA_BD_QL": ((84, 95), 100), "CB_XA_CHUAN_CM": ((80, 92), 100), "CC_XA_BD_BB": ((70, 82), 95),
    "LDNT_TTHTCD": ((38, 52), 80),
}
OFFICE_RATES = {
    "CBCCVC_CNTT": ((86, 95), 100), "CBCCVC_NN_B2": ((24, 40), 50), "CBCCVC_NN_B3": ((7, 15), 25),
    "CBCC_HUYEN_CHUAN": ((94, 100), 100), "CBCC_HUYEN_LANH_DAO": ((90, 100), 100),
    "CBCC_HUYEN_BD_BB": ((84, 92), 100),
}
OFFICE_STAFF = {"PGDDT": 16, "PLDTBXH": 12, "PVHTT": 9, "PTCKH": 11, "DTT": 7, "TTGDTX": 26}

# Activity counts of a commune in 2014 (range, scaled by population for the "per person" ones) and
# their yearly growth; the district bodies' own events.
COMMUNE_ACTS = {
    "NV1_TUYEN_TRUYEN": (10, 30, 0.05), "NV1_TIN_BAI": (20, 60, 0.08), "NV1_TUAN_LE": (300, 1200, 0.07),
    "NV1_GD_HOC_TAP": (120, 420, 0.09), "NV1_DH_HOC_TAP": (2, 10, 0.08), "NV1_CD_HOC_TAP": (1, 4, 0.10),
    "NV1_DV_HOC_TAP": (2, 7, 0.06), "NV2_CLB": (4, 14, 0.05), "NV2_THU_VIEN": (2, 8, 0.04),
    "NV2_CHUYEN_DE": (4, 12, 0.06), "NV3_LOP_TTHTCD": (8, 24, 0.06), "NV3_LUOT_TTHTCD": (400, 1800, 0.07),
    "NV4_DIEM_HOC": (2, 8, 0.05), "NV4_TTHTCD_INTERNET": (1, 1, 0.0), "NV5_HO_TRO": (5, 30, 0.04), "NV6_CONG_TAC_VIEN": (8, 20, 0.04),
    "NV6_NGHI_HUU": (3, 8, 0.04), "NV6_TAP_HUAN": (10, 35, 0.05), "NV7_VAN_BAN": (2, 5, 0.0),
    "NV7_KIEM_TRA": (2, 6, 0.02), "NV8_HOI_THAO": (1, 3, 0.03), "NV8_HOC_TAP_KN": (2, 8, 0.04),
}
PER_PERSON = {"NV1_TUAN_LE", "NV1_GD_HOC_TAP", "NV3_LUOT_TTHTCD", "NV1_TIN_BAI"}
BODY_ACTS = {
    "NV1_TUYEN_TRUYEN": (3, 20, 0.04), "NV2_CHUYEN_DE": (3, 10, 0.04), "NV7_VAN_BAN": (1, 3, 0.0),
    "NV7_KIEM_TRA": (1, 4, 0.0), "NV1_TUAN_LE": (800, 1400, 0.06), "NV5_TAI_LIEU": (2, 6, 0.03),
    "NV6_TAP_HUAN": (150, 260, 0.04), "NV6_BIET_PHAI": (20, 24, 0.0), "NV8_HOI_THAO": (1, 4, 0.02),
    "NV8_HOC_TAP_KN": (10, 25, 0.03), "NV3_LOP_NGHE": (15, 28, 0.04), "NV3_HOC_NGHE": (450, 800, 0.05),
    "NV5_HO_TRO": (50, 110, 0.03), "NV2_THU_VIEN": (1, 1, 0.0), "NV1_TIN_BAI": (150, 260, 0.06),
    "NV2_CHUONG_TRINH": (36, 52, 0.03), "NV4_PHAT_SONG": (24, 48, 0.04), "NV3_LOP_GDTX": (14, 26, 0.05),
    "NV3_HOC_VIEN_GDTX": (450, 900, 0.05), "NV4_TU_XA": (40, 120, 0.25),
}

REMARKS = {
    "NV1": ["Tuần lễ hưởng ứng học tập suốt đời được tổ chức đồng loạt ở các thôn.",
            "Việc bình xét gia đình học tập, dòng họ học tập gắn với bình xét gia đình văn hóa."],
    "NV2": ["Nhà văn hóa một số thôn xuống cấp, ảnh hưởng đến sinh hoạt câu lạc bộ."],
    "NV3": ["Các lớp chuyên đề tập trung vào kỹ thuật trồng trọt, chăn nuôi và pháp luật.",
            "Lượt người học tăng nhờ mở lớp vào buổi tối."],
    "NV4": ["Trung tâm học tập cộng đồng chưa có đường truyền internet riêng."],
    "NV5": ["Kinh phí hỗ trợ người học chủ yếu từ nguồn xã hội hóa."],
    "NV6": ["Cộng tác viên phần lớn là giáo viên, cán bộ đã nghỉ hưu."],
    "NV7": ["Ban Chỉ đạo được kiện toàn sau khi thay đổi nhân sự."],
    "NV8": ["Cử cán bộ tham dự hội thảo của huyện."],
}
LIMITS = ["Nội dung học tập tại trung tâm học tập cộng đồng chưa phong phú; cơ sở vật chất còn thiếu.",
          "Cán bộ trung tâm học tập cộng đồng kiêm nhiệm, thời gian dành cho hoạt động còn hạn chế.",
          "Một bộ phận người dân chưa nhận thức đầy đủ về lợi ích của học tập suốt đời.",
          "Kinh phí cho hoạt động xây dựng xã hội học tập còn hạn hẹp."]
PROPOSALS = ["Đề nghị huyện bố trí kinh phí hỗ trợ hoạt động của trung tâm học tập cộng đồng.",
             "Đề nghị tổ chức tập huấn nghiệp vụ cho cán bộ quản lý trung tâm học tập cộng đồng.",
             "Đề nghị tăng cường biệt phái giáo viên về làm việc tại trung tâm học tập cộng đồng."]
PREPARERS = ["Nguyễn Thị Hoa", "Trần Văn Hùng", "Lê Thị Lan", "Phạm Văn Nam", "Đỗ Thị Hằng", "Bùi Văn Toàn",
             "Hoàng Thị Thu", "Vũ Văn Long", "Đặng Thị Mai", "Ngô Văn Sơn"]


@dataclass
class Life:
    """A unit's course over the period, drawn once: sizes, start rates, speeds, what it never reaches."""

    code: str
    tier: str = "office"                       # fast | medium | slow (communes)
    pop: float = 0.0
    growth: float = 0.0
    staff: int = 0
    cb: int = 0
    cc: int = 0
    start: dict[str, float] = field(default_factory=dict)
    end: dict[str, float] = field(default_factory=dict)
    shape: dict[str, float] = field(default_factory=dict)
    illiterate_1560: int = 0
    illiterate_1535: int = 0
    year_pc_bac_th: int = FIRST                # first year "Đạt"
    year_regular: int = FIRST                  # TTHTCĐ first active regularly
    year_good: int = LAST + 1                  # TTHTCĐ first rated good
    year_internet: int = LAST + 1
    acts: dict[str, tuple[float, float]] = field(default_factory=dict)  # code -> (2014 level, growth)
    preparer: str = ""


def _progress(year: int, shape: float) -> float:
    return ((year - FIRST) / (LAST - FIRST)) ** shape


def draw_lives(catalog) -> dict[str, Life]:
    """Draw each unit's life once (seed fixed), so every year follows from the same state."""
    rng = random.Random("xhht-lives")
    units = [u for u in catalog.units if u.expected_in(FIRST) or u.expected_in(LAST)]
    communes = [u for u in units if catalog.is_commune(u)]
    raw = {u.code: rng.uniform(0.55, 1.5) for u in communes}
    scale = 190_000 / sum(raw.values())
    order = [u.code for u in communes]
    rng.shuffle(order)
    tiers = {c: ("fast" if i < 8 else "medium" if i < 16 else "slow") for i, c in enumerate(order)}
    lives = {}
    for u in units:
        life = Life(u.code, preparer=rng.choice(PREPARERS))
        if catalog.is_commune(u):
            life.tier = tiers[u.code]
            life.pop = raw[u.code] * scale
            life.growth = rng.uniform(0.006, 0.014)
            life.staff, life.cb, life.cc = rng.randint(30, 46), rng.randint(11, 13), rng.randint(10, 12)
            misses = set(rng.sample(sorted(COMMUNE_RATES), k=rng.randint(2, 3))) if life.tier == "slow" else set()
            for code, ((lo, hi), target) in COMMUNE_RATES.items():
                life.start[code] = rng.uniform(lo, hi)
                if code in misses:
                    life.end[code] = target - rng.uniform(4, 10)
                elif life.tier == "fast":
                    life.end[code] = min(100.0, target + rng.uniform(1, 6))
                else:
                    life.end[code] = min(100.0, target + rng.uniform(0.5, 4))
                life.shape[code] = rng.uniform(0.6, 1.0) if life.tier == "fast" else rng.uniform(0.9, 1.5)
            life.illiterate_1560 = rng.randint(8, 40)
            life.illiterate_1535 = rng.randint(0, 6)
            life.year_pc_bac_th = {"fast": FIRST, "medium": rng.choice([2014, 2015, 2016]),
                                   "slow": rng.choice([2016, 2017, 2018, 2019])}[life.tier]
            life.year_regular = FIRST if rng.random() < 0.75 else rng.choice([2015, 2016, 2017])
            life.year_good = {"fast": rng.choice([2014, 2014, 2015]), "medium": rng.choice([2014, 2015, 2016, 2017]),
                              "slow": rng.choice([2018, 2021, 2021, 2021])}[life.tier]
            life.year_internet = rng.choice([2015, 2016, 2017, 2018, 2019, 2020, 2021])
            size = life.pop / (190_000 / len(communes))
            for code, (lo, hi, g) in COMMUNE_ACTS.items():
                level = rng.uniform(lo, hi) * (size if code in PER_PERSON else 1)
                speed = {"fast": 1.4, "medium": 1.0, "slow": 0.5}[life.tier]
                life.acts[code] = (level, g * speed)
        else:
            life.staff = OFFICE_STAFF.get(u.code, 10)
            for code, ((lo, hi), target) in OFFICE_RATES.items():
                life.start[code] = rng.uniform(lo, hi)
                life.end[code] = min(100.0, target + rng.uniform(0, 2))
                life.shape[code] = rng.uniform(0.7, 1.3)
            for code in u.activities:
                lo, hi, g = BODY_ACTS[code]
                life.acts[code] = (rng.uniform(lo, hi), g)
        lives[u.code] = life
    return lives


def _count(rng, den: int, rate: float) -> int:
    return max(0, min(den, round(den * (rate + rng.uniform(-0.4, 0.4)) / 100)))


def unit_values(catalog, unit, life: Life, year: int, rng) -> dict:
    """The indicator values of ``unit`` for ``year``, following its life."""
    t = year - FIRST
    v: dict = {}
    if catalog.is_commune(unit):
        pop = int(life.pop * (1 + life.growth) ** t)
        p1560, p1535, labour = int(pop * 0.63), int(pop * 0.37), int(pop * 0.52)
        staff = life.staff + (1 if t % 3 == 2 else 0) - (1 if t % 4 == 3 else 0)
        left = 1 - _progress(year, 0.8)
        ill_end = 0 if life.tier != "slow" else 2
        v = {"XMC": "Đạt", "PCGD_MN5": "Đạt", "PCGD_TH": "Đạt", "PCGD_THCS": "Đạt",
             "PC_BAC_TH": "Đạt" if year >= life.year_pc_bac_th else "Chưa đạt",
             "BIET_CHU_15_60": (p1560 - max(ill_end, round(life.illiterate_1560 * left)), p1560),
             "BIET_CHU_15_35": (p1535 - round(life.illiterate_1535 * left), p1535),
             "TTHTCD_THUONG_XUYEN": (1 if year >= life.year_regular or year >= life.year_good else 0, 1),
             "TTHTCD_CL_TOT": (1 if year >= life.year_good else 0, 1)}
        dens = {"CBCCVC_CNTT": staff, "CBCCVC_NN_B2": staff, "CBCCVC_NN_B3": staff, "CB_XA_BD_QL": life.cb,
                "CB_XA_CHUAN_CM": life.cb, "CC_XA_BD_BB": life.cc, "LDNT_TTHTCD": labour}
    else:
        staff = life.staff + (1 if t % 3 == 1 else 0)
        leaders = max(2, staff // 5)
        dens = {"CBCCVC_CNTT": staff, "CBCCVC_NN_B2": staff, "CBCCVC_NN_B3": staff, "CBCC_HUYEN_CHUAN": staff,
                "CBCC_HUYEN_LANH_DAO": leaders, "CBCC_HUYEN_BD_BB": staff}
        if unit.code in ("PGDDT", "TTGDTX"):
            hs, lo, hi = (31_800 + 600 * t, 33, 52) if unit.code == "PGDDT" else (640 + 20 * t, 42, 58)
            v["HS_KNS"] = (_count(rng, hs, lo + (hi - lo) * _progress(year, 1.0)), hs)
        if unit.code == "LDLD":
            cn = 4_600 + 150 * t
            v.update({"CNLD_TH_NN": (_count(rng, cn, 34 + 2.5 * t), cn),
                      "CNLD_THPT": (_count(rng, cn, 87 + 1.2 * t), cn),
                      "CNLD_HOC_NGHE": (_count(rng, cn, 91 + 1.0 * t), cn),
                      "CNLD_TAY_NGHE_CAO": (_count(rng, cn, 18 + 1.5 * t), cn)})
    for code, den in dens.items():
        if code in life.start:
            rate = life.start[code] + (life.end[code] - life.start[code]) * _progress(year, life.shape[code])
            v[code] = (_count(rng, den, rate), den)
    return {k: val for k, val in v.items() if k in unit.indicators}


def unit_activities(unit, life: Life, year: int, rng) -> dict[str, int]:
    t = year - FIRST
    out = {}
    for code in unit.activities:
        level, growth = life.acts[code]
        out[code] = max(0, round(level * (1 + growth) ** t * rng.uniform(0.93, 1.07)))
    if "NV4_TTHTCD_INTERNET" in out:
        out["NV4_TTHTCD_INTERNET"] = 1 if year >= life.year_internet else 0
    if "NV6_NGHI_HUU" in out and "NV6_CONG_TAC_VIEN" in out:
        out["NV6_NGHI_HUU"] = min(out["NV6_NGHI_HUU"], out["NV6_CONG_TAC_VIEN"])
    if "NV2_THU_VIEN" in out and unit.code == "PVHTT":
        out["NV2_THU_VIEN"] = 1
    return out


def unit_texts(unit, rng) -> dict[str, str]:
    out = {task: rng.choice(REMARKS[task]) for task in unit.tasks if rng.random() < 0.25}
    out[L.LIMITS_CODE] = rng.choice(LIMITS)
    out[L.PROPOSALS_CODE] = rng.choice(PROPOSALS)
    return out


def fill(wb, values, activities, texts, funding, report_date, preparer):
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
        if code in activities:
            ts[f"{L.TASK_COLS['count']}{row[0].row}"] = activities[code]
        elif code in texts:
            ts[f"{L.TASK_COLS['text']}{row[0].row}"] = texts[code]
    if L.FUNDING_SHEET in wb.sheetnames:
        fs = wb[L.FUNDING_SHEET]
        for row in fs.iter_rows(min_row=L.FUNDING_HEADER_ROW + 1):
            code = row[L.col_index(L.FUNDING_COLS["code"])].value
            if code in funding:
                fs[f"{L.FUNDING_COLS['amount']}{row[0].row}"] = funding[code]


def make_year(catalog, inputs: Path, year: int, lives: dict[str, Life]) -> list[Path]:
    missing, resubmitted, bad_unit, bad_ind = FLAWS[year]
    folder = inputs / "submissions" / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.xlsx"):
        old.unlink()
    written = []
    for unit in catalog.expected_units(year):
        life = lives[unit.code]
        rng = random.Random(f"xhht-samples-{year}-{unit.code}")
        values = unit_values(catalog, unit, life, year, rng)
        acts = unit_activities(unit, life, year, rng)
        t = year - FIRST
        own = random.Random(f"xhht-funding-{unit.code}")  # the unit's usual budget, the same every year
        if catalog.is_commune(unit):
            funding = {"NSNN": round(life.pop * 4_000 * (1 + 0.06 * t) * rng.uniform(0.9, 1.1), -5),
                       "XHH": round(life.pop * 2_000 * (1 + 0.08 * t) * rng.uniform(0.8, 1.2), -5)}
        else:
            base = own.randrange(5, 30) * 1_000_000
            funding = {"NSNN": round(base * (1 + 0.05 * t) * rng.uniform(0.9, 1.1), -5)} if own.random() < 0.6 else {}
        texts = unit_texts(unit, rng)
        day = dt.date(year, 12, rng.randint(5, 15) if rng.random() < 0.88 else rng.randint(16, 19))
        if unit.code == catalog.office.unit:  # the office's own report is never late to itself
            day = min(day, catalog.office.deadline(year))
        if unit.code == missing:
            continue
        if unit.code == bad_unit:  # a typo: the numerator exceeds the denominator
            num, den = values[bad_ind]
            values[bad_ind] = (den + rng.randint(1, max(2, den // 300)), den)
        name = form_filename(unit, year)
        if unit.code == resubmitted:  # a first version with a typed error, corrected a few days later
            first_values, first_acts = dict(values), dict(acts)
            code = next((k for k, v in values.items() if isinstance(v, tuple)), None)
            if code is not None:
                first_values[code] = (values[code][0], -values[code][1])
            else:
                code = next(iter(acts))
                first_acts[code] = -acts[code]
            wb = build_form(catalog, unit, year)
            fill(wb, first_values, first_acts, texts, funding, day - dt.timedelta(days=4), life.preparer)
            save_workbook(wb, folder / name)
            written.append(folder / name)
            name = name.replace(".xlsx", "_bo-sung.xlsx")
        wb = build_form(catalog, unit, year)
        fill(wb, values, acts, texts, funding, day, life.preparer)
        save_workbook(wb, folder / name)
        written.append(folder / name)
    return written


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", default=str(ROOT / "inputs"))
    ap.add_argument("--years", nargs="*", type=int, default=sorted(FLAWS))
    args = ap.parse_args(argv)
    catalog = load_catalog(args.inputs)
    lives = draw_lives(catalog)
    for year in args.years:
        paths = make_year(catalog, Path(args.inputs), year, lives)
        print(f"{year}: {len(paths)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
