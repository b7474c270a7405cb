"""Storing and normalizing webhook deliveries: the server's single writer thread, and replay.

`Ingestor` owns the SQLite connections. Request handlers hand it deliveries (`submit`) and await
the outcome; it stores everything queued at that moment in one transaction (group commit: one fsync
for many concurrent requests), answers each, then normalizes stored deliveries while no new ones
wait. Normalizing a delivery (`normalize_delivery`) runs its records through `tracklingo.Normalizer`
and merges the events into the store with `Store.ingest` (idempotent), then marks the delivery
``normalized``, ``partial`` (some records gave no events) or ``failed`` (none did), with why.
`renormalize` replays stored deliveries the same way (``tracklingo renormalize``).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field

import orjson

from tracklingo.errors import TracklingoError
from tracklingo.feeds import Record
from tracklingo.model import TrackingEvent
from tracklingo.normalize import Normalizer
from tracklingo.plugins import Registry, load_carriers
from tracklingo.server.deliveries import DeliveryLog, DeliveryRow, NewDelivery, StoredDelivery
from tracklingo.server.sources import SOURCES, delivery_records
from tracklingo.store import Store

__all__ = ["Ingestor", "ReplayStats", "normalize_delivery", "renormalize"]

log = logging.getLogger("tracklingo.server")

_MAX_DETAIL = 2000


@dataclass
class ReplayStats:
    """What a replay did: deliveries by resulting state, events offered and added to the store,
    and a peer's events retired because an installed adapter now reads their numbers."""

    deliveries: int = 0
    states: dict[str, int] = field(default_factory=dict)
    events: int = 0
    added: int = 0
    retired: int = 0

    def summary(self) -> str:
        """One line for stderr."""
        states = ", ".join(f"{k} {v}" for k, v in sorted(self.states.items())) or "none"
        line = f"deliveries {self.deliveries} ({states}) / events {self.events} / added {self.added}"
        return f"{line} / retired {self.retired}" if self.retired else line


def normalize_delivery(
    row: DeliveryRow,
    normalizer: Normalizer,
    store: Store,
    deliveries: DeliveryLog,
    *,
    retire_peer: bool = False,
    replay: ReplayStats | None = None,
) -> str:
    """Normalize one stored delivery into the store and mark it; returns its new state.
    Never raises for a bad delivery: what went wrong is kept in the row's ``detail``.

    With `retire_peer` (a replay of every delivery), a peer's delivery whose numbers now read
    under an installed adapter retires the events stored for those numbers under the peer's own
    labels (`Store.retire_peer_events`): the replay of every delivery stores them again under
    the carrier's name, so the parcel's history is kept once. `replay` (when given) counts the
    events added and retired."""
    events: list[TrackingEvent] = []
    problems: list[str] = []
    try:
        source = SOURCES[row.source]
        payload = orjson.loads(row.body)
        for i, data in enumerate(delivery_records(source, payload), 1):
            found, rejects = normalizer.process(Record(i, data, source=f"delivery {row.id}"))
            events.extend(found)
            problems.extend(r.reason for r in rejects)
    except (TracklingoError, KeyError, orjson.JSONDecodeError) as exc:
        problems.append(str(exc) or type(exc).__name__)
    except Exception as exc:  # a plugin bug must cost this delivery's normalization, not the server
        problems.append(f"normalization failed: {type(exc).__name__}: {exc}")
    stats = store.ingest(events)
    peer = SOURCES[row.source].peer if row.source in SOURCES else None
    if retire_peer and peer is not None:
        label = f"{peer}:"
        read = {e.tracking_number for e in events if e.carrier != peer and not e.carrier.startswith(label)}
        if read:
            retired = store.retire_peer_events(peer, read)
            if replay is not None:
                replay.retired += retired
    if replay is not None:
        replay.added += stats.added
    state = "failed" if not events else ("partial" if problems else "normalized")
    detail = "; ".join(problems)[:_MAX_DETAIL] or None
    deliveries.mark(
        row.id, state, events=len(events), added=stats.added, rejects=len(problems), detail=detail
    )
    if state != "normalized":
        log.warning("delivery %d from %s %s: %s", row.id, row.source, state, detail)
    return state


