"""Which Host headers the line answers: well-formed ones, and without PUBLIC_BASE_URL only those allowed.

Without PUBLIC_BASE_URL a provider's signature is checked against a URL built from Host, so a
request signed for any other URL ending in /sms on the same account (Host: other.example/hooks)
would verify. A Host must therefore be a bare host[:port], and one the operator named.
"""

from __future__ import annotations

import re

# A DNS name, an IPv4 address, or a bracketed IPv6 address, then an optional port: nothing else
# (no path, no user, no spaces) may stand in a Host that becomes part of a signed URL.
_HOST = re.compile(
    r"(?P<name>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
    r"[A-Za-z0-9])?\.?|\[[0-9A-Fa-f:.]{2,45}\])(?::(?P<port>[0-9]{1,5}))?"
)
# 253 characters of DNS name, a colon and a five-digit port.
MAX_HOST = 259
REFUSAL = "This line does not answer for that Host header; see ALLOWED_HOSTS."


def host_name(host: str) -> str | None:
    """The name of a well-formed host[:port] (lower case, no trailing dot), or None when it is not one."""
    if len(host) > MAX_HOST:  # longer than any DNS name with a port: not one, and not worth matching
        return None
    found = _HOST.fullmatch(host)
    if found is None or (found["port"] is not None and not 0 < int(found["port"]) < 65536):
        return None
    return found["name"].lower().rstrip(".")


# Probes (a load balancer's, Docker's) call by address; nothing these answer depends on the Host.
PROBES = frozenset({"/healthz", "/readyz", "/metrics"})


class HostPolicy:
    """Whether a request's Host is answered: always well-formed; one of allowed unless any is (PUBLIC_BASE_URL)."""

    def __init__(self, *, allowed: tuple[str, ...], any_host: bool):
        self.allowed = frozenset(name.lower().rstrip(".") for name in allowed)
        self.any_host = any_host or "*" in self.allowed
        self._answered: set[bytes] = set()

    def answers(self, host: bytes, path: str = "") -> bool:
        """Whether a request with this Host header (raw bytes, as the server hands it) is answered: a
        probe's whenever the Host is well-formed, any other only for an allowed host."""
        if path in PROBES:
            return host_name(host.decode("latin-1")) is not None
        if host in self._answered:
            return True
        name = host_name(host.decode("latin-1"))
        known = name is not None and (self.any_host or name in self.allowed)
        # The same few hosts come again and again: those answered are kept (at most 256, each at most
        # MAX_HOST long); a refused one never is, so strangers cannot crowd out the line's own name.
        if known and len(self._answered) < 256:
            self._answered.add(host)
        return known

    def describe(self) -> str:
        """What serve prints at start."""
        if self.any_host:
            return "any well-formed Host (signatures are checked against PUBLIC_BASE_URL)"
        return "Host " + ", ".join(sorted(self.allowed)) + " (ALLOWED_HOSTS)"


def policy_for(*, allowed_hosts: tuple[str, ...], public_base_url: str | None) -> HostPolicy:
    """The host policy of a configuration; ValueError for an ALLOWED_HOSTS entry that no Host could match
    (with a port, a path, a typo), which would otherwise refuse every request without saying why."""
    unusable = [
        entry
        for entry in allowed_hosts
        if entry != "*" and (host_name(entry) is None or ":" in entry.rsplit("]", 1)[-1])
    ]
    if unusable:
        raise ValueError(f"ALLOWED_HOSTS: {', '.join(unusable)} is not a host name (no port, no path)")
    return HostPolicy(allowed=allowed_hosts, any_host=bool(public_base_url))
