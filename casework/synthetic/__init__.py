"""Synthetic history at the size of a whole care system, for benchmarks and load tests."""
