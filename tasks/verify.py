"""Proof at the end: the engine lists the nvidia runtime, and optionally a GPU container runs."""

from __future__ import annotations

from dataclasses import replace

from pyinfra import host, logger
from pyinfra.api import deploy, operation
from pyinfra.operations.util import any_changed

from tasks.dockerinfo import RUNTIMES_COMMAND, gpu_container_command, runtimes
from tasks.facts import CommandResult
from tasks.findings import FAIL, Finding, failure
from tasks.operations import checks_pass, ops_planned, steps_left

# The findings of the final proof, each a FAIL.
NO_ANSWER, NO_RUNTIMES, NO_NVIDIA = "verify.no-answer", "verify.no-runtimes", "verify.no-nvidia"
COMMAND_FAILED = "verify.command-failed"
IDS = {NO_ANSWER: FAIL, NO_RUNTIMES: FAIL, NO_NVIDIA: FAIL, COMMAND_FAILED: FAIL}


def runtime_problem(result: dict) -> Finding | None:
    """Why `docker info` does not prove the nvidia runtime, or None when it does."""
    if not result["ok"]:
        return failure(NO_ANSWER, "the engine does not answer: " + " ".join(result["output"])[-400:])
    listed = runtimes(result["output"])
    if listed is None:
        return failure(NO_RUNTIMES, "docker info gave no runtimes: " + " ".join(result["output"])[-400:])
    if "nvidia" not in listed:
        return failure(NO_NVIDIA, f"the engine lists runtimes {sorted(listed)} but not nvidia",
                       "restart it (`sudo systemctl restart docker`), and check that `docker` talks to this engine")
    return None


def runtimes_listed(result: dict) -> str:
    """A passing runtime check's line: the runtimes by name (the engine's API answers its whole info)."""
    return "the engine lists " + ", ".join(sorted(runtimes(result["output"])))


def last_lines(result: dict) -> str:
    return "\n".join(result["output"][-5:])


def command_failed(result: dict) -> Finding | None:
    return None if result["ok"] else failure(COMMAND_FAILED, "failed:\n" + "\n".join(result["output"][-20:]))


@operation(is_idempotent=True)
def command_proves(command: str, what: str, problem=command_failed, shown=last_lines, result: dict | None = None,
                   kept: dict | None = None):
    """Run a read-only check when its turn comes, after the changes before it; stop the host if it fails.
    result, CommandResult's value of command read earlier in this run, stands for it when the caller
    knows that nothing has changed since. kept, if given, keeps the value under "result", for a later step."""
    result = result or host.get_fact(CommandResult, command=command)
    if kept is not None:
        kept["result"] = result
    reason = problem(result)
    if not reason and host.state.is_executing:
        host.log_styled(f"{what}: ok\n{shown(result)}", log_func=logger.info)
    yield from checks_pass._inner(problems=[replace(reason, check=what)] if reason else [])


@deploy("Verify")
def verify(settings, facts: dict, planned: int, group_changes=()) -> dict:
    """
    The engine's runtimes, asked when this check's turn comes; when no operation has been planned
    since the snapshot (`planned` of them before), nothing has changed, and the snapshot's own read
    of them (HostSnapshot's "runtimes") stands for it: a no-op rerun sends the one command. Returns
    where the read is kept (under "result", once the check has run), with a pending restart's lines.
    """
    read = facts["runtimes"] if ops_planned() == planned else None
    proof = {"result": read}
    if read and not runtime_problem(read):
        # Proven by the snapshot's read, as no step has planned a change since: no operation, so
        # that a no-op rerun plans none.
        host.log_styled(f"nvidia runtime: ok\n{runtimes_listed(read)}", log_func=logger.info)
    else:
        command_proves(name="The engine lists the nvidia runtime", command=RUNTIMES_COMMAND,
                       what="nvidia runtime", problem=runtime_problem, shown=runtimes_listed,
                       result=read, kept=proof)
    if settings.gpu_smoke_test:
        command_proves(
            name="A GPU container runs",
            command=gpu_container_command(settings),
            what="GPU smoke test",
        )
    if group_changes:  # the users the snapshot found outside the docker group
        steps_left(
            name="Steps left to you",
            steps=[(
                "open a new shell (or run `newgrp docker`) so that your new docker group "
                "membership applies",
                any_changed(*group_changes),
            )],
        )
    return proof
