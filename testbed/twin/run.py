"""Run a command and, when it fails, fail with its output rather than only its exit status."""

import subprocess


class CommandError(subprocess.CalledProcessError):
    def __str__(self) -> str:
        def tail(text):
            return "\n".join((text or "").splitlines()[-40:])

        return (
            f"{super().__str__()}\n--- stdout (tail) ---\n{tail(self.stdout)}"
            f"\n--- stderr (tail) ---\n{tail(self.stderr)}"
        )


def run(args, *, check=True, input=None, cwd=None, env=None, timeout=None) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        args, input=input, cwd=cwd, env=env, timeout=timeout, capture_output=True, text=True
    )
    if check and proc.returncode != 0:
        raise CommandError(proc.returncode, args, proc.stdout, proc.stderr)
    return proc
