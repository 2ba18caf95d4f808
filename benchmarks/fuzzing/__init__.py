"""The fuzzing harness behind ``benchmarks/fuzz.py``: targets, input strategies, the worker."""
