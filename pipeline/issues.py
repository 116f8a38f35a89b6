"""Problems found in submissions, as values: a stable code, a severity, where, and what to do.

Every stage appends :class:`Issue` objects instead of raising, so one pass reports every problem of
every file. The message text is Vietnamese and is built from a template per code, so the same
problem is always worded the same way (tests pin the exact wording).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum


class Severity(str, Enum):
    """How serious an issue is: an error excludes the value or file, a warning keeps it."""

    ERROR = "error"      # the value or file is excluded
    WARNING = "warning"  # kept, but someone should look
    INFO = "info"        # recorded for the archive (e.g. a superseded version)

    @property
    def label(self) -> str:
        return {"error": "Lỗi", "warning": "Cảnh báo", "info": "Thông tin"}[self.value]


# code -> (severity, message template). Placeholders are filled from Issue.params.
CATALOG: dict[str, tuple[Severity, str]] = {
    "file-empty": (Severity.ERROR, "Tệp rỗng (0 byte). Hãy gửi lại tệp biểu mẫu đã nhập số liệu."),
    "file-corrupt": (Severity.ERROR,
                     "Tệp bị hỏng hoặc chưa được tải về đầy đủ (không mở được gói dữ liệu của tệp). "
                     "Hãy đề nghị đơn vị gửi lại tệp."),
    "file-not-workbook": (Severity.ERROR,
                          "Tệp có đuôi {suffix} nhưng nội dung không phải bảng tính Excel/LibreOffice. "
                          "Hãy mở tệp, lưu lại dạng .xlsx rồi gửi lại."),
    "password-protected": (Severity.ERROR,
                           "Tệp được đặt mật khẩu nên không đọc được. Hãy bỏ mật khẩu mở tệp (Excel: Tệp > Thông tin "
                           "> Bảo vệ sổ làm việc) rồi gửi lại."),
    "file-too-large": (Severity.ERROR,
                       "Tệp có dung lượng {size} MB, vượt giới hạn {limit} MB của một biểu mẫu. Hãy gửi đúng tệp biểu "
                       "mẫu, không chèn ảnh hay dữ liệu khác."),
    "zip-too-large": (Severity.ERROR,
                      "Dữ liệu giải nén của tệp lên tới {size} MB, vượt giới hạn {limit} MB; tệp không được đọc để "
                      "bảo vệ máy tính. Hãy gửi đúng tệp biểu mẫu."),
    "file-unreadable": (Severity.ERROR,
                        "Không đọc được tệp như một bảng tính Excel ({detail}). Hãy mở tệp bằng Excel, "
                        "lưu lại dạng .xlsx và gửi lại."),
    "not-a-form": (Severity.ERROR,
                   "Tệp không phải biểu mẫu xhht (không có trang thông tin '{sheet}'). Hãy nhập số liệu vào "
                   "biểu mẫu do Phòng GD&ĐT gửi."),
    "meta-missing": (Severity.ERROR,
                     "Biểu mẫu thiếu thông tin '{field}' ở trang '{sheet}'. Hãy dùng biểu mẫu gốc, không xóa trang này."),
    "wrong-year": (Severity.ERROR,
                   "Biểu mẫu này là của năm {form_year}, không phải năm {year}. Hãy gửi biểu mẫu năm {year}."),
    "unknown-unit": (Severity.ERROR,
                     "Mã đơn vị '{unit}' không có trong danh sách đơn vị báo cáo. Hãy dùng biểu mẫu đúng của đơn vị."),
    "unit-not-expected": (Severity.ERROR,
                          "Đơn vị '{unit}' không thuộc danh sách phải báo cáo năm {year} (đơn vị đã sáp nhập hoặc "
                          "chưa thành lập)."),
    "superseded": (Severity.INFO,
                   "Đơn vị đã gửi bản mới hơn ({newer}, {newer_when}); bản này ({when}) không được dùng để tổng hợp."),
    "ambiguous-version": (Severity.ERROR,
                          "Đơn vị có hai tệp khác nhau cùng thời điểm ({when}): '{file}' và {others}. Không biết bản "
                          "nào là bản đúng nên chưa dùng tệp nào. Hãy xác nhận với đơn vị rồi xóa tệp sai khỏi thư mục."),
    "identity-mismatch": (Severity.ERROR,
                          "Tệp mang mã của {name} nhưng {where} chỉ {other}. Tệp chưa được dùng cho đơn vị nào; hãy "
                          "xác nhận với hai đơn vị xem đây là báo cáo của ai."),
    "identity-other-unit": (Severity.ERROR,
                            "Có thể {other} đã gửi nhầm biểu mẫu của {name} (tệp này, {where}). Tệp chưa được dùng; "
                            "hãy xác nhận với đơn vị và đề nghị gửi lại đúng biểu mẫu của mình."),
    "duplicate-indicator": (Severity.ERROR,
                            "Chỉ tiêu '{indicator}' ({label}) có hai dòng (dòng {first} và dòng {second}); chưa dùng "
                            "dòng nào. Hãy xóa dòng thừa, chỉ giữ số liệu năm nay."),
    "excel-error": (Severity.ERROR,
                    "Ô '{label}' có lỗi công thức {value}. Hãy sửa công thức hoặc nhập số trực tiếp."),
    "renamed-sheet": (Severity.WARNING,
                      "Trang số liệu đã bị đổi tên thành '{sheet}' (tên đúng: '{expected}'); số liệu vẫn được đọc. "
                      "Hãy giữ nguyên tên trang."),
    "out-of-bounds": (Severity.ERROR,
                      "Giá trị {value} của '{label}' nằm ngoài khoảng hợp lý {low}–{high} cho {kind}; số liệu này "
                      "không được tính. Hãy kiểm tra lại (có thể gõ thừa chữ số)."),
    "above-median": (Severity.ERROR,
                     "Giá trị {value} của '{label}' gấp hơn {factor} lần trung vị của các đơn vị cùng loại ({median}); "
                     "số liệu này không được tính. Hãy kiểm tra lại (có thể gõ thừa chữ số)."),
    "run-before-deadline": (Severity.WARNING,
                            "Ngày báo cáo {date} sớm hơn hạn nộp {deadline}: các đơn vị còn trong hạn, chưa đơn vị nào "
                            "bị tính là nộp muộn; báo cáo lập lúc này chưa đầy đủ."),
    "run-before-last-receipt": (Severity.WARNING,
                                "Ngày báo cáo {date} sớm hơn lần nhận tệp cuối cùng {last} ({last_file}). Hãy kiểm tra "
                                "lại ngày báo cáo (--date)."),
    "step-failed": (Severity.ERROR,
                    "Gặp lỗi khi {step} ({detail}); các đơn vị khác vẫn được xử lý bình thường. Hãy gửi tệp này "
                    "cho người quản trị xhht."),
    "missing-submission": (Severity.WARNING, "{name} (mã {unit_code}) chưa gửi báo cáo năm {year}."),
    "formula-no-value": (Severity.ERROR,
                         "Ô '{label}' chứa công thức nhưng chưa có kết quả tính (tệp được lưu bằng chương trình không "
                         "tính công thức). Hãy mở tệp bằng Excel hoặc LibreOffice, lưu lại rồi gửi, hoặc nhập số trực tiếp."),
    "percent-typed": (Severity.ERROR,
                      "Giá trị '{value}' của '{label}' là tỷ lệ phần trăm; biểu mẫu cần số đếm (số người, số đơn vị), "
                      "tỷ lệ do phần mềm tự tính."),
    "ambiguous-number": (Severity.ERROR,
                         "Giá trị '{value}' của '{label}' không rõ nghĩa (có thể là {a} hoặc {b}). Hãy nhập số nguyên "
                         "không có dấu chấm, dấu phẩy."),
    "number-as-text": (Severity.INFO,
                       "Giá trị '{value}' của '{label}' được nhập dạng chữ; đã hiểu là {number}."),
    "merged-input": (Severity.WARNING,
                     "Ô nhập số liệu nằm trong vùng gộp ô {range}; hãy bỏ gộp ô để mỗi số liệu ở một ô."),
    "hidden-sheet": (Severity.WARNING, "Trang '{sheet}' đang bị ẩn; số liệu vẫn được đọc. Hãy bỏ ẩn trang này."),
    "rule-error": (Severity.ERROR, "{message} ({detail})."),
    "rule-warning": (Severity.WARNING, "{message} ({detail})."),
    "rule-missing-error": (Severity.ERROR, "Không kiểm tra được quy tắc '{rule}' vì thiếu số liệu hợp lệ: {terms}."),
    "rule-missing-warning": (Severity.WARNING, "Không kiểm tra được quy tắc '{rule}' vì thiếu số liệu hợp lệ: {terms}."),
    "outlier-rate": (Severity.WARNING,
                     "'{label}' thay đổi {delta} điểm phần trăm so với năm {prev_year} ({before} → {after}), "
                     "vượt ngưỡng {limit} điểm; hãy kiểm tra lại số liệu."),
    "outlier-count": (Severity.WARNING,
                      "'{label}' thay đổi {delta}% so với năm {prev_year} ({before} → {after}), vượt ngưỡng {limit}%; "
                      "hãy kiểm tra lại số liệu."),
    "legacy-encoding": (Severity.WARNING,
                        "Chữ ở ô này được gõ bằng bảng mã cũ {encoding}; đã chuyển sang Unicode: \"{sample}\". Lần sau "
                        "hãy gõ bằng bảng mã Unicode (trong Unikey chọn bảng mã Unicode)."),
    "not-a-number": (Severity.ERROR,
                     "Giá trị '{value}' của '{label}' không phải là số. Hãy nhập một số nguyên (ví dụ 1234)."),
    "not-integer": (Severity.ERROR,
                    "Giá trị {value} của '{label}' phải là số nguyên (số người, số đơn vị), không có phần thập phân."),
    "negative": (Severity.ERROR, "Giá trị {value} của '{label}' là số âm. Hãy nhập số lớn hơn hoặc bằng 0."),
    "missing-value": (Severity.ERROR, "Chưa nhập '{label}' (bắt buộc). Hãy nhập số liệu, nếu không có thì nhập 0."),
    "numerator-gt-denominator": (Severity.ERROR,
                                 "'{num_label}' ({num}) lớn hơn '{den_label}' ({den}). Hãy kiểm tra lại hai số này."),
    "zero-denominator": (Severity.WARNING,
                         "'{den_label}' bằng 0 nên không tính được tỷ lệ; chỉ tiêu này của đơn vị không được tính."),
    "bad-status": (Severity.ERROR,
                   "Giá trị '{value}' của '{label}' không hợp lệ. Hãy chọn một trong: {options}."),
    "bad-money": (Severity.ERROR,
                  "Giá trị '{value}' của '{label}' không phải là số tiền hợp lệ (đồng). Hãy nhập số nguyên không âm."),
    "bad-date": (Severity.WARNING,
                 "Ngày báo cáo '{value}' không đọc được; đã dùng ngày nhận tệp."),
    "indicator-missing": (Severity.ERROR,
                          "Biểu mẫu không có dòng của chỉ tiêu '{indicator}' ({label}). Hãy dùng biểu mẫu gốc năm {year}."),
    "no-narrative": (Severity.WARNING,
                     "Đơn vị chưa ghi kết quả thực hiện nhiệm vụ nào ở trang '{sheet}'."),
    "no-activities": (Severity.WARNING,
                      "Đơn vị chưa nhập số lượng hoạt động nào ở trang '{sheet}'. Hãy nhập số lượng từng hoạt động "
                      "trong năm (không có thì nhập 0)."),
    "activity-implausible": (Severity.WARNING,
                             "'{label}' là {value} {measure}, gấp {factor} lần mức phổ biến của các {kind} "
                             "({median}). Hãy kiểm tra lại; nếu số liệu đúng, đề nghị xác nhận."),
    "activity-missing": (Severity.WARNING,
                         "Chưa nhập số lượng '{label}'; số này chưa được tính vào tổng của huyện. Nếu không có, "
                         "hãy nhập 0."),
    "activity-row-missing": (Severity.WARNING,
                             "Biểu mẫu không có dòng của hoạt động '{activity}' ({label}). Hãy dùng biểu mẫu gốc "
                             "năm {year}."),
    "remark-too-long": (Severity.WARNING,
                        "Ghi chú dài {length} ký tự, quá {limit} ký tự của một ghi chú ngắn; vẫn được ghi nhận. "
                        "Lần sau hãy ghi ngắn gọn."),
    "report-date-outside": (Severity.WARNING,
                            "Ngày báo cáo {date} nằm ngoài thời gian báo cáo năm {year} (từ {start} đến {end}); "
                            "hãy kiểm tra lại ngày báo cáo."),
    "old-form-version": (Severity.WARNING,
                         "Biểu mẫu phiên bản {form_version} khác phiên bản hiện hành {current}; số liệu vẫn được đọc."),
}


@dataclass(frozen=True)
class Issue:
    """One problem, located as precisely as the source allows (file, sheet, cell)."""

    code: str
    unit: str = ""
    file: str = ""
    sheet: str = ""
    cell: str = ""
    indicator: str = ""
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def make(cls, code: str, *, unit: str = "", file: str = "", sheet: str = "", cell: str = "",
             indicator: str = "", **params: object) -> "Issue":
        if code not in CATALOG:
            raise KeyError(f"unknown issue code {code!r}")
        issue = cls(code, unit, file, sheet, cell, indicator,
                    tuple((k, "" if v is None else str(v)) for k, v in params.items()))
        issue.message  # fail here, at the cause, if a template placeholder has no value
        return issue

    @property
    def severity(self) -> Severity:
        return CATALOG[self.code][0]

    @property
    def message(self) -> str:
        fields = dict(unit=self.unit, file=self.file, sheet=self.sheet, cell=self.cell, indicator=self.indicator)
        return CATALOG[self.code][1].format(**{**fields, **dict(self.params)})

    @property
    def location(self) -> str:
        """``tệp, trang 'Số liệu', ô E12`` (only the parts that are known)."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"trang '{self.sheet}'")
        if self.cell:
            parts.append(f"ô {self.cell}")
        return ", ".join(parts)

    def text(self) -> str:
        """The full line shown to a person: ``Lỗi [negative] tệp, trang, ô: message``."""
        where = f" {self.location}:" if self.location else ":"
        return f"{self.severity.label} [{self.code}]{where} {self.message}"

    def to_dict(self) -> dict[str, str]:
        d = asdict(self)
        d.pop("params")
        d.update(severity=self.severity.value, message=self.message)
        return d


def count(issues: list[Issue], severity: Severity) -> int:
    return sum(1 for i in issues if i.severity is severity)
