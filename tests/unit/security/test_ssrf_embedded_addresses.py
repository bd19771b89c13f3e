"""The SSRF guard judges addresses by an explicit list, not by the Python version's `ipaddress`.

On Python 3.11.7, `ipaddress` calls 6to4 (2002::/16, which embeds any IPv4 address), the old
site-local fec0::/10 and 192.0.0.8 global. The guard must refuse them whatever the version, and
judge the IPv4 address embedded in 6to4, Teredo and NAT64 addresses.
"""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.ssrf import BlockedAddress, check_address, is_public

PRIVATE_V4 = st.sampled_from(
    ["127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
     "100.64.0.0/10", "0.0.0.0/8", "192.0.0.0/24"]
).flatmap(
    lambda cidr: st.integers(0, ipaddress.ip_network(cidr).num_addresses - 1).map(
        lambda offset: ipaddress.ip_network(cidr)[offset]
    )
)  # fmt: skip


def six_to_four(v4: ipaddress.IPv4Address) -> ipaddress.IPv6Address:
    return ipaddress.IPv6Address((0x2002 << 112) | (int(v4) << 80) | 1)


def teredo(client: ipaddress.IPv4Address, server: str = "65.54.227.120") -> ipaddress.IPv6Address:
    server_bits = int(ipaddress.IPv4Address(server))
    obfuscated = int(client) ^ 0xFFFFFFFF
    return ipaddress.IPv6Address((0x20010000 << 96) | (server_bits << 64) | obfuscated)


def nat64(v4: ipaddress.IPv4Address) -> ipaddress.IPv6Address:
    return ipaddress.IPv6Address((0x0064FF9B << 96) | int(v4))


@pytest.mark.parametrize(
    "address",
    ["2002:7f00:1::", "2002:a00:1::1", "2002:a9fe:a9fe::", "fec0::1", "feff::1",
     "192.0.0.8", "192.0.0.1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::a00:1",
     "2001:0:4136:e378:8000:63bf:80ff:fffe", "2001:db8::1", "::ffff:127.0.0.1", "::127.0.0.1",
     "198.18.0.1", "240.0.0.1", "255.255.255.255"],
)  # fmt: skip
def test_version_dependent_ranges_are_refused(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))
    with pytest.raises(BlockedAddress):
        check_address("feed.example", address, allow_private=False)


@given(PRIVATE_V4)
def test_a_private_ipv4_address_is_refused_inside_6to4_teredo_and_nat64(
    v4: ipaddress.IPv4Address,
) -> None:
    assert not is_public(v4)
    for wrapped in (six_to_four(v4), teredo(v4), nat64(v4)):
        assert not is_public(wrapped), wrapped


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::6810:84e5", "8.8.8.8"])
def test_ordinary_public_addresses_still_pass(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))
