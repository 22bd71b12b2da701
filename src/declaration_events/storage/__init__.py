"""Where recorded events live: the `Store` protocol and its implementations.

- `base`: the `Store` protocol the `Ledger` writes to and reads from;
- `stamps`: when each batch was stored, by the store's own clock (`Stamp`);
- `memory`: the in-memory store of `Ledger()` (no dependencies), and the read-only one
  of `Ledger.as_stored`;
- `durable`: SQLite and PostgreSQL through `eventsourcing` (`open_store(url)`),
  with `mapper` (our events in eventsourcing's terms), `sqlite` and `postgres` (its
  recorders, which stamp each batch); imported only when a durable store is opened.
"""

from .base import Store
from .memory import FrozenStore, MemoryStore
from .stamps import Stamp

__all__ = ["FrozenStore", "MemoryStore", "Stamp", "Store"]
