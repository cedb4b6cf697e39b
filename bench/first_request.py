#!/usr/bin/env python3
"""Time from starting `mfo serve` to its first answered request.

    first_request.py PORT RUNS -- COMMAND...

Starts COMMAND (which must serve 127.0.0.1:PORT) RUNS times. Each time it
connects every millisecond until the port accepts, sends GET /healthz and
waits for the status line; the time from the spawn to that answer is one
sample. The server is then stopped with SIGTERM (its own PID only).
Prints the samples and their median in milliseconds.
"""

import signal
import socket
import statistics
import subprocess
import sys
import time

DEADLINE_SECONDS = 10


def first_answer(port: int, started: float) -> float:
    while time.monotonic() - started < DEADLINE_SECONDS:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5) as sock:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             b"Connection: close\r\n\r\n")
                status = sock.recv(64)
                if status.startswith(b"HTTP/1.1 200"):
                    return (time.monotonic() - started) * 1000
        except OSError:
            pass
        time.sleep(0.001)
    raise SystemExit(f"first_request.py: no answer on port {port}")


def main() -> int:
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    port, runs, command = int(sys.argv[1]), int(sys.argv[2]), sys.argv[4:]
    samples = []
    for _ in range(runs):
        started = time.monotonic()
        server = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        try:
            samples.append(first_answer(port, started))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)
    print("samples ms: " + " ".join(f"{s:.1f}" for s in samples))
    print(f"median ms: {statistics.median(samples):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
