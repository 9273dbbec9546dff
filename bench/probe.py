"""A server's port and its first answer: a free port on loopback, and the cold start to a signed /sms."""

from __future__ import annotations

import http.client
import socket
import subprocess
import time
from pathlib import Path

from harness import HOST, HarnessError, Run
from messages import probe_request
from processes import log_tail

FIRST_ANSWER_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_first_answer(run: Run, process: subprocess.Popen, started: float, log: Path) -> tuple[float, str]:
    """Seconds from spawn to the first answered signed POST /sms (polled in a tight loop), and the answer."""
    body, headers = probe_request(run)
    while True:
        if process.poll() is not None:
            raise HarnessError(f"the server exited with {process.returncode} before answering:\n{log_tail(log)}")
        connection = http.client.HTTPConnection(HOST, run.port, timeout=10)
        try:
            connection.request("POST", "/sms", body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            elapsed = time.monotonic() - started
        except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected):
            if time.monotonic() - started > FIRST_ANSWER_TIMEOUT_S:
                raise HarnessError(
                    f"the server did not answer within {FIRST_ANSWER_TIMEOUT_S:.0f} s:\n{log_tail(log)}"
                ) from None
            time.sleep(0.002)
            continue
        finally:
            connection.close()
        if response.status != 200:
            raise HarnessError(f"the first signed request got HTTP {response.status}: {text.strip()[:300]}")
        return elapsed, text
