"""One small job abstraction for the work a run does beside its main line (the KH, the feedback, last year).

    job = start(fn, *args, **kwargs)     # begins now on the second core where the OS can fork
    value = job.result()                 # fn's return value, or fn's own exception raised here

Where ``os.fork`` exists (Linux, macOS) each job is a forked child: it starts in a few milliseconds
with everything already imported and its arguments already in memory (nothing is pickled on the
way in), runs ``fn``, sends back the pickled result and exits; it never outlives its job. Where
there is no fork (Windows), or with ``XHHT_NO_FORK=1``, the job runs in this process when its result
is asked for: the same code path, one core.

A failure in the child is re-raised in the parent as the *same exception type* with the same
arguments (so an :class:`~pipeline.errors.XhhtError` keeps its message and exit code), chained to a
:class:`ChildTraceback` that carries the child's formatted traceback. An exception that cannot be
pickled, or a child that dies without a word, becomes a :class:`~pipeline.errors.RenderError`.
"""

from __future__ import annotations

import os
import pickle
import traceback
from typing import Any, Callable

from .errors import RenderError


class ChildTraceback(Exception):
    """The traceback of a job that failed in a child process (attached as ``__cause__``)."""

    def __str__(self) -> str:
        return "\n\n" + self.args[0] if self.args else ""


def can_fork() -> bool:
    return hasattr(os, "fork") and os.environ.get("XHHT_NO_FORK") != "1"


class Job:
    """A call running beside the main one; :meth:`result` waits for it."""

    def __init__(self, fn: Callable[..., Any], args: tuple, kwargs: dict):
        self._call = (fn, args, kwargs)
        self._pid: int | None = None
        self._done = False
        self._value: Any = None
        if can_fork():
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child (coverage does not follow os._exit)
                os.close(read)
                _child(write, fn, args, kwargs)
            os.close(write)
            self._pid, self._read = pid, read

    def result(self) -> Any:
        """Return the job's value, or raise the exception it raised."""
        if self._done:
            return self._value
        self._done = True
        if self._pid is None:
            fn, args, kwargs = self._call
            self._value = fn(*args, **kwargs)
            return self._value
        chunks = []
        try:
            while True:
                data = os.read(self._read, 1 << 20)
                if not data:
                    break
                chunks.append(data)
        finally:
            os.close(self._read)
            _pid, status = os.waitpid(self._pid, 0)
        payload = b"".join(chunks)
        kind, body = payload[:1], payload[1:]
        if kind == b"R" and status == 0:
            self._value = pickle.loads(body)
            return self._value
        if kind == b"E":
            exc, tb = pickle.loads(body)
            raise exc from ChildTraceback(tb)
        if kind == b"T":
            name, message, tb = pickle.loads(body)
            raise RenderError(message or f"Tiến trình phụ dừng bất thường ({name}).") from ChildTraceback(tb)
        raise RenderError(f"Tiến trình phụ dừng bất thường (mã {status}).")


def _child(write: int, fn, args, kwargs) -> None:  # pragma: no cover - runs in the forked child
    code = 0
    try:
        try:
            payload = b"R" + pickle.dumps(fn(*args, **kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
            code = 1
            tb = traceback.format_exc()
            try:
                payload = b"E" + pickle.dumps((exc, tb), protocol=pickle.HIGHEST_PROTOCOL)
                pickle.loads(payload[1:])  # an exception whose class cannot be rebuilt is sent as text
            except Exception:  # noqa: BLE001
                payload = b"T" + pickle.dumps((type(exc).__name__, str(exc), tb))
        view = memoryview(payload)
        while view:
            view = view[os.write(write, view):]
    finally:
        os._exit(code)


class Threaded:
    """A call running on a thread of this process, with the same ``result()`` as a :class:`Job`: for work
    that waits on the disk rather than on Python (copying files), so it shares this process's memory."""

    def __init__(self, fn: Callable[..., Any], *args, **kwargs):
        import threading

        self._value: Any = None
        self._error: BaseException | None = None

        def target() -> None:
            try:
                self._value = fn(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 - raised again by result()
                self._error = exc

        self._thread = threading.Thread(target=target, daemon=True)
        self._thread.start()

    def result(self) -> Any:
        """Return the call's value, or raise the exception it raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def start(fn: Callable[..., Any], *args, **kwargs) -> Job:
    """Start ``fn(*args, **kwargs)`` beside the main work (see the module docstring)."""
    return Job(fn, args, kwargs)


def wait_all(jobs: list[Job | None]) -> None:
    """Reap every job (ignoring their failures): used when the run already fails for another reason."""
    for job in jobs:
        if job is not None:
            try:
                job.result()
            except BaseException:  # noqa: BLE001 - the first error is the one to report
                pass
