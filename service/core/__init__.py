"""The pure core: what a text means and what the line answers. No HTTP, no database."""

from service.core.respond import respond
from service.core.types import InboundMessage, Reply, Subscriber

__all__ = ["InboundMessage", "Reply", "Subscriber", "respond"]
