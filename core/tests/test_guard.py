"""One guard around adapter code (issue 12 item 9, the parse part): a plugin whose read raises
SystemExit, KeyboardInterrupt or its own BaseException, or returns something that is not a
Reading, costs that record and never the host; only a real Ctrl-C stops the host."""

from __future__ import annotations

import signal
from typing import Any, ClassVar

import pytest

from tracklingo import Normalizer, Record, Registry
from tracklingo.adapter import Carrier, Contact, ParseError, Reading, Scan, Shipment
from tracklingo.errors import AdapterError
from tracklingo.guard import run_adapter, sigint_count
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
        ("interrupt", "the adapter's read() raised KeyboardInterrupt"),
        ("bail", "the adapter's read() failed: PluginBail: no"),
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
    assert getattr(reject, "line", None) == 1 and says in reject.reason  # type: ignore[union-attr]
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
