"""`python -m declaration_events`: the same as the `declaration-events` command."""

from .cli import main

raise SystemExit(main())
