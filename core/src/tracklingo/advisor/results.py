"""What the advisor returns: `Explanation`, `Advice` and their `EscalationStep`s."""

# No ``from __future__ import annotations`` here: pydantic would then evaluate every field's
# annotation from its string when the class is created (a compile each, a few percent of
# ``tracklingo explain``). Annotations naming the class itself use ``Self``.
from datetime import datetime
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

from tracklingo.advisor.content import Act, LadderKind, Verdict
from tracklingo.history import DeliveryWindow, StageVerdict
from tracklingo.taxonomy import MatchKind, Reason, Stage, Status

# -- results ------------------------------------------------------------------------------------


class EscalationStep(BaseModel):
    """One rung of the escalation ladder: whom to contact, what to tell them, a link to paste."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    step: int
    contact: str
    detail: str
    link: str | None = None
    more_links: list[str] = Field(default_factory=list)
    phone: str | None = None
    kind: LadderKind


class Suggestion(BaseModel):
    """A known wording near a text no rule knows: what it says, its stage, whose it is, how near."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    text: str
    stage: Stage
    vocabulary: str
    similarity: float


class Explanation(BaseModel):
    """What one status text means, for one stage the installed vocabularies map it to, in
    language `lang` (the tag asked for; carrier texts and synonyms stay as the carriers wrote them).

    For a text no carrier's rules know, `unseen` says how the open-world layers read it
    (`tracklingo.openworld`): `match` is their match kind, `confidence` and `evidence` say how sure
    and why; when they abstained (`known` False), `suggestions` lists the nearest known wordings."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    text: str
    code: str | None = None
    known: bool
    stage: Stage
    status: Status
    reason: Reason | None = None
    carriers: list[str] = Field(default_factory=list)
    searched: list[str] = Field(default_factory=list)
    condition: str | None = None
    headline: str
    meaning: str
    where: str
    holder: str
    next: str
    how_soon: str
    recipient_must_act: Act
    recipient_action: str
    next_steps: list[str]
    usual_dwell: dict[str, str] = Field(default_factory=dict)
    synonyms: list[str] = Field(default_factory=list)
    lang: str = "en"
    unseen: str | None = None
    match: MatchKind | None = None
    confidence: float | None = None
    evidence: list[str] = Field(default_factory=list)
    suggestions: list[Suggestion] = Field(default_factory=list)


class Advice(BaseModel):
    """The advisor's answer for one shipment, at time `now`: the journey as it stood then
    (`later_scans` scans after `now` were left out). Its copy is in language `lang`; the
    carrier's own `description` is kept exactly as the carrier wrote it.

    `judged_by` says what decided the verdict: the fixed ``threshold`` (`expected_dwell_hours`),
    or the store's ``history`` of parcels like this one (`history`: its figures and text, also
    present when too few samples left the threshold to decide). `delivery_window` is the likely
    delivery dates from that history. Without a history both are `None`."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    shipment: str
    tracking_numbers: list[str]
    carrier: str
    tracking_number: str
    stage: Stage
    status: Status
    reason: Reason | None = None
    description: str
    occurred_at: datetime | None
    location: str | None = None
    since: datetime | None
    now: datetime
    later_scans: int = 0
    origin_country: str | None = None
    destination_country: str | None = None
    lane: Literal["domestic", "international"]
    lane_known: bool
    headline: str
    meaning: str
    where: str
    holder: str
    next: str
    how_soon: str
    recipient_must_act: Act
    recipient_action: str
    next_steps: list[str]
    verdict: Verdict
    stuck: bool
    verdict_text: str
    judged_by: Literal["threshold", "history"] = "threshold"
    history: StageVerdict | None = None
    delivery_window: DeliveryWindow | None = None
    dwell_hours: float | None
    calendar_hours: float | None
    expected_dwell_hours: float | None
    business_days: bool
    threshold_source: str | None
    responsible_carrier: str | None
    responsible_display_name: str | None
    escalation: list[EscalationStep]
    synonyms: list[str]
    lang: str = "en"
