"""tracklingo's plugin hooks (pluggy project name ``tracklingo``).

Plugins implement hooks with ``@tracklingo.hookimpl``. Hooks only ever gain arguments; a plugin that
implements an older signature keeps working.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from tracklingo.carrier import Carrier

PROJECT = "tracklingo"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def tracklingo_register_carriers(register: Callable[[Carrier], None]) -> None:
    """Register one or more carrier adapters by calling ``register(carrier)`` for each.

    The host decides what happens to duplicates: two plugins registering the same carrier name is a
    reported clash, and neither is used until ``TRACKLINGO_LOAD_PLUGINS`` or
    ``TRACKLINGO_DISABLE_PLUGINS`` chooses. Whatever the hook raises (``SystemExit`` and
    ``KeyboardInterrupt`` included) is this plugin's load error: it is reported and the plugin
    skipped, and the other plugins load.
    """
