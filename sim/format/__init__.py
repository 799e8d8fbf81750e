"""The scenario format: the pydantic models of a scenario (scenario.py), reading YAML with
file:line locations (yamlio.py), loading with extends and --set (loading.py), and the checks
against the roster (checks.py)."""
