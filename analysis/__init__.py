"""Analysis of runs and sweeps: plots, metrics, power indices, sensitivity and backtests."""
