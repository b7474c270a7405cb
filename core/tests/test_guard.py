"""One guard around adapter code (issue 12 item 9, the parse part): a plugin whose read raises
SystemExit, KeyboardInterrupt or its own BaseException, or returns something that is not a
Reading, costs that record and never the host; only a real Ctrl-C stops the host."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

from tracklingo import Normalizer, Record, Registry, Reject
from tracklingo.adapter import Carrier, Contact, ParseError, Reading, Scan, Shipment
from tracklingo.errors import AdapterError, InputError, TracklingoError
from tracklingo.guard import plugin_code, run_adapter, sigint_count
from tracklingo.plugins import LoadedCarrier


class PluginBail(BaseException):
    """A plugin's own BaseException (not an Exception)."""


class Unruly(Carrier):
    name: ClassVar[str] = "unruly"
    display_name: ClassVar[str] = "Unruly"
    contacts: ClassVar[tuple[Contact, ...]] = (Contact("help", url="https://unruly.example"),)

    def sniff(self, payload: Any) -> bool:
        return isinstance(payload, dict) and "unruly" in payload

    def read(self, payload: Any) -> Reading:
        what = payload["unruly"]
        if what == "exit":
            raise SystemExit(3)
        if what == "interrupt":
            raise KeyboardInterrupt
        if what == "bail":
            raise PluginBail("no")
        if what == "events":
            return ["not", "a", "reading"]  # type: ignore[return-value]
        if what == "bad-scan":
            return Reading([Shipment("U1", ["not a scan"])])  # type: ignore[list-item]
        if what == "sigint":
            signal.raise_signal(signal.SIGINT)  # the user's Ctrl-C arrives while the plugin runs
        return Reading([Shipment("U1", [Scan(text="ok", time="2026-01-01T10:00:00Z")])])

    def detect(self, tracking_number: str) -> float:
        raise SystemExit("detect exits")

    def read_flat(self, record: Any) -> Shipment:
        if record.description == "exit":
            raise SystemExit(1)
        return super().read_flat(record)


@pytest.fixture
def normalizer() -> Normalizer:
    carrier = Unruly()
    return Normalizer(Registry({"unruly": LoadedCarrier(carrier, "unruly", None, None)}))


@pytest.mark.parametrize(
    ("what", "says"),
    [
        ("exit", "the adapter's read() failed: SystemExit: 3"),
        ("interrupt", "the adapter's read() failed: KeyboardInterrupt"),
        ("bail", "PluginBail: no"),
        ("events", "the adapter's read() returned list, not a Reading"),
        ("bad-scan", "scan 0 of shipment U1 is a str, not a tracklingo Scan"),
    ],
)
def test_a_misbehaving_read_costs_its_record_only(normalizer: Normalizer, what: str, says: str) -> None:
    records = [
        Record(1, {"carrier": "unruly", "payload": {"unruly": what}}),
        Record(2, {"carrier": "unruly", "payload": {"unruly": "fine"}}),
    ]
    out = list(normalizer.run(records))
    assert len(out) == 2
    reject, event = out
    assert isinstance(reject, Reject) and reject.line == 1 and says in reject.reason
    assert getattr(event, "description", None) == "ok"
    stats = normalizer.stats
    assert stats.records_in == stats.records_ok + stats.records_rejected == 2


def test_the_guard_keeps_what_the_plugin_raised_for_the_kit() -> None:
    with pytest.raises(AdapterError) as err:
        Unruly().parse({"unruly": "exit"})
    assert isinstance(err.value, ParseError) and isinstance(err.value.original, SystemExit)


def test_a_misbehaving_read_flat_or_detect_costs_its_record_only(normalizer: Normalizer) -> None:
    flat = {
        "carrier": "unruly",
        "tracking_number": "U1",
        "timestamp": "2026-01-01T10:00:00Z",
        "description": "exit",
    }
    events, rejects = normalizer.process(Record(1, flat))
    assert events == [] and "read_flat() failed: SystemExit: 1" in rejects[0].reason
    no_carrier = {**flat, "carrier": None, "description": "fine"}
    events, rejects = normalizer.process(Record(2, no_carrier))  # detect() exits: no candidate
    assert events == [] and "no installed carrier recognises" in rejects[0].reason


