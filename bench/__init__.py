"""Benchmarks: a synthetic AWS estate generator (`bench.generate`) and the benchmark runner (`bench.run`)."""
