"""Open-world vocabulary: a stage for carrier texts no rule knows, with its evidence and how sure.

Called only after a carrier's own rules returned ``unmapped`` (exact rules always win; a code
rule is never second-guessed), the layers answer in order:

1. **cross-carrier** (`MatchKind.CROSS_CARRIER`): the folded text is an exact phrase of another
   installed vocabulary or a shared one (`tracklingo.openworld.cross`); context rules keep
   `needs_context`;
2. **sentence forms** (`MatchKind.SENTENCE_FORM`): a frame kept as data
   (``tracklingo/data/forms.toml``) is stripped and the kernel resolves through the carrier's
   rules, then the other vocabularies; the place, date and time the frame carried are kept
   (`tracklingo.openworld.forms`);
3. **inference** (`MatchKind.INFERRED`): a naive Bayes classifier blended with the nearest known
   phrases, trained at load time on every installed vocabulary's phrases plus a concept lexicon
   in thirteen languages (``tracklingo/data/lexicon.toml``) whose modifiers ("not", "will be"), frames
   ("return") and compound splitting shape the features (`tracklingo.openworld.features`); it
   answers with a calibrated `confidence` and the `evidence` words, or abstains below the
   threshold with the nearest known phrases as suggestions (`tracklingo.openworld.infer`).

>>> from tracklingo.openworld import OpenWorld, installed_vocabularies
>>> world = OpenWorld(installed_vocabularies())            # doctest: +SKIP
>>> world.resolve("Przesyłka zatrzymana przez urząd celny").stage   # doctest: +SKIP
<Stage.CUSTOMS_HOLD: 'customs_hold'>

They join every carrier's mapper after its own rules (`tracklingo.openworld.layer`: the
``open_world`` and ``inference`` layers, one `OpenWorld` per process, compiled the first time a
text reaches them). Every answer is cached per (carrier, text); the whole is deterministic.
`explain_unseen` and `rule_stub` give the data the CLI's `explain` and `coverage` print.
"""

from typing import TYPE_CHECKING

from tracklingo._lazy import export_lazily

if TYPE_CHECKING:
    from tracklingo.openworld.cross import CROSS_CONFIDENCE, CrossHit, CrossIndex
    from tracklingo.openworld.features import stem
    from tracklingo.openworld.forms import Forms, Kernel, Reading, load_forms
    from tracklingo.openworld.infer import (
        SIGNALS,
        Example,
        Neighbour,
        Prediction,
        StageClassifier,
        analyse,
        calibrated,
        labelled_examples,
    )
    from tracklingo.openworld.lexicon import Concept, ConceptHit, Hint, Lexicon, load_lexicon
    from tracklingo.openworld.places import place_parts
    from tracklingo.openworld.report import (
        UnseenExplanation,
        explain_unseen,
        rule_stub,
        stage_label,
    )
    from tracklingo.openworld.resolver import (
        DEFAULT_THRESHOLD,
        FORM_CONFIDENCE,
        OpenWorld,
        OpenWorldAnswer,
        installed_vocabularies,
        layered_resolve,
        open_world_for,
        resolve_open_world,
        shared_world,
        shared_world_built,
    )

#: where each public name lives: the package imports a module only when one of its names is
#: first used (the event builder joins the layers to every mapper; importing this package must
#: cost nothing until a text reaches them)
_WHERE: dict[str, str] = {
    "CROSS_CONFIDENCE": "tracklingo.openworld.cross",
    "Concept": "tracklingo.openworld.lexicon",
    "ConceptHit": "tracklingo.openworld.lexicon",
    "CrossHit": "tracklingo.openworld.cross",
    "CrossIndex": "tracklingo.openworld.cross",
    "DEFAULT_THRESHOLD": "tracklingo.openworld.resolver",
    "Example": "tracklingo.openworld.infer",
    "FORM_CONFIDENCE": "tracklingo.openworld.resolver",
    "Forms": "tracklingo.openworld.forms",
    "Hint": "tracklingo.openworld.lexicon",
    "Kernel": "tracklingo.openworld.forms",
    "Lexicon": "tracklingo.openworld.lexicon",
    "Neighbour": "tracklingo.openworld.infer",
    "OpenWorld": "tracklingo.openworld.resolver",
    "OpenWorldAnswer": "tracklingo.openworld.resolver",
    "Prediction": "tracklingo.openworld.infer",
    "Reading": "tracklingo.openworld.forms",
    "SIGNALS": "tracklingo.openworld.infer",
    "StageClassifier": "tracklingo.openworld.infer",
    "UnseenExplanation": "tracklingo.openworld.report",
    "analyse": "tracklingo.openworld.infer",
    "calibrated": "tracklingo.openworld.infer",
    "explain_unseen": "tracklingo.openworld.report",
    "installed_vocabularies": "tracklingo.openworld.resolver",
    "labelled_examples": "tracklingo.openworld.infer",
    "layered_resolve": "tracklingo.openworld.resolver",
    "load_forms": "tracklingo.openworld.forms",
    "load_lexicon": "tracklingo.openworld.lexicon",
    "open_world_for": "tracklingo.openworld.resolver",
    "place_parts": "tracklingo.openworld.places",
    "resolve_open_world": "tracklingo.openworld.resolver",
    "rule_stub": "tracklingo.openworld.report",
    "shared_world": "tracklingo.openworld.resolver",
    "shared_world_built": "tracklingo.openworld.resolver",
    "stage_label": "tracklingo.openworld.report",
    "stem": "tracklingo.openworld.features",
}


export_lazily(__name__, _WHERE)


__all__ = [
    "CROSS_CONFIDENCE",
    "DEFAULT_THRESHOLD",
    "FORM_CONFIDENCE",
    "SIGNALS",
    "Concept",
    "ConceptHit",
    "CrossHit",
    "CrossIndex",
    "Example",
    "Forms",
    "Hint",
    "Kernel",
    "Lexicon",
    "Neighbour",
    "OpenWorld",
    "OpenWorldAnswer",
    "Prediction",
    "Reading",
    "StageClassifier",
    "UnseenExplanation",
    "analyse",
    "calibrated",
    "explain_unseen",
    "installed_vocabularies",
    "labelled_examples",
    "layered_resolve",
    "load_forms",
    "load_lexicon",
    "open_world_for",
    "place_parts",
    "resolve_open_world",
    "rule_stub",
    "shared_world",
    "shared_world_built",
    "stage_label",
    "stem",
]
