"""Benchmarks of declaration_events (issue 7): a synthetic log generator and `python -m benchmarks`.

Not part of the installed package; run from the repository root. See benchmarks/README.md.
"""
