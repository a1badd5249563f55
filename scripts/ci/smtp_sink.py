#!/usr/bin/env python3
"""A local SMTP sink for the notification end-to-end test (docs/notifications.md).

Listens on loopback with aiosmtpd (PyPI), writes every accepted message to FOLDER as <n>.eml, and refuses the
first --refuse-first DATA commands with a 451 (a temporary failure) so the test sees the sender retry. Prints
"listening <port>" once ready; stops on SIGTERM/SIGINT. Loopback only: it never listens elsewhere.

    python3 scripts/ci/smtp_sink.py --folder /tmp/sink --port 0 --refuse-first 1
"""
import argparse
import asyncio
import os
import signal
import socket
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder, refuse_first):
        self.folder = folder
        self.refuse_left = refuse_first
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_left > 0:
            self.refuse_left -= 1
            with open(os.path.join(self.folder, "refused.log"), "a") as log:
                log.write("refused one delivery with 451\n")
            return "451 4.3.0 Try again later (test sink refuses the first attempt)"
        self.count += 1
        path = os.path.join(self.folder, "%03d.eml" % self.count)
        with open(path + ".part", "wb") as out:
            out.write(("X-Sink-Rcpt: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
            out.write(envelope.original_content or envelope.content)
        os.replace(path + ".part", path)
        return "250 OK stored"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    # A parent (the Swift test runner) may hand its blocked signal mask down: unblock, or SIGTERM never arrives.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--refuse-first", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.folder, exist_ok=True)
    port = args.port or free_port()
    controller = Controller(Sink(args.folder, args.refuse_first), hostname="127.0.0.1", port=port)
    controller.start()
    print("listening %d" % port, flush=True)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
