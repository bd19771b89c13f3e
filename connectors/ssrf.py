"""SSRF guard for outgoing fetches (feeds): only public addresses, checked before connecting.

The guard lives in the HTTP transport, so it runs for every request the client makes, including
each redirect hop: the host name is resolved here, every address is checked, and the connection
goes to the checked address itself (the URL host is replaced by the IP; the Host header and the
TLS server name keep the original name, so certificates are still verified against it). A DNS
answer cannot change between the check and the connect, which defeats DNS rebinding.

Refused: loopback, private (RFC 1918, ULA), link-local (cloud metadata 169.254.169.254),
carrier-grade NAT, multicast, reserved and unspecified addresses, from an explicit list of
special-purpose ranges (`DENIED`) as well as `ipaddress.is_global`, whose answers differ between
Python versions; an IPv6 address that carries an IPv4 one (6to4, Teredo, NAT64) is judged by
that IPv4 address too; unless
`WIRESTREAM_RSS_ALLOW_PRIVATE=true` (tests, intranet feeds).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


class BlockedAddress(httpx.TransportError):
    """The target resolves to an address the guard refuses; no connection was made."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (IPv4 and IPv6)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise httpx.ConnectError(f"cannot resolve {host!r}: {exc.strerror}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _networks(*cidrs: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(c) for c in cidrs)


# Special-purpose ranges (RFC 6890 registries) that are not globally reachable, listed here so
# the verdict does not depend on the Python version's `ipaddress` (3.11.7 calls 6to4, fec0::/10
# and 192.0.0.8 global). `is_global` is still required on top.
DENIED = _networks(
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
    "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    "::/96", "::ffff:0:0/96", "100::/64", "2001:2::/48", "2001:10::/28", "2001:20::/28",
    "2001:db8::/32", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
)  # fmt: skip
NAT64 = _networks("64:ff9b::/96", "64:ff9b:1::/48")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
_TEREDO = ipaddress.ip_network("2001::/32")


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: mapped, 6to4, Teredo (server and client),
    NAT64. A packet to such an address ends up at (or is relayed via) the IPv4 one."""
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address in _SIX_TO_FOUR:
        found.append(ipaddress.IPv4Address((int(address) >> 80) & 0xFFFFFFFF))
    if address in _TEREDO:
        server = ipaddress.IPv4Address((int(address) >> 64) & 0xFFFFFFFF)
        client = ipaddress.IPv4Address(~int(address) & 0xFFFFFFFF)
        found += [server, client]
    if any(address in network for network in NAT64):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def is_public(address: IPAddress) -> bool:
    """Whether `address` is a public unicast address; an IPv6 address that embeds an IPv4 one
    (mapped, 6to4, Teredo, NAT64) is public only if every embedded address is."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = embedded_ipv4(address)
        if not all(is_public(v4) for v4 in embedded):
            return False
        if embedded:
            # The wrapper ranges themselves are judged by their IPv4 payload.
            return True
    if any(address in network for network in DENIED):
        return False
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_unspecified
    )


def check_address(
    host: str,
    address: str,
    allow_private: bool,
    allow_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = (),
) -> IPAddress:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if allow_private or any(ip in network for network in allow_networks):
        return ip
    if not is_public(ip):
        raise BlockedAddress(
            f"refusing {host}: it resolves to {ip}, a non-public address "
            "(set WIRESTREAM_RSS_ALLOW_PRIVATE=true to allow private targets)"
        )
    return ip


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport that connects only to addresses the guard accepts."""

    def __init__(
        self,
        allow_private: bool = False,
        resolver: Resolver = system_resolver,
        inner: httpx.BaseTransport | None = None,
        allow_networks: list[str] | tuple[str, ...] = (),
    ) -> None:
        self.allow_private = allow_private
        self.allow_networks = tuple(ipaddress.ip_network(n, strict=False) for n in allow_networks)
        self.resolver = resolver
        self.inner = inner or httpx.HTTPTransport(retries=0)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise BlockedAddress(f"refusing {url.scheme!r} URLs: only http and https")
        host = url.host
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            addresses = self.resolver(host, port)
        if not addresses:
            raise httpx.ConnectError(f"{host!r} has no address")
        # Every answer must pass: a mixed answer is how rebinding attacks get a private target.
        checked = [
            check_address(host, a, self.allow_private, self.allow_networks) for a in addresses
        ]
        target = checked[0]
        request.url = url.copy_with(host=str(target))
        request.headers["Host"] = url.netloc.decode("ascii")
        if url.scheme == "https":
            request.extensions = {**request.extensions, "sni_hostname": host}
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def guarded_client(
    allow_private: bool = False,
    resolver: Resolver = system_resolver,
    allow_networks: list[str] | tuple[str, ...] = (),
    inner: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """A client whose every request (and redirect hop) passes the guard; redirects by hand.

    `trust_env=False`: a proxy from the environment would connect on our behalf, unchecked.
    """
    transport = GuardedTransport(allow_private, resolver, inner, allow_networks)
    return httpx.Client(transport=transport, follow_redirects=False, trust_env=False)
