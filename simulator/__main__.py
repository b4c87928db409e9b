"""Run the simulated PBXs and OneNET on loopback: ``python -m simulator --help``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from .demo import ONENET_PORT, PBX_PORTS, YEASTAR_P_PORT, far_side
from .onenet import OUTCOMES
from .pbx import LOCKOUT_FAILURES, LOCKOUT_SECONDS
from .server import start_simulator

_LOGGER = logging.getLogger("simulator")

DESCRIPTION = """\
A stand-in for three IP PBXs and for OneNET voice, on loopback, for trying Call Bridge without hardware.
Add them in Home Assistant (Settings > Devices & services > Add integration > Call Bridge) with:

{services}

Extensions 101, 102 (PBX 1) and 1000, 1001 (PBX 2) answer; 103 and 1002 are in a call (the PBX
refuses to dial them); calls to 104 and 1003 are busy, to 105 go unanswered, to 106 fail, as the
PBX reports them to where the login said; others do not exist. OneNET callee 138 0000 0486 is busy
and 138 0000 0480 never answers; so are they when a PBX dials them out (dial_outbound), and the
P-Series cannot reach 138 0000 0404. The P-Series' 2001 is signed in on two devices, as real
boxes were seen to report it. {failures} wrong passwords lock a PBX's API out for
--lockout-minutes.
"""


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description=DESCRIPTION.format(
            services=far_side(1.0).describe(), failures=LOCKOUT_FAILURES
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    parser.add_argument("--onenet-port", type=int, default=ONENET_PORT)
    parser.add_argument(
        "--pbx-ports", type=int, nargs=2, default=list(PBX_PORTS), metavar=("PBX1", "PBX2")
    )
    parser.add_argument(
        "--step-delay",
        type=float,
        default=2.0,
        help="seconds between the steps of a call (callbacks, reports)",
    )
    parser.add_argument("--yeastar-p-port", type=int, default=YEASTAR_P_PORT)
    parser.add_argument(
        "--token-seconds",
        type=float,
        help="lifetime of the P-Series' access tokens (default 1800), to see refreshes soon",
    )
    parser.add_argument("--outcome", choices=OUTCOMES, default="answered", help="default outcome")
    parser.add_argument(
        "--lockout-minutes",
        type=float,
        default=LOCKOUT_SECONDS / 60,
        help="how long a PBX locks its API out after too many failed logins (default 10)",
    )
    return parser.parse_args()


async def _serve(args: argparse.Namespace) -> None:
    simulated = far_side(
        args.step_delay,
        onenet_port=args.onenet_port,
        pbx_ports=tuple(args.pbx_ports),
        yeastar_p_port=args.yeastar_p_port,
        lockout_seconds=args.lockout_minutes * 60,
        token_seconds=args.token_seconds,
    )
    simulated.onenet.default_outcome = args.outcome
    runners = await start_simulator(simulated, host=args.host)
    _LOGGER.info("serving on %s:\n%s", args.host, simulated.describe(args.host))
    try:
        await asyncio.Event().wait()
    finally:
        for runner in runners:
            await runner.cleanup()


def main() -> None:
    """Serve until interrupted."""
    logging.basicConfig(level=logging.INFO, format="simulator: %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(_parse_args()))


if __name__ == "__main__":
    main()
