"""`stack up`, `down` and `status` over the stack's components."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.settings import ElasticsearchSettings, KafkaSettings, StackSettings
from pipeline.stack import process
from pipeline.stack.component import Component, Progress, tail
from pipeline.stack.elasticsearch import ElasticsearchServer
from pipeline.stack.health import port_open, split_host_port
from pipeline.stack.kafka import KafkaServer


class StackError(RuntimeError):
    """The stack could not be brought to the asked state; the message says why."""


@dataclass(frozen=True)
class Status:
    name: str
    healthy: bool
    external: bool
    address: str
    pid: int | None
    version: str | None
    detail: str


def components(stack: StackSettings | None = None) -> list[Component]:
    stack = stack or StackSettings()
    return [
        KafkaServer(stack, KafkaSettings()),
        ElasticsearchServer(stack, ElasticsearchSettings()),
    ]


def _lock_path(comps: list[Component]) -> Path:
    return comps[0].state_dir / "stack.lock"


def pid_record(comp: Component) -> process.PidFile | None:
    """The component's pid record: root's own, else one an earlier version left in the home
    (trusted only if we own it and it names this component's marker)."""
    for path in (comp.pid_path, comp.legacy_pid_path):
        record = process.PidFile.read(path)
        if record is not None and record.marker == comp.marker:
            return record
    return None


def _forget(comp: Component) -> None:
    comp.pid_path.unlink(missing_ok=True)
    comp.legacy_pid_path.unlink(missing_ok=True)


def _live_record(comp: Component) -> process.PidFile | None:
    record = pid_record(comp)
    return record if record and process.is_alive(record, comp.marker) else None


UNHEALTHY_GRACE_S = 20.0


def _healthy_within(comp: Component, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if comp.health(timeout_s=5.0).healthy:
            return True
        time.sleep(2.0)
    return False


def _plan(comp: Component, stack: StackSettings, progress: Progress) -> str:
    """Decides for one component: "ready" (leave it), "wait" (it is starting) or "start"."""
    record = pid_record(comp)
    if record and process.is_alive(record, comp.marker):
        health = comp.health()
        if health.healthy:
            progress(f"{comp.name}: already running (pid {record.pid}), {health.detail}")
            return "ready"
        age = time.time() - record.started_at
        if age < stack.start_timeout_s:
            progress(f"{comp.name}: pid {record.pid} started {age:.0f} s ago; waiting for it")
            return "wait"
        # A busy server (long GC, heavy indexing) can miss one probe: look again before
        # restarting it under whoever is using it.
        if _healthy_within(comp, UNHEALTHY_GRACE_S):
            progress(f"{comp.name}: already running (pid {record.pid}), slow to answer")
            return "ready"
        progress(
            f"{comp.name}: pid {record.pid} runs but is unhealthy ({health.detail}); restarting"
        )
        process.stop(record, stack.stop_timeout_s)
        _forget(comp)
        return "start"
    if record:
        progress(f"{comp.name}: pid {record.pid} is gone; cleaning up and restarting")
    _forget(comp)
    health = comp.health()
    if health.healthy:
        progress(
            f"{comp.name}: a server this stack did not start answers at {comp.address}; using it"
        )
        return "ready"
    host, port = split_host_port(comp.address, 0)
    if port_open(host, port):
        raise StackError(f"{comp.name}: {host}:{port} is taken by something that is not healthy "
                         f"{comp.name} ({health.detail}); free the port and retry")  # fmt: skip
    return "start"


def _failure(comp: Component, why: str) -> StackError:
    lines = [*tail(comp.console_log, 15), "...", *tail(comp.main_log, 15)]
    return StackError(f"{comp.name}: {why}. Last log lines:\n  " + "\n  ".join(lines))


def _wait_healthy(comps: list[Component], timeout_s: float, progress: Progress) -> None:
    started = time.monotonic()
    pending = list(comps)
    last_note = started
    while pending:
        for comp in list(pending):
            health = comp.health(timeout_s=3.0)
            if health.healthy:
                progress(f"{comp.name}: healthy after {time.monotonic() - started:.1f} s "
                         f"({health.detail})")  # fmt: skip
                pending.remove(comp)
            elif not comp.is_external() and _live_record(comp) is None:
                raise _failure(comp, "the process exited while starting")
        if not pending:
            return
        if time.monotonic() - started > timeout_s:
            raise _failure(pending[0], f"not healthy after {timeout_s:.0f} s")
        if time.monotonic() - last_note > 10:
            progress(f"waiting for {', '.join(c.name for c in pending)} "
                     f"({time.monotonic() - started:.0f} s)")  # fmt: skip
            last_note = time.monotonic()
        time.sleep(0.5)


def up(stack: StackSettings | None = None, progress: Progress = print) -> list[Status]:
    """Brings every local component to healthy; idempotent. External ones are only checked."""
    stack = stack or StackSettings()
    comps = components(stack)
    with process.locked(_lock_path(comps)):
        waiting: list[Component] = []
        for comp in comps:
            if comp.is_external():
                health = comp.health()
                if not health.healthy:
                    raise StackError(f"{comp.name}: external {comp.address} is not healthy "
                                     f"({health.detail}); nothing local is started for it")  # fmt: skip
                progress(f"{comp.name}: external at {comp.address}, {health.detail}")
                continue
            plan = _plan(comp, stack, progress)
            if plan != "start":
                if plan == "wait":
                    waiting.append(comp)
                continue
            comp.fetch(progress)
            launch = comp.prepare(progress)
            record = process.start(
                launch.cmd, pid_path=comp.pid_path, log_path=comp.console_log,
                marker=comp.marker, env=launch.env, cwd=launch.cwd, user=launch.user,
            )  # fmt: skip
            progress(f"{comp.name}: started (pid {record.pid}), logs in {comp.main_log.parent}")
            waiting.append(comp)
        _wait_healthy(waiting, stack.start_timeout_s, progress)
    return status(stack)


def down(
    stack: StackSettings | None = None,
    progress: Progress = print,
    only: set[str] | None = None,
) -> None:
    """Stops the local components (all, or those named in `only`) and their children;
    external ones are left alone."""
    stack = stack or StackSettings()
    comps = components(stack)
    with process.locked(_lock_path(comps)):
        for comp in comps:
            if only is not None and comp.name not in only:
                continue
            if comp.is_external():
                progress(f"{comp.name}: external; left alone")
                continue
            record = _live_record(comp)
            if record is None:
                progress(f"{comp.name}: not running")
            else:
                started = time.monotonic()
                killed = process.stop(record, stack.stop_timeout_s)
                how = "killed (did not stop on SIGTERM)" if killed else "stopped"
                progress(
                    f"{comp.name}: {how} pid {record.pid} in {time.monotonic() - started:.1f} s"
                )
            _forget(comp)


def status(stack: StackSettings | None = None) -> list[Status]:
    from pipeline.security.secrets import redact

    result = []
    for comp in components(stack):
        health = comp.health()
        record = None if comp.is_external() else _live_record(comp)
        result.append(Status(
            name=comp.name, healthy=health.healthy, external=comp.is_external(),
            address=redact(comp.address), pid=record.pid if record else None,
            version=health.version or (None if comp.is_external() else comp.version),
            # Client errors can quote URLs and headers: secrets never reach the screen.
            detail=redact(health.detail),
        ))  # fmt: skip
    return result
