"""`python -m benchmarks [--events N] [--repeat K] [--only FIGURES] [--postgres-url URL]`."""

from .run import main

raise SystemExit(main())
