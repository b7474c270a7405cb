"""The latest status FedEx gives for a track result (``latestStatusDetail``) and its reason.

The why of the current status is in ``latestStatusDetail.ancillaryDetails[]`` (``reason`` /
``reasonDescription``, else its ``delayDetail.type``): it goes to the newest scan of the latest
status's code when that scan gives no reason itself, and to the undated latest status when there
are no scans, where ``serviceCommitMessage.message`` is a further text. Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracklingo.adapter import Scan, ScanTuple, dig, items, mapping, text
from tracklingo_fedex.places import _place


def _delay_type(value: Any) -> str | None:
    """``delayDetail.type`` (``WEATHER``, ``OPERATIONAL``, ``LOCAL``, ``GENERAL``, ``CLEARANCE``)."""
    return text(dig(value, "type")) if value.__class__ is dict else None


def _ancillary(latest: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The reason FedEx gives with its latest status: the first ``ancillaryDetails[]`` entry's
    ``reason`` / ``reasonDescription``, else ``delayDetail.type`` as a reason code."""
    for item in items(latest.get("ancillaryDetails")):
        detail = mapping(item)
        if detail is None:
            continue
        code, said = text(detail.get("reason")), text(detail.get("reasonDescription"))
        if code or said:
            return code, said
    return _delay_type(latest.get("delayDetail")), None


def _with_latest_reason(scans: list[Scan | ScanTuple], latest: Mapping[str, Any] | None) -> None:
    """The latest status's reason (``latestStatusDetail.ancillaryDetails`` / ``delayDetail``) on
    the newest scan of the same code that gives no reason of its own: FedEx states the why of its
    current status there, not always on the scan."""
    if latest is None:
        return
    code = text(latest.get("code"))
    reason_code, reason_text = _ancillary(latest)
    if code is None or not (reason_code or reason_text):
        return
    for i, scan in enumerate(scans):  # FedEx order: newest first (not strictly, but the latest is)
        if text(scan[0]) != code:
            continue
        if not (text(scan[7]) or text(scan[8])):
            scans[i] = (*scan[:7], reason_code, reason_text, *scan[9:])
        return


def _latest_status(result: Mapping[str, Any]) -> Scan | None:
    """Without scans (e.g. ``includeDetailedScans: false``), the latest status, undated."""
    latest = mapping(result.get("latestStatusDetail"))
    if latest is None:
        return None
    code = text(latest.get("code"))
    description = text(latest.get("description")) or text(latest.get("statusByLocale"))
    # FedEx's own sentence about the shipment ("Shipping label has been created. The status will
    # be updated when shipment begins to travel."): tried when the status text says nothing the
    # vocabulary knows, and the text when the status has none
    commit = text(dig(result, "serviceCommitMessage", "message"))
    if code is None and description is None and commit is None:
        return None
    reason_code, reason_text = _ancillary(latest)
    return Scan(
        code=code,
        text=description or commit,
        alt_texts=(commit,) if commit and description and commit != description else (),
        status_code=latest.get("derivedCode"),
        status_text=latest.get("statusByLocale"),
        reason_code=reason_code,
        reason_text=reason_text,
        place=_place(mapping(latest.get("scanLocation"))),
        time_note="FedEx sent no scan events; this is its latest status, undated",
        raw=latest,
    )