def test_a_real_ctrl_c_still_stops_the_host() -> None:
    before = sigint_count()
    with pytest.raises(KeyboardInterrupt):
        Unruly().parse({"unruly": "sigint"})
    assert sigint_count() == before + 1
    with pytest.raises(KeyboardInterrupt):  # and outside any plugin, Ctrl-C is Ctrl-C
        signal.raise_signal(signal.SIGINT)


def test_run_adapter_passes_results_and_parse_errors_through() -> None:
    assert run_adapter("x", "f()", lambda: 42) == 42
    with pytest.raises(ParseError, match="x: mine") as err:
        run_adapter("x", "f()", lambda: (_ for _ in ()).throw(ParseError("x", "mine")))
    assert not isinstance(err.value, AdapterError)


# -- one policy for every call into a plugin (issue 14 item 6) -----------------------------------


def _through_a_hook(body: Callable[[], object]) -> object:
    return run_adapter("acme", "read()", body)


def _through_plugin_code(body: Callable[[], object]) -> object:
    with plugin_code("acme", "tracking"):
        return body()


CALL_SITES = pytest.mark.parametrize("site", [_through_a_hook, _through_plugin_code], ids=["hook", "other"])


def _raising(exc: BaseException) -> Callable[[], object]:
    def body() -> object:
        raise exc

    return body


@CALL_SITES
@pytest.mark.parametrize(
    "raised",
    [ValueError("bad"), SystemExit(2), KeyboardInterrupt(), GeneratorExit(), PluginBail("no")],
    ids=lambda e: type(e).__name__,
)
def test_whatever_a_plugin_raises_is_that_plugins_error_at_every_call_site(
    site: Callable[[Callable[[], object]], object], raised: BaseException
) -> None:
    with pytest.raises(AdapterError) as info:
        site(_raising(raised))
    assert info.value.original is raised and info.value.__cause__ is raised
    assert info.value.carrier == "acme" and type(raised).__name__ in str(info.value)


@CALL_SITES
def test_the_projects_errors_and_the_users_ctrl_c_leave_every_call_site(
    site: Callable[[Callable[[], object]], object],
) -> None:
    mine = ParseError("acme", "mine")
    with pytest.raises(ParseError) as info:
        site(_raising(mine))
    assert info.value is mine
    with pytest.raises(TracklingoError, match="a bad time") as caught:  # a hook's is a ParseError
        site(_raising(InputError("a bad time")))
    assert not isinstance(caught.value, AdapterError)
    before = sigint_count()
    with pytest.raises(KeyboardInterrupt):
        site(lambda: signal.raise_signal(signal.SIGINT))
    assert sigint_count() == before + 1


@CALL_SITES
def test_an_applications_own_sigint_handler_is_honoured_and_put_back(
    site: Callable[[Callable[[], object]], object],
) -> None:
    calls: list[int] = []

    def handler(signum: int, frame: object) -> None:
        calls.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, handler)
    try:
        with pytest.raises(AdapterError):  # the plugin's own KeyboardInterrupt
            site(_raising(KeyboardInterrupt()))
        assert signal.getsignal(signal.SIGINT) is handler
        with pytest.raises(KeyboardInterrupt):  # the user's, through the application's handler
            site(lambda: signal.raise_signal(signal.SIGINT))
        assert calls == [signal.SIGINT] and signal.getsignal(signal.SIGINT) is handler
    finally:
        signal.signal(signal.SIGINT, previous)


@CALL_SITES
def test_outside_the_main_thread_a_keyboard_interrupt_is_the_plugins(
    site: Callable[[Callable[[], object]], object],
) -> None:
    caught: list[BaseException] = []

    def work() -> None:
        try:
            site(_raising(KeyboardInterrupt()))
        except BaseException as exc:  # what left the guard, checked below
            caught.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    [exc] = caught
    assert isinstance(exc, AdapterError) and isinstance(exc.original, KeyboardInterrupt)
