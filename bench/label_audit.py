"""Training phrases that read alike but are labelled with different stages (issue 15).

    python bench/label_audit.py            # every group whose phrases come from two or more sources
    python bench/label_audit.py --all      # also groups from one source only
    python bench/label_audit.py --stages in_transit,departed_origin_country   # pairs of interest

Two phrases are grouped when their folded forms say the same thing to the classifier
(`measure.content_key`: the lexicon's concepts with their modifiers, and the other words'
stems; word order, inflection, numbers and carrier names do not count). A group whose stages
differ is either label noise (one label contradicts the taxonomy's definitions) or a meaning the
taxonomy leaves open; docs/open-world.md ("Labels that disagree") records which.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from tracklingo.openworld.measure import label_conflicts
from tracklingo.openworld.resolver import installed_vocabularies
from tracklingo.plugins import load_carriers
from tracklingo.taxonomy import Stage


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--all", action="store_true", help="also groups whose phrases come from one source")
    ap.add_argument("--stages", help="only groups holding all these stages (comma-separated)")
    args = ap.parse_args(argv)
    conflicts = label_conflicts(installed_vocabularies(load_carriers()), across=not args.all)
    if args.stages:
        wanted = {Stage(s.strip()) for s in args.stages.split(",")}
        conflicts = [c for c in conflicts if wanted <= c.stages]
    pairs: Counter[tuple[str, ...]] = Counter()
    for c in conflicts:
        pairs[tuple(sorted(s.value for s in c.stages))] += 1
        print(" ".join(c.key))
        for stage, origin, phrase in c.members:
            print(f"    {stage.value:28s} {origin:28s} {phrase!r}")
    n = sum(len(c.members) for c in conflicts)
    print(f"\n{len(conflicts)} groups, {n} phrases; most frequent stage sets:")
    for stages, count in pairs.most_common(15):
        print(f"  {count:4d}  {' / '.join(stages)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
