"""A run over many hosts: SSH commands sent without Nagle's delay, and the failed hosts named at the end."""

import socket

from pyinfra import logger
from pyinfra.api.state import BaseStateCallback


class FailedHostsLine(BaseStateCallback):
    """pyinfra's results table only counts failures: one line, as the run disconnects, names the hosts."""

    def __init__(self):
        self.said = False

    def host_disconnect(self, state, host):
        if state.failed_hosts and not self.said:
            self.said = True
            names = ", ".join(sorted(h.name for h in state.failed_hosts))
            logger.error(f"--> Failed hosts: {names} (the messages above marked with a name say why)")


def _send_without_delay(host) -> None:
    # paramiko leaves Nagle's algorithm on: each command then waits ~40 ms for a delayed ACK,
    # which is most of a no-op run's time. A proxied connection has no socket of its own.
    client = getattr(host.connector, "client", None)
    sock = getattr(client.get_transport(), "sock", None) if client else None
    if isinstance(sock, socket.socket):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def prepare(host) -> None:
    """Before the host's first command; every host passes here, so the run's last line is set up too."""
    _send_without_delay(host)
    if not any(isinstance(h, FailedHostsLine) for h in host.state.callback_handlers):
        host.state.add_callback_handler(FailedHostsLine())
