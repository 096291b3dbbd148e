"""Benchmarks that drive the real drillbot through the fake Discord (run as ``python -m bench.<name>``)."""
