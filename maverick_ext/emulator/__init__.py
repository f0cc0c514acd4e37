"""A loopback-only GitHub emulator: REST (and GraphQL) over an in-memory store."""

from maverick_ext.emulator.faults import Faults
from maverick_ext.emulator.server import Emulator
from maverick_ext.emulator.store import Store

__all__ = ["Emulator", "Faults", "Store"]
