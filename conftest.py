"""Settings for every test directory: hypothesis examples are never timed.

A property test asserts what the code does, not how fast a loaded machine runs it; hypothesis's
per-example deadline would turn a busy CI runner into a failure.
"""

from hypothesis import settings

settings.register_profile("tracklingo", deadline=None)
settings.load_profile("tracklingo")
