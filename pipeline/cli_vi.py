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
}


def _vi(message: str) -> str:
    return VI.get(message, message)


def install() -> None:
    """Make click speak Vietnamese for the strings above."""
    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.types):
        if hasattr(module, "_"):
            module._ = _vi
