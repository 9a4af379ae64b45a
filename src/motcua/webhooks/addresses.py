"""Where a webhook may be sent: hosts on the public internet only (no SSRF).

A subscription's URL is chosen by whoever manages subscriptions; without this check the
worker would POST signed events to loopback services, the internal network or a cloud
metadata endpoint (169.254.169.254). The host is resolved and every address it resolves to
must be global: not loopback, private, link-local, shared, multicast, reserved or
unspecified. Checked when a subscription is saved and again before each send, as DNS can
change in between. ``MOTCUA_WEBHOOK_ALLOW_PRIVATE=1`` lifts it (receivers inside the
province's own network, the tests' loopback receivers).
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse

from django.conf import settings


class AddressRefused(ValueError):
    """The URL's host is not (only) on the public internet, or does not resolve."""


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_multicast
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_unspecified
    )


def webhook_address_check(url: str) -> None:
    """``AddressRefused`` unless every address ``url``'s host resolves to is public (or
    private addresses are allowed by the setting)."""
    if settings.MOTCUA["WEBHOOK_ALLOW_PRIVATE"]:
        return
    split = urllib.parse.urlsplit(url)
    host = split.hostname
    if not host:
        raise AddressRefused(f"địa chỉ nhận không có tên máy: {url!r}")
    port = split.port or (443 if split.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise AddressRefused(f"không phân giải được {host}: {exc}") from exc
    for *_, sockaddr in infos:
        if not _public(str(sockaddr[0])):
            raise AddressRefused(
                f"địa chỉ nhận {host} ({sockaddr[0]}) không phải địa chỉ Internet công cộng "
                "(mạng nội bộ, loopback, link-local…): không gửi "
                "(MOTCUA_WEBHOOK_ALLOW_PRIVATE=1 để cho phép)"
            )
