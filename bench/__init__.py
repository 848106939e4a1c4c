"""Benchmarks of Műhelynapló's pages under gunicorn (run `bench/run.py`)."""
