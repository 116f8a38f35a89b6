"""The one exception hierarchy of xhht.

Library code raises these; only :mod:`pipeline.cli` turns them into a Vietnamese message on stderr and
an exit code. Problems in *submitted data* are not exceptions: they are collected as
:class:`pipeline.issues.Issue` values so that one bad file never stops the other units.
"""

from __future__ import annotations


class XhhtError(Exception):
    """Base class: a condition that stops the command. ``str(err)`` is the Vietnamese message."""

    exit_code = 1


class UsageError(XhhtError):
    """The command was asked for something that cannot make sense (e.g. a year outside the plan)."""

    exit_code = 2


class CatalogError(XhhtError):
    """The plan, units or office data is malformed. Carries every problem found, not just the first."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        head = "Dữ liệu kế hoạch/đơn vị/cơ quan có lỗi, chưa thể chạy:"
        super().__init__("\n".join([head] + [f"  - {p}" for p in self.problems]))

    def __reduce__(self):  # rebuilt from its problems when a job sends it back from a child process
        return type(self), (self.problems,)


class InputError(XhhtError):
    """An input folder or file the command needs is missing or unusable."""


class RenderError(XhhtError):
    """A template could not be rendered (missing variable, bad tag). Names the template."""


class OutputError(XhhtError):
    """An output could not be written; nothing partial is left behind."""


class NothingToReport(XhhtError):
    """No usable submission exists for the year, so no document can be produced."""
