"""The end of a run over many hosts names the ones that failed: pyinfra's results table only counts them."""

from pyinfra import logger
from pyinfra.api.state import BaseStateCallback


class FailedHostsLine(BaseStateCallback):
    """One line, as the run disconnects, naming each failed host."""

    def __init__(self):
        self.said = False

    def host_disconnect(self, state, host):
        if state.failed_hosts and not self.said:
            self.said = True
            names = ", ".join(sorted(h.name for h in state.failed_hosts))
            logger.error(f"--> Failed hosts: {names} (the messages above marked with a name say why)")


def name_failed_hosts(state) -> None:
    """Register the line once per run, whichever host comes first."""
    if not any(isinstance(h, FailedHostsLine) for h in state.callback_handlers):
        state.add_callback_handler(FailedHostsLine())
