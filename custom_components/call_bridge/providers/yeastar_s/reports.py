"""The PBX's reports, as they reach the entry's webhook: checked, then told as events and states."""

from __future__ import annotations

import ipaddress
import logging
from typing import TYPE_CHECKING

from aiohttp import web

from ...api.yeastar_s import InvalidReportError, decode_report, parse_report
from ...api.yeastar_s.reports import MAX_REPORT_BYTES
from ...webhook import read_body
from ..pbx_parts import fire_pbx_event

if TYPE_CHECKING:
    from . import PbxProvider


def address_of(remote: str | None) -> str | None:
    """Return a peer's address as the PBX's host resolves (an IPv4-mapped IPv6 address as IPv4)."""
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


async def async_handle_report(provider: PbxProvider, request: web.Request) -> web.Response:
    """Answer one report: 200 for every well-formed one from this PBX, so that it is not resent.

    Log lines name the entry and what was wrong, never a value from the body.
    """
    title = provider.entry.title
    counts = provider.callbacks
    if address_of(request.remote) not in provider.pbx_addresses:
        counts.count("foreign", logging.WARNING, "%s: report from another address refused", title)
        return web.Response(status=403)
    body = await read_body(request, MAX_REPORT_BYTES)
    if body is None:
        provider.far_side.add("report", f"(a body of more than {MAX_REPORT_BYTES} bytes)")
        counts.count("refused", logging.WARNING, "%s: report refused: too large", title)
        return web.Response(status=413)
    provider.far_side.add("report", body)
    try:
        report = parse_report(decode_report(body))
    except InvalidReportError as err:
        counts.count("refused", logging.WARNING, "%s: report refused: %s", title, err)
        return web.Response(status=400)
    if (
        report.serial is not None
        and provider.serial is not None
        and report.serial != provider.serial
    ):
        counts.count("foreign", logging.WARNING, "%s: report of another PBX refused", title)
        return web.Response(status=403)
    counts.counts["accepted"] += 1
    fire_pbx_event(provider, report.reported())
    if report.extension_state is not None and report.extensions:
        provider.extensions.set_state(report.extensions[0], report.extension_state)
    provider.report_followed(provider.follower.follow(report), provider.follower.calls)
    if not provider.follower.owns(report):
        provider.report_incoming(provider.incoming.follow(report), provider.incoming.calls)
    return web.Response(status=200)
