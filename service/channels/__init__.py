"""Channel adapters: a provider's request in, an InboundMessage out, a Reply back."""
