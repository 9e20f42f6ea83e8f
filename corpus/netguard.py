"""Keep news fetching off internal networks (SSRF) and inside one deadline per request.

A feed is hostile input: its items (and their redirects) may point at loopback, the
cloud metadata service or the office network. Every TCP connection a fetch makes goes
through :class:`GuardedBackend`, an httpcore network backend that

* resolves the host once (``getaddrinfo``, bounded by the deadline), refuses it when any
  address is not public (:func:`address_kind`) unless the :class:`AllowList` names the
  host or the address, and then connects to that checked address itself, so a second DNS
  answer cannot slip in between check and connect (DNS rebinding);
* clips every connect, TLS handshake, read and write to what is left of the request's
  deadline, so a server that drips a byte every few seconds is cut at the deadline.

Redirects open new connections through the same backend, so each hop is checked too.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

import httpcore

from pipeline.errors import ConfigError

IPAddress = IPv4Address | IPv6Address
ALLOW_HINT = "--allow-host {host} or UDIPLO_NEWS_ALLOW_HOSTS"
_UNIQUE_LOCAL = ip_network("fc00::/7")
_NAT64 = ip_network("64:ff9b::/96")
_CHECKS = (("unspecified", "is_unspecified"), ("loopback", "is_loopback"), ("link-local", "is_link_local"),
           ("multicast", "is_multicast"))


def address_kind(ip: IPAddress) -> str | None:
    """``None`` for a public address, else what kind of internal address it is.

    IPv4 addresses carried inside IPv6 (``::ffff:127.0.0.1``, NAT64 ``64:ff9b::/96``,
    6to4 ``2002::/16``) are judged by the IPv4 address they reach.
    """
    if isinstance(ip, IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour or (IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        if inner is not None:
            return address_kind(inner)
    for kind, attr in _CHECKS:
        if getattr(ip, attr):
            return kind
    if isinstance(ip, IPv6Address) and ip in _UNIQUE_LOCAL:
        return "unique-local"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    return None if ip.is_global else "non-public"


@dataclass(frozen=True)
class AllowList:
    """Hosts (by name, address or network) the user lets news fetching reach although they are internal."""

    names: frozenset[str] = frozenset()
    networks: tuple = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        """From ``--allow-host`` values or ``UDIPLO_NEWS_ALLOW_HOSTS``; entries may also be space/comma separated."""
        names, networks = set(), []
        for entry in (part for e in entries for part in e.replace(",", " ").split()):
            try:
                networks.append(ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            names.add(_host_name(entry))
        return cls(frozenset(names), tuple(networks))

    def allows(self, host: str, ip: IPAddress) -> bool:
        """Whether connecting to ``ip`` for ``host`` (as in the URL, IDNA-encoded) is allowed."""
        return host.lower().rstrip(".") in self.names or any(ip in net for net in self.networks)


def _host_name(entry: str) -> str:
    """A host name as it appears in a request (lower case, IDNA), or ConfigError."""
    name = entry.lower().rstrip(".")
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        name = ""
    if not all(label and label.replace("-", "").replace("_", "").isalnum() for label in name.split(".")):
        raise ConfigError("--allow-host takes a host name, an IP address or a network such as "
                          f"10.0.0.0/8; got {entry!r}")
    return name


class RefusedAddress(Exception):
    """A host resolved to an internal address the allow-list does not cover. ``reason`` is one line."""

    def __init__(self, host: str, ip: IPAddress, kind: str):
        self.host, self.ip, self.kind = host, ip, kind
        article = "an" if kind == "unspecified" else "a"
        what = (f"{host} is {article} {kind} address" if _same_address(host, ip)
                else f"{host} resolves to {article} {kind} address {ip}")
        super().__init__(f"{what} (allow it with {ALLOW_HINT.format(host=host)})")


def _same_address(host: str, ip: IPAddress) -> bool:
    try:
        return ip_address(host.strip("[]")) == ip
    except ValueError:
        return False


class Deadline:
    """Monotonic time by which a whole request (all hops, headers and body) must be done."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def clip(self, timeout: float | None, error: type[Exception]) -> float:
        left = self.at - time.monotonic()
        if left <= 0:
            raise error(f"no complete response within the {self.seconds:g} s deadline")
        return left if timeout is None else min(timeout, left)


def resolve(host: str, port: int, timeout: float) -> list[IPAddress]:
    """Addresses of ``host`` in the resolver's order, waiting at most ``timeout`` seconds."""
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        infos = pool.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM).result(timeout)
    except TimeoutError:
        raise httpcore.ConnectTimeout(f"looking up {host} took longer than {timeout:.1f} s") from None
    except (socket.gaierror, UnicodeError) as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
    finally:
        pool.shutdown(wait=False)
    return list(dict.fromkeys(ip_address(info[4][0].split("%")[0]) for info in infos))


class GuardedBackend(httpcore.SyncBackend):
    """Connects only to checked addresses, and only until the deadline."""

    def __init__(self, allow: AllowList, deadline: Deadline):
        self.allow = allow
        self.deadline = deadline

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = resolve(host, port, self.deadline.clip(timeout, httpcore.ConnectTimeout))
        for ip in addresses:
            kind = address_kind(ip)
            if kind and not self.allow.allows(host, ip):
                raise RefusedAddress(host, ip, kind)
        error: Exception = httpcore.ConnectError(f"{host} has no address")
        for ip in addresses:
            try:
                stream = super().connect_tcp(str(ip), port, self.deadline.clip(timeout, httpcore.ConnectTimeout),
                                             local_address, socket_options)
                return DeadlineStream(stream, self.deadline)
            except httpcore.ConnectError as exc:
                error = exc
        raise error


class DeadlineStream(httpcore.NetworkStream):
    """A connected stream whose every operation ends by the request's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: Deadline):
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.clip(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.clip(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> DeadlineStream:
        tls = self._stream.start_tls(ssl_context, server_hostname,
                                     self._deadline.clip(timeout, httpcore.ConnectTimeout))
        return DeadlineStream(tls, self._deadline)

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)
