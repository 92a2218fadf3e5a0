"""``python -m kubevirt_simulator``: run the KubeVirt simulator until SIGTERM or SIGINT."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

from kubenova.k8s import Transport
from kubevirt_simulator.config import parse_args
from kubevirt_simulator.simulator import Simulator


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    logging.basicConfig(
        level=config.log_level,
        format="%(asctime)s %(levelname)s kubevirt-simulator[%(threadName)s] %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("urllib3").setLevel(logging.ERROR)
    stop = threading.Event()

    def _signal(signum: int, _frame: FrameType | None) -> None:
        logging.getLogger("kubevirt_simulator").info(
            "kubevirt-simulator: %s received, shutting down", signal.Signals(signum).name
        )
        stop.set()

    signal.signal(signal.SIGTERM, _signal)
    signal.signal(signal.SIGINT, _signal)
    client = Transport.from_environment(user_agent="kubevirt-simulator", timeout=(5.0, 30.0))
    simulator = Simulator(config, client)
    starter = threading.Thread(
        target=_start, args=(simulator, stop), name="kubevirt-simulator-start", daemon=True
    )
    starter.start()
    stop.wait()
    simulator.stop()
    client.close()
    return 0


def _start(simulator: Simulator, stop: threading.Event) -> None:
    try:
        simulator.start()
    except Exception:
        logging.getLogger("kubevirt_simulator").exception("kubevirt-simulator: failed to start")
        stop.set()


if __name__ == "__main__":
    sys.exit(main())
