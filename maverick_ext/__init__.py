"""gh-maverick: coordinate many coding agents on one GitHub repository."""

__version__ = "0.1.0"
