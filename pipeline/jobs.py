"""One small job abstraction for the work a run does beside its main line (the KH, the feedback, last year).

    job = start(fn, *args, **kwargs)     # begins now on the second core where the OS can fork
    value = job.result()                 # fn's return value, or fn's own exception raised here

Where ``os.fork`` exists (Linux, macOS) each job is a forked child: it starts in a few milliseconds
with everything already imported and its arguments already in memory (nothing is pickled on the
way in), runs ``fn``, sends back the pickled result and exits; it never outlives its job. Where
there is no fork (Windows), or with ``XHHT_NO_FORK=1``, the job runs in this process when its result
is asked for: the same code path, one core.

:class:`Spawned` runs a call in a new interpreter instead (work that needs none of this process's memory),
and :class:`Threaded` on a thread of this process (work that waits on the disk); both have the same
``result()``.

A failure in the child is re-raised in the parent as the *same exception type* with the same
arguments (so an :class:`~pipeline.errors.XhhtError` keeps its message and exit code), chained to a
:class:`ChildTraceback` that carries the child's formatted traceback. An exception that cannot be
pickled, or a child that dies without a word, becomes a :class:`~pipeline.errors.RenderError`.
"""

from __future__ import annotations

import os
import pickle
import signal
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
        self._value = _outcome(b"".join(chunks), status)
        return self._value

    def stop(self) -> None:
        """End the job without its result: a forked child is killed and reaped; a job that would run in this
        process when asked (no fork) is not run."""
        if self._done:
            return
        self._done = True
        if self._pid is None:
            return
        try:
            os.kill(self._pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        os.close(self._read)
        os.waitpid(self._pid, 0)


def _outcome(payload: bytes, status: int) -> Any:
    """The value a child sent back, or its exception raised here (see the module docstring)."""
    kind, body = payload[:1], payload[1:]
    if kind == b"R" and status == 0:
        return pickle.loads(body)
    if kind == b"E":
        exc, tb = pickle.loads(body)
        raise exc from ChildTraceback(tb)
    if kind == b"T":
        name, message, tb = pickle.loads(body)
        raise RenderError(message or f"Tiến trình phụ dừng bất thường ({name}).") from ChildTraceback(tb)
    raise RenderError(f"Tiến trình phụ dừng bất thường (mã {status}).")


def _child(write: int, fn, args, kwargs) -> None:  # pragma: no cover - runs in the child
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


def can_spawn() -> bool:
    """True where :class:`Spawned` can start a new interpreter: not in a frozen application (whose executable
    is the application itself), and with the interpreter's executable present."""
    import sys

    return not getattr(sys, "frozen", False) and bool(sys.executable) and os.path.isfile(sys.executable)


class Spawned:
    """A call running in a new interpreter (not a fork), with the same ``result()`` as a :class:`Job`.

    For work that needs none of this process's memory and would contend with it for the GIL from a
    thread: copying a version's 21.000 inputs from a thread took 8 s beside the summary workbook and
    slowed it by half (each of the copy's system calls waits for the GIL when it returns). ``fn`` is
    found again by its module and name; its arguments go in pickled through the child's standard input
    and its value (or exception, as for a :class:`Job`) comes back through its standard output. The
    child costs an interpreter's start (about 60 ms of the other core).
    """

    def __init__(self, fn: Callable[..., Any], *args, **kwargs):
        import subprocess
        import sys

        # this very ``pipeline`` first on the child's path, before the folder it starts in (``-c`` puts that first:
        # a folder named pipeline there, an older copy, would be imported instead)
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self._proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                                       "from pipeline.jobs import _spawned; _spawned()", root],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._done = False
        self._value: Any = None
        # (a pipe holds 64 KiB: past that, this waits for the child to start and read the rest, some 50 ms;
        # no thread to send it, so that no thread is running when a job forks)
        try:
            self._proc.stdin.write(pickle.dumps((fn.__module__, fn.__qualname__, args, kwargs),
                                                protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:  # the child died before reading: its status says so
            pass
        except BaseException:  # interrupted while sending: no child left behind
            self.stop()
            raise
        finally:
            try:
                self._proc.stdin.close()
            except OSError:
                pass

    def stop(self) -> None:
        """End the call without its result: the child is killed and reaped."""
        if self._done:
            return
        self._done = True
        self._proc.kill()
        self._proc.wait()
        self._proc.stdout.close()

    def result(self) -> Any:
        """Return the call's value, or raise the exception it raised."""
        if self._done:
            return self._value
        self._done = True
        out = self._proc.stdout.read()
        self._proc.stdout.close()
        status = self._proc.wait()
        self._value = _outcome(out, status)
        return self._value


def _spawned() -> None:  # pragma: no cover - the new interpreter's side of Spawned
    import importlib
    import sys

    def call() -> Any:  # (a function that cannot be found again fails here, and comes back as any failure)
        module, name, args, kwargs = pickle.load(sys.stdin.buffer)
        fn = importlib.import_module(module)
        for part in name.split("."):
            fn = getattr(fn, part)
        return fn(*args, **kwargs)

    _child(sys.stdout.fileno(), call, (), {})


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

    def stop(self) -> None:
        """A thread cannot be killed: wait for it, its outcome ignored."""
        self._thread.join()

    def result(self) -> Any:
        """Return the call's value, or raise the exception it raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def one_after_another(*calls: tuple[Callable[..., Any], tuple, dict] | None) -> None:
    """Make each call ``(fn, args, kwargs)`` in turn (None: skipped): several calls as one job."""
    for call in calls:
        if call is not None:
            fn, args, kwargs = call
            fn(*args, **kwargs)


def start(fn: Callable[..., Any], *args, **kwargs) -> Job:
    """Start ``fn(*args, **kwargs)`` beside the main work (see the module docstring)."""
    return Job(fn, args, kwargs)


def stop_all(jobs: list) -> None:
    """End every job without waiting for its work (children killed and reaped, jobs not yet run not run):
    used when the run already fails for another reason, before its staging folder is removed."""
    for job in jobs:
        if job is not None:
            try:
                job.stop()
            except BaseException:  # noqa: BLE001 - the first error is the one to report
                pass
