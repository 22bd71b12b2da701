"""Where recorded events live: the `Store` protocol and its implementations.

- `base`: the `Store` protocol the `Ledger` writes to and reads from;
- `memory`: the in-memory store of `Ledger()` (no dependencies);
- `durable`: SQLite and PostgreSQL through `eventsourcing` (`open_store(url)`),
  with `mapper` (our events in eventsourcing's terms) and `postgres` (its
  PostgreSQL recorder); imported only when a durable store is opened.
"""

from .base import Store
from .memory import MemoryStore

__all__ = ["MemoryStore", "Store"]
