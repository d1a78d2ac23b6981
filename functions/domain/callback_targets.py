"""Where a callbackUrl may point: never at the server's own side of the network.

A callbackUrl is the user's, and the server POSTs to it, so a URL naming a loopback, link-local
(169.254.x.x, the cloud metadata address among them), private, unique-local, multicast, reserved
or unspecified address would make the server a door into its own network. Such a URL is refused
at submit, and again at delivery, where the host name is resolved anew and the connection goes to
the checked address itself, so a name that resolves differently the second time (DNS rebinding)
gains nothing. The operator may allow networks (limits.callback-allowed-networks), e.g. a
receiver on 127.0.0.1 on a developer's machine."""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from infra.errors import CallbackRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # IPv6 addresses that a NAT64 gateway turns into IPv4


@dataclass(frozen=True)
class CallbackTarget:
    """A checked callbackUrl: connect to one of `addresses` (all checked, in the resolver's order);
    `host` names the server for TLS, `host_header` is the URL's host[:port] for the Host header."""

    scheme: str
    host: str
    host_header: str
    port: int
    addresses: tuple[str, ...]
    path: str


@dataclass(frozen=True)
class CallbackTargets:
    allowed_networks: tuple[IPNetwork, ...] = ()

    def check(self, url: str) -> None:
        """At submit: CallbackRefused unless every address the URL's host has may be called."""
        self.resolve(url)

    def resolve(self, url: str) -> CallbackTarget:
        """The URL resolved now to addresses that may be called, or CallbackRefused. Every address
        the name has must pass, so a name that mixes public and private ones is refused."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CallbackRefused(f"callbackUrl {url} is not an http(s) URL")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise CallbackRefused(f"callbackUrl {url} has an invalid port") from None
        addresses = _addresses(parts.hostname, port)
        refused = [a for a in addresses if not self.may_call(a)]
        if refused:
            host = parts.hostname
            named = host if str(refused[0]) == host else f"{host} ({refused[0]})"
            raise CallbackRefused(
                f"callbackUrl host {named} is a loopback, private, link-local or otherwise non-public "
                "address; the server calls those only in networks the operator allows "
                "(limits.callback-allowed-networks)"
            )
        path = parts.path or "/"
        return CallbackTarget(
            scheme=parts.scheme,
            host=parts.hostname,
            host_header=parts.netloc.rpartition("@")[2],
            port=port,
            addresses=tuple(str(address) for address in addresses),
            path=f"{path}?{parts.query}" if parts.query else path,
        )

    def may_call(self, address: IPAddress) -> bool:
        return all(
            _is_public(seen) or any(seen in network for network in self.allowed_networks)
            for seen in _as_seen(address)
        )


def _addresses(host: str, port: int) -> list[IPAddress]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise CallbackRefused(f"callbackUrl host {host} does not resolve: {e}") from None
    # scope ids (fe80::1%eth0) are not part of the address
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in found))


def _as_seen(address: IPAddress) -> list[IPAddress]:
    """What a connection to the address reaches: the IPv4 address of an IPv4-mapped one; the
    address and the IPv4 address it stands for, for a NAT64 one."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return [address.ipv4_mapped]
        if address in NAT64:
            return [address, ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    return [address]


def _is_public(address: IPAddress) -> bool:
    """is_global leaves out loopback, private, link-local, shared, reserved, unspecified and
    documentation ranges, but not multicast, nor IPv6's old site-local range."""
    site_local = isinstance(address, ipaddress.IPv6Address) and address.is_site_local
    return address.is_global and not address.is_multicast and not site_local
