"""Hypothesis strategies for diplomatic facts: the import path `declaration_events.strategies`.

They live in `declaration_events.testing.strategies`; see there.
"""

from .testing.strategies import *  # noqa: F403 - this module is the same API under its first name
from .testing.strategies import __all__ as __all__
from .testing.strategies import _hypothesis_setup_hook as _hypothesis_setup_hook
