"""What the service remembers between runs: pushed scores, failures, cursors, score history."""

from service.state.store import StateStore

__all__ = ["StateStore"]
