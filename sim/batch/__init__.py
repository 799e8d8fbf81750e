"""Batch runs: one run and its outputs (run.py), sweeps and their samplers (sweep.py), the
executors (executors.py), the Parquet results store (store.py) and safe output folders
(outputs.py)."""
