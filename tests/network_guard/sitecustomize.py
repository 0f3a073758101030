"""Start-up hook for the tests' servers: logs every network attempt and refuses non-loopback ones.

Python imports `sitecustomize` from PYTHONPATH when it starts, so putting this folder on the
PYTHONPATH of a `streamlit run` makes the whole server run under it. With TRACKER_NETWORK_LOG
naming a file, each attempt to resolve a name, connect or send appends one JSON line
`{"pid", "call", "address", "loopback"}` to it, and one `"call": "installed"` line says the hook
is live in that process. An attempt at anything but the loopback interface raises an OSError
instead of reaching the network, so what the server does without it can be seen too.
"""

import ipaddress
import json
import os
import socket

LOG = os.environ.get("TRACKER_NETWORK_LOG", "")
# Names that resolve from /etc/hosts alone, without asking a DNS server.
LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost", "ip6-loopback"})


def _is_loopback(host: object) -> bool:
    """True for a loopback address or name; a Unix socket path counts as local too."""
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _record(call: str, address: object, loopback: bool) -> None:
    with open(LOG, "a", encoding="utf-8") as log:
        entry = {"pid": os.getpid(), "call": call, "address": repr(address), "loopback": loopback}
        log.write(json.dumps(entry) + "\n")


def _check(call: str, host: object, address: object) -> None:
    """Logs the attempt; refuses it unless it stays on this machine."""
    loopback = _is_loopback(host)
    _record(call, address, loopback)
    if not loopback:
        raise PermissionError(f"outbound network attempt refused by the test hook: {address!r}")


def _host_of(family: int, address: object) -> object:
    if family == socket.AF_UNIX:
        return "localhost"
    if isinstance(address, tuple) and address:
        return address[0]
    return address


def _install() -> None:
    socket_class = socket.socket
    original_connect = socket_class.connect
    original_connect_ex = socket_class.connect_ex
    original_sendto = socket_class.sendto
    original_getaddrinfo = socket.getaddrinfo
    original_create_connection = socket.create_connection
    original_gethostbyname = socket.gethostbyname
    original_gethostbyname_ex = socket.gethostbyname_ex
    original_gethostbyaddr = socket.gethostbyaddr

    def connect(self, address):
        _check("connect", _host_of(self.family, address), address)
        return original_connect(self, address)

    def connect_ex(self, address):
        _check("connect_ex", _host_of(self.family, address), address)
        return original_connect_ex(self, address)

    def sendto(self, data, *flags_and_address):
        address = flags_and_address[-1]
        _check("sendto", _host_of(self.family, address), address)
        return original_sendto(self, data, *flags_and_address)

    def getaddrinfo(host, port, *args, **kwargs):
        # No host means a passive (bind) lookup of this machine's own wildcard.
        if host is not None:
            _check("getaddrinfo", host, (host, port))
        return original_getaddrinfo(host, port, *args, **kwargs)

    def create_connection(address, *args, **kwargs):
        _check("create_connection", address[0], address)
        return original_create_connection(address, *args, **kwargs)

    def gethostbyname(host):
        _check("gethostbyname", host, host)
        return original_gethostbyname(host)

    def gethostbyname_ex(host):
        _check("gethostbyname_ex", host, host)
        return original_gethostbyname_ex(host)

    def gethostbyaddr(host):
        _check("gethostbyaddr", host, host)
        return original_gethostbyaddr(host)

    socket_class.connect = connect
    socket_class.connect_ex = connect_ex
    socket_class.sendto = sendto
    socket.getaddrinfo = getaddrinfo
    socket.create_connection = create_connection
    socket.gethostbyname = gethostbyname
    socket.gethostbyname_ex = gethostbyname_ex
    socket.gethostbyaddr = gethostbyaddr
    _record("installed", None, True)


if LOG:
    _install()
