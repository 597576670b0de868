"""Which addresses refcheck may contact.

Only http and https. A host that is, or resolves to, a loopback, private,
link-local (169.254.0.0/16: cloud metadata), multicast, reserved or otherwise
non-global address is refused unless ``--allow-private`` is given; checked for
the first URL and again at every redirect hop.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket


class Refused(Exception):
    """The URL may not be fetched (scheme or address); the message says why."""


class NameNotResolved(Exception):
    """DNS has no address for the host."""


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


async def check_host(host: str, port: int, allow_private: bool) -> None:
    """Raise :class:`Refused` or :class:`NameNotResolved`; return when the host may be contacted."""
    literal = host.strip("[]")
    try:
        address = ipaddress.ip_address(literal)
    except ValueError:
        address = None
    if address is not None:
        if not allow_private and not _is_public(address):
            raise Refused(f"address {literal} is not public (use --allow-private to check it)")
        return
    if host.lower() in ("localhost",) or host.lower().endswith((".localhost", ".local", ".internal")):
        if not allow_private:
            raise Refused(f"host {host} is local (use --allow-private to check it)")
        return
    if allow_private:
        return  # httpx resolves it; nothing to refuse
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)):
            raise NameNotResolved(f"{host}: name does not resolve") from None
        raise NameNotResolved(f"{host}: {exc.strerror or exc}") from None
    for info in infos:
        resolved = ipaddress.ip_address(info[4][0])
        if not _is_public(resolved):
            raise Refused(f"{host} resolves to {resolved}, which is not public (use --allow-private to check it)")
