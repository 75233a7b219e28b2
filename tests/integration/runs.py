"""A pyinfra run as the integration tests read it: its exit status, its output and its JSON results."""

import json
import subprocess


def clipped(output: str, head: int = 3000, tail: int = 6000) -> str:
    """output whole when short, else its head and its tail, where pyinfra says what failed: for a test's message."""
    return output if len(output) < head + tail else output[:head] + "\n[...]\n" + output[-tail:]


class PyinfraRun:
    """One pyinfra run with --json: its exit status, its output, and its results ({} when it printed none)."""

    def __init__(self, proc: subprocess.CompletedProcess):
        self.returncode = proc.returncode
        self.output = proc.stdout + proc.stderr
        try:
            self.results = json.loads(proc.stdout)["results"] or {}
        except ValueError:
            self.results = {}

    def changed_on(self, host: str | None = None) -> list[str]:
        """The names of the operations that changed something on host, or on any host."""
        return self._operations("success", host)

    def errors_on(self, host: str | None = None) -> list[str]:
        """The names of the operations that failed on host, or on any host."""
        return self._operations("error", host)

    def _operations(self, outcome: str, host: str | None) -> list[str]:
        return [op["name"] for op in self.results.get("operations", [])
                if (host in op[outcome] if host else op[outcome])]

    def summary(self) -> str:
        return f"rc={self.returncode}, failed={self.results.get('failed_hosts')}"

    def __repr__(self):
        return f"{type(self).__name__}({self.summary()})\n{clipped(self.output)}"


class DeployRun(PyinfraRun):
    """One `pyinfra deploy.py` run against a twin, with pyinfra's own JSON results."""

    @property
    def changed(self) -> list[str]:
        """Names of the operations that changed something."""
        return self.changed_on()

    @property
    def errors(self) -> list[str]:
        return self.errors_on()

    def summary(self) -> str:
        return f"rc={self.returncode}, changed={self.changed}, errors={self.errors}"