def renormalize(
    db: str, registry: Registry | None = None, *, every: bool = False, include_raw: bool = False
) -> ReplayStats:
    """Replay stored deliveries through the normalizer into the store: those not yet
    ``normalized`` (pending, partial, failed), or `every` one. Idempotent (the store ignores
    events it already holds). Replaying `every` delivery also retires a peer's events for numbers
    an adapter installed since reads (see `normalize_delivery`)."""
    registry = registry if registry is not None else load_carriers()
    normalizer = Normalizer(registry, include_raw=include_raw)
    stats = ReplayStats()
    with Store(db) as store:
        deliveries = DeliveryLog(db)
        try:
            ids = deliveries.ids(None if every else ("pending", "partial", "failed"))
            for delivery_id in ids:
                row = deliveries.get(delivery_id)
                if row is None:
                    continue
                state = normalize_delivery(
                    row, normalizer, store, deliveries, retire_peer=every, replay=stats
                )
                stats.deliveries += 1
                stats.states[state] = stats.states.get(state, 0) + 1
            stats.events = normalizer.stats.events_out
        finally:
            deliveries.close()
    return stats


@dataclass
class _Job:
    delivery: NewDelivery
    future: Future[StoredDelivery]


class Ingestor:
    """The writer thread (see the module docstring).

    Args:
        db: the store file (created when missing).
        registry: the carriers to normalize with (default: `load_carriers()`).
        max_batch: most deliveries stored in one transaction.
    """

    def __init__(self, db: str, registry: Registry | None = None, *, max_batch: int = 500) -> None:
        self.db = db
        self.registry = registry
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._outstanding = 0  # submitted or found pending, not yet stored-and-normalized
        self._done = threading.Condition()
        self._failure: BaseException | None = None
        self._lock = threading.Lock()

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """Open the store and start the thread; raises what opening the store raised."""
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="tracklingo-ingest", daemon=True)
            self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            raise self._failure

    def stop(self, timeout: float | None = 30.0) -> None:
        """Store what is queued, then stop (stored deliveries not yet normalized stay
        ``pending`` and are normalized by the next start, or by `renormalize`)."""
        thread = self._thread
        if thread is None:
            return
        self._queue.put(None)
        thread.join(timeout)

    @property
    def alive(self) -> bool:
        """True while the thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def submit(self, delivery: NewDelivery) -> Future[StoredDelivery]:
        """Queue `delivery` for storing; the future resolves once it is committed."""
        future: Future[StoredDelivery] = Future()
        if not self.alive:
            future.set_exception(RuntimeError("the ingest thread is not running"))
            return future
        with self._done:
            self._outstanding += 1
        self._queue.put(_Job(delivery, future))
        return future

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until everything submitted is stored and normalized (for tests and shutdown);
        False when `timeout` passed first."""
        with self._done:
            return self._done.wait_for(lambda: self._outstanding == 0, timeout)

    def _finished(self, n: int) -> None:
        with self._done:
            self._outstanding -= n
            self._done.notify_all()

    # -- the thread -----------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            registry = self.registry if self.registry is not None else load_carriers()
            store = Store(self.db)
            deliveries = DeliveryLog(self.db)
        except BaseException as exc:
            self._failure = exc
            self._ready.set()
            return
        normalizer = Normalizer(registry)
        todo = deque(deliveries.ids(("pending",)))  # stored before a restart, never normalized
        with self._done:
            self._outstanding += len(todo)
        self._ready.set()
        try:
            while True:
                jobs, stopping = self._take(block=not todo)
                if jobs:
                    self._store(jobs, deliveries, todo)
                elif todo:
                    row = deliveries.get(todo.popleft())
                    try:
                        if row is not None:
                            normalize_delivery(row, normalizer, store, deliveries)
                    finally:
                        self._finished(1)
                if stopping:
                    return
        except BaseException:
            log.exception("the ingest thread stopped")
            raise
        finally:
            self._fail_queued()
            deliveries.close()
            store.close()

    def _take(self, *, block: bool) -> tuple[list[_Job], bool]:
        jobs: list[_Job] = []
        try:
            item = self._queue.get(block=block)
        except queue.Empty:
            return jobs, False
        while True:
            if item is None:
                return jobs, True
            jobs.append(item)
            if len(jobs) >= self.max_batch:
                return jobs, False
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return jobs, False

    def _store(self, jobs: list[_Job], deliveries: DeliveryLog, todo: deque[int]) -> None:
        try:
            outcomes = deliveries.store([j.delivery for j in jobs])
        except BaseException as exc:
            for job in jobs:
                job.future.set_exception(exc)
            self._finished(len(jobs))
            if not isinstance(exc, Exception):
                raise
            return
        for job, outcome in zip(jobs, outcomes, strict=True):
            job.future.set_result(outcome)
            if not outcome.duplicate:
                todo.append(outcome.id)
        self._finished(sum(o.duplicate for o in outcomes))

    def _fail_queued(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not None:
                item.future.set_exception(RuntimeError("the ingest thread stopped"))
                self._finished(1)
