"""Vietnamese for click's own words (usage line, headings, standard errors).

click marks its strings with gettext but ships no Vietnamese catalog; this module installs a small
one, so that "Usage:", "Missing option" and "Invalid value for" read in Vietnamese like the rest of
xhht. Strings not listed here stay as click wrote them.
"""

from __future__ import annotations

import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.termui
import click.types

VI = {
    "Usage:": "Cách dùng:",
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Show this message and exit.": "Hiện hướng dẫn này rồi thoát.",
    "Show the version and exit.": "Hiện phiên bản rồi thoát.",
    "Error: {message}": "Lỗi: {message}",
    "Try '{command} {option}' for help.": "Xem hướng dẫn: '{command} {option}'.",
    "Missing option": "Thiếu tùy chọn",
    "Missing argument": "Thiếu tham số",
    "Missing parameter": "Thiếu tham số",
    "Missing command.": "Thiếu tên lệnh.",
    "No such command {name!r}.": "Không có lệnh {name!r}.",
    "No such option {name!r}.": "Không có tùy chọn {name!r}.",
    "Invalid value for {param_hint}: {message}": "Giá trị không hợp lệ cho {param_hint}: {message}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "default: {default}": "mặc định: {default}",
    "required": "bắt buộc",
    "{value!r} is not a valid {number_type}.": "{value!r} không phải là {number_type} hợp lệ.",
    "integer": "số nguyên",
    "integer range": "số nguyên",
    "{value} is not in the range {range}.": "{value} nằm ngoài khoảng {range}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} không tồn tại.",
    "{name} {filename!r} is a file.": "{name} {filename!r} là một tệp.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} là một thư mục.",
    "file": "Tệp",
    "directory": "Thư mục",
    "path": "Đường dẫn",
    "Aborted!": "Đã dừng.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} không đọc được (không có quyền đọc).",
    "{name} {filename!r} is not writable.": "{name} {filename!r} không ghi được (không có quyền ghi).",
    "{name} {filename!r} is not executable.": "{name} {filename!r} không chạy được.",
    "Could not open file {filename!r}: {message}": "Không mở được tệp {filename!r}: {message}",
    "Option {name!r} does not take a value.": "Tùy chọn {name!r} không nhận giá trị.",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "Missing {param_type}": "Thiếu {param_type}",
    "Argument {name!r} takes {nargs} values.": "Tham số {name!r} cần {nargs} giá trị.",
    "Choose from:\n\t{choices}": "Chọn một trong:\n\t{choices}",
    "Positional arguments": "Tham số",
    "Error: invalid input": "Lỗi: giá trị không hợp lệ",
    "Do you want to continue?": "Tiếp tục?",
    "unknown error": "lỗi không rõ",
    "float": "số thực",
    "float range": "số thực",
    "boolean": "giá trị đúng/sai",
    "text": "chuỗi",
    "env var: {var}": "biến môi trường: {var}",
    "(dynamic)": "(tùy lúc chạy)",
    "%(prog)s, version %(version)s": "%(prog)s, phiên bản %(version)s",
}

# click's plural-aware messages: (singular, plural) -> (Vietnamese singular, Vietnamese plural)
VI_PLURAL = {
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Có phải ý bạn là {possibility}?", "(Có phải ý bạn là một trong: {possibilities}?)"),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("{value!r} không phải là {choice}.", "{value!r} không phải là một trong các giá trị {choices}."),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("Tùy chọn {name!r} cần một giá trị.", "Tùy chọn {name!r} cần {nargs} giá trị."),
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Thừa tham số không dùng đến ({args})", "Thừa các tham số không dùng đến ({args})"),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("Cần {nargs} giá trị nhưng chỉ có 1.", "Cần {nargs} giá trị nhưng có {len}."),
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."):
        ("Cần {len_type} giá trị nhưng có {len_value}.", "Cần {len_type} giá trị nhưng có {len_value}."),
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."):
        ("{value!r} không đúng dạng {format}.", "{value!r} không đúng các dạng {formats}."),
}


def _vi(message: str) -> str:
    return VI.get(message, message)


def _vi_n(singular: str, plural: str, n: int) -> str:
    vi = VI_PLURAL.get((singular, plural))
    if vi is None:
        return singular if n == 1 else plural
    return vi[0] if n == 1 else vi[1]


# metavars shown in help instead of click's TEXT, INTEGER, INTEGER RANGE, PATH, FILENAME
METAVARS = {"integer": "SỐ", "integer range": "SỐ", "float": "SỐ", "float range": "SỐ", "text": "CHUỖI",
            "số nguyên": "SỐ", "số thực": "SỐ",
            "path": "ĐƯỜNG_DẪN", "filename": "TỆP", "boolean": "CÓ/KHÔNG", "datetime": "NGÀY"}


def vietnamese_metavars(command: click.core.Command) -> None:
    """Give every option and argument of ``command`` (and its subcommands) a Vietnamese metavar."""
    command.options_metavar = "[TÙY_CHỌN]"
    if isinstance(command, click.Group):
        command.subcommand_metavar = "LỆNH [THAM_SỐ]..."
    for param in command.params:
        if param.metavar is None and not getattr(param, "is_flag", False) and not isinstance(param.type, click.Choice):
            name = getattr(param.type, "name", "")
            if isinstance(param.type, click.Path):
                name = "filename" if param.type.file_okay and not param.type.dir_okay else "path"
                if param.type.dir_okay and not param.type.file_okay:
                    param.metavar = "THƯ_MỤC"
                    continue
            if name in METAVARS:
                param.metavar = METAVARS[name]
    for sub in getattr(command, "commands", {}).values():
        vietnamese_metavars(sub)


def install() -> None:
    """Make click speak Vietnamese for the strings above."""
    # the type names click puts into "'x' is not a valid integer" (metavars are set by vietnamese_metavars)
    click.types.IntParamType.name = "số nguyên"
    click.types.IntRange.name = "số nguyên"
    click.types.FloatParamType.name = "số thực"
    click.types.FloatRange.name = "số thực"
    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.types, click.parser,
                   click.termui):
        if hasattr(module, "_"):
            module._ = _vi
        if hasattr(module, "ngettext"):
            module.ngettext = _vi_n
