"""HTTP edges, thin: they verify, decode, call a service function and encode the answer."""
