"""Which addresses refcheck may contact.

Only http and https. A host that is, or resolves to, a loopback, private,
link-local (169.254.0.0/16: cloud metadata), multicast, reserved or otherwise
non-global address is refused unless ``--allow-private`` is given. Names are
checked by the transport's resolver on the very addresses it then connects to
(so a name cannot pass a first lookup and resolve somewhere else for the
connection: DNS rebinding), for the first URL and for every redirect hop.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from refcheck.errors import NameNotResolved, Refused

_LOCAL_NAME_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa")


__all__ = ["AddressPolicy", "NameNotResolved", "Refused"]


_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the last 32 bits are the IPv4 address
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: local-use translation
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # RFC 2765 (SIIT)


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        # IPv6 forms that carry an IPv4 address are judged by that address (an
        # IPv6-only host behind NAT64 reaches 10.0.0.1 as 64:ff9b::a00:1).
        embedded: list[ipaddress.IPv4Address] = []
        if address.ipv4_mapped is not None:
            embedded.append(address.ipv4_mapped)
        if address.sixtofour is not None:
            embedded.append(address.sixtofour)
        if address.teredo is not None:
            embedded.extend(address.teredo)
        if address in _NAT64 or address in _IPV4_TRANSLATED or (address in _IPV4_COMPATIBLE and int(address) > 1):
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if address in _NAT64_LOCAL or address.is_site_local:
            return False
        if embedded:
            return all(_is_public(inner) for inner in embedded)
    return address.is_global and not address.is_multicast


class AddressPolicy:
    """The private-address rule, with the answer for each host name remembered
    (parsing an address costs more than the rest of a request's checks).

    ``allowed``: networks (``10.1.0.0/16``, ``127.0.0.2/32``) treated as public --
    an intranet site among public ones, without lifting the rule for every
    other private address as ``allow_private`` does."""

    def __init__(self, allow_private: bool, allowed: tuple[str, ...] = ()) -> None:
        self.allow_private = allow_private
        self._allowed = tuple(ipaddress.ip_network(network, strict=False) for network in allowed)
        self._names: dict[str, str | None] = {}

    def _public(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return any(address in network for network in self._allowed) or _is_public(address)

    def check_name(self, host: str) -> None:
        """Before any lookup: refuse non-public address literals and local names."""
        if self.allow_private:
            return
        reason = self._names.get(host, "")
        if reason == "":
            reason = self._names[host] = self._name_refusal(host)
        if reason is not None:
            raise Refused(reason)

    def check_resolved(self, host: str, addresses: Iterable[str]) -> None:
        """After DNS: refuse a name if any of its addresses is not public."""
        if self.allow_private:
            return
        for text in addresses:
            address = ipaddress.ip_address(text.split("%", 1)[0])
            if not self._public(address):
                raise Refused(f"{host} resolves to {address}, which is not public (use --allow-private to check it)")

    def _name_refusal(self, host: str) -> str | None:
        literal = host.strip("[]")
        try:
            address = ipaddress.ip_address(literal)
        except ValueError:
            address = None
        if address is not None:
            if not self._public(address):
                return f"address {literal} is not public (use --allow-private to check it)"
            return None
        name = host.lower().rstrip(".")
        if name == "localhost" or name.endswith(_LOCAL_NAME_SUFFIXES):
            return f"host {host} is local (use --allow-private to check it)"
        return None
