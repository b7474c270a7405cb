"""The open-world layers in the core's mapper: what every carrier's events get for texts no rule knows.

Two layers join each carrier's mapper (`tracklingo.mapping.Mapper`) after its own rules and its
coarse fallback, so an exact rule always wins and a code rule is never second-guessed:

* ``open_world`` — the table layers: another installed (or shared) vocabulary's exact phrase
  (`MatchKind.CROSS_CARRIER`) and sentence forms (`MatchKind.SENTENCE_FORM`);
* ``inference`` — the classifier (`MatchKind.INFERRED`, with `confidence` and `evidence`), which
  abstains below its threshold (the event stays `unknown`, the text kept).

One `OpenWorld` serves the whole process (`tracklingo.openworld.resolver.shared_world`): it is
compiled from the installed vocabularies the first time a text reaches these layers (and this
module imports it only then), never for a feed whose every text a rule knows; its answers are
cached per distinct text, and the event builder memoises the mapper's answer per distinct words
on top. `set_inference` switches inference for a carrier (``--no-infer``,
``Normalizer(infer=False)``), touching the mapper only when the setting changes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Final

from tracklingo.mapping import Answer, Mapper, Words
from tracklingo.taxonomy import MatchKind

if TYPE_CHECKING:
    from tracklingo.openworld.resolver import OpenWorld, OpenWorldAnswer
    from tracklingo.vocabulary import Vocabulary

__all__ = [
    "INFERENCE",
    "OPEN_WORLD",
    "InferenceLayer",
    "OpenWorldLayer",
    "inference_on",
    "join",
    "set_inference",
    "settings_version",
    "tables_only",
]

#: the layers' names in a mapper (`Mapper.switch`)
OPEN_WORLD: Final = "open_world"
INFERENCE: Final = "inference"


def _world() -> OpenWorld:
    from tracklingo.openworld.resolver import shared_world  # compiled on first use only

    return shared_world()


def _texts(words: Words) -> Sequence[str]:
    return (words.text, *words.alt_texts) if words.text else words.alt_texts


def _answer(found: OpenWorldAnswer, text: str, own: bool) -> Answer:
    return Answer(
        found.stage,
        found.match,
        found.rule,
        found.reason,
        found.captured,
        found.needs_context,
        None,
        None if own else text,
        found.confidence,
        found.evidence or None,
    )


class OpenWorldLayer:
    """Another vocabulary's exact phrase, or a sentence form around a known status."""

    name = OPEN_WORLD
    last_resort = True  # after any layer added later (`Mapper.add_layer`)

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary

    def answer(self, words: Words, context: Mapping[str, str] | None) -> Answer | None:
        texts = _texts(words)
        if not texts:
            return None
        world = _world()
        for i, text in enumerate(texts):
            found = world.resolve(text, words.code, self.vocabulary, context, infer=False)
            if found is not None and found.answered:
                return _answer(found, text, own=(i == 0 and words.text is not None))
        return None


class InferenceLayer:
    """The stage classifier, for a text that neither rules nor tables know."""

    name = INFERENCE
    last_resort = True

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary

    def answer(self, words: Words, context: Mapping[str, str] | None) -> Answer | None:
        text = words.text or next(iter(words.alt_texts), None)
        if not text:
            return None
        found = _world().resolve(text, words.code, self.vocabulary, context)
        if found is None or found.match is not MatchKind.INFERRED:
            return None
        return _answer(found, text, own=words.text is not None)


def join(mapper: Mapper) -> None:
    """Add the open-world layers to a carrier's mapper (after its rules and fallback); once."""
    names = {layer.name for layer in mapper.layers}
    if OPEN_WORLD not in names:
        mapper.add_layer(OpenWorldLayer(mapper.vocabulary))
    if INFERENCE not in names:
        mapper.add_layer(InferenceLayer(mapper.vocabulary))


#: bumped whenever `set_inference` changes a mapper (a `Normalizer` re-applies its own setting)
_VERSION: list[int] = [0]
#: mappers inside `tables_only` (by id, with the nesting depth): `set_inference` leaves them be
_HELD: dict[int, int] = {}


def settings_version() -> int:
    """How many times `set_inference` changed a mapper in this process."""
    return _VERSION[0]


def inference_on(mapper: Mapper) -> bool:
    """Whether the mapper infers stages for texts no rule or table knows."""
    return INFERENCE not in mapper.off and any(layer.name == INFERENCE for layer in mapper.layers)


def set_inference(mapper: Mapper, on: bool) -> None:
    """Switch inference on or off for this mapper, only when that changes something (switching
    makes the event builder forget its memo)."""
    join(mapper)
    if id(mapper) in _HELD:
        return  # inside `tables_only`: the carrier's own vocabulary only, whatever is asked
    if inference_on(mapper) != on:
        mapper.switch(INFERENCE, on)
        _VERSION[0] += 1


@contextmanager
def tables_only(mapper: Mapper) -> Iterator[None]:
    """The carrier's own vocabulary only, while inside: both open-world layers off (and a
    `Normalizer`'s inference setting not applied), then back as they were. For what must not
    depend on the other plugins installed beside the carrier (the conformance kit's golden
    files: an adapter's events are its own vocabulary's)."""
    join(mapper)
    on = [name for name in (OPEN_WORLD, INFERENCE) if name not in mapper.off]
    for name in on:
        mapper.switch(name, False)
    _HELD[id(mapper)] = _HELD.get(id(mapper), 0) + 1
    try:
        yield
    finally:
        _HELD[id(mapper)] -= 1
        if not _HELD[id(mapper)]:
            del _HELD[id(mapper)]
        for name in on:
            mapper.switch(name, True)
