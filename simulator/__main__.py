"""Run the simulated PBX and OneNET on loopback: ``python -m simulator --help``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from .onenet import OUTCOMES, OneNetState
from .pbx import PbxState
from .server import start_simulator

_LOGGER = logging.getLogger("simulator")


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    parser.add_argument("--pbx-port", type=int, default=9011)
    parser.add_argument("--onenet-port", type=int, default=8002)
    parser.add_argument("--pbx-username", default="api")
    parser.add_argument("--pbx-password", default="password")
    parser.add_argument("--app-id", default=OneNetState.app_id)
    parser.add_argument("--access-key", default=OneNetState.access_key)
    parser.add_argument("--sponsor", default=OneNetState.sponsor)
    parser.add_argument("--step-delay", type=float, default=2.0, help="seconds between callbacks")
    parser.add_argument("--outcome", choices=OUTCOMES, default="answered", help="default outcome")
    parser.add_argument(
        "--busy", action="append", default=["8613800000486"], help="callee that is busy"
    )
    parser.add_argument(
        "--no-answer", action="append", default=["8613800000480"], help="callee that never answers"
    )
    return parser.parse_args()


async def _serve(args: argparse.Namespace) -> None:
    pbx = PbxState(username=args.pbx_username, password=args.pbx_password)
    onenet = OneNetState(
        app_id=args.app_id,
        access_key=args.access_key,
        sponsor=args.sponsor,
        step_delay=args.step_delay,
        default_outcome=args.outcome,
        outcomes=dict.fromkeys(args.busy, "busy") | dict.fromkeys(args.no_answer, "no_answer"),
    )
    runners = await start_simulator(
        pbx, onenet, host=args.host, pbx_port=args.pbx_port, onenet_port=args.onenet_port
    )
    _LOGGER.info(
        "PBX on http://%s:%s, OneNET on http://%s:%s",
        args.host,
        args.pbx_port,
        args.host,
        args.onenet_port,
    )
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
