"""Helpers for `benchmarks/compare`: our CLI against maverick-harness on one emulator."""
