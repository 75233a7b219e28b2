"""Doctor's registry: each check declared once, with its name, skip conditions and the statuses it gives."""

from __future__ import annotations

import inspect
from dataclasses import asdict, dataclass, replace
from typing import Callable, Iterable

from tasks.masking import masked

PASS, WARN, FAIL, INFO = "PASS", "WARN", "FAIL", "INFO"
STATUSES = (PASS, WARN, FAIL, INFO)
# What a check that raised says it needs: the other checks' findings stand, this one's is doctor's own bug.
CRASH_FIX = ("this is a bug in doctor, not a problem found on this host: report it to the deploy's maintainers "
             "with this line and doctor's JSON report; the other checks ran and their findings stand")


@dataclass(frozen=True)
class Result:
    """One check's verdict: what was found, and for anything not PASS, the fix."""

    check: str
    status: str
    found: str
    fix: str = ""
    by_deploy: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Verdict:
    """What a check's function returns: a Result without the check's name, which the registry adds."""

    status: str
    found: str
    fix: str = ""
    by_deploy: bool = False


@dataclass(frozen=True)
class Skip:
    """When a check does not apply, and what it says then (INFO): a string, or one made of the facts."""

    when: Callable[[dict, object], bool]
    says: str | Callable[[dict], str]

    def __call__(self, says: str | Callable[[dict], str]) -> Skip:
        """The same condition, in one check's own words."""
        return replace(self, says=says)

    def said(self, facts: dict) -> str:
        return self.says(facts) if callable(self.says) else self.says


@dataclass(frozen=True)
class Check:
    """A declared check: called with (facts, settings), it gives its Result."""

    name: str
    layer: str
    run: Callable[[dict, object], Verdict]
    skip: tuple[Skip, ...] = ()
    gives: tuple[str, ...] = ()

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.run) or ""

    def __call__(self, facts: dict, settings) -> Result:
        """Its Result; one that raises, in its skips or its function, is reported as crashed, so that
        one check's bug never costs a host the others' findings."""
        try:
            return self._result(facts, settings)
        except Exception as error:  # any bug of one check, in whatever it parses, becomes its finding
            return crashed(self.name, error)

    def _result(self, facts: dict, settings) -> Result:
        for skip in self.skip:
            if skip.when(facts, settings):
                return Result(self.name, INFO, skip.said(facts))
        verdict = self.run(facts, settings)
        # A status the check does not declare is reported as given: the unit tests refuse it, a host does
        # not. One no report can hold is the check's bug, reported as its crash.
        if verdict.status not in STATUSES:
            raise ValueError(f"it gave the status {verdict.status!r}, which is none of {', '.join(STATUSES)}")
        return Result(self.name, verdict.status, verdict.found, verdict.fix, verdict.by_deploy)

    @property
    def statuses(self) -> tuple[str, ...]:
        """Every status its verdicts may give: PASS, INFO and what it declares."""
        return (PASS, INFO, *self.gives)


def crashed(name: str, error: BaseException) -> Result:
    """A check that raised, as its own FAIL: the exception's type and message on one line, masked."""
    message = " ".join(str(error).split())
    found = f"the check crashed: {type(error).__name__}" + (f": {message}" if message else "")
    return Result(name, FAIL, masked(found), CRASH_FIX)


def layer_key(module: str) -> str:
    """The layer whose checks a module holds: daemon-json for tasks.doctor.checks.daemon_json."""
    return module.rpartition(".")[2].replace("_", "-")


class Registry:
    """The declared checks, by the layer module that declares them, in the order declared."""

    def __init__(self, declared: dict[str, list[Check]] | None = None):
        self._declared = {module: list(checks) for module, checks in (declared or {}).items()}

    def copy(self) -> Registry:
        return Registry(self._declared)

    def check(self, name: str, *, skip: Iterable[Skip] = (), gives: Iterable[str] = ()):
        """Declares the function below as the check `name` of its module's layer. Each skip, in order, may
        step it aside with INFO before it runs; gives names what it can give besides PASS and INFO."""
        def declare(run: Callable) -> Check:
            key = layer_key(run.__module__)
            if name != key and not name.startswith(key + "."):
                raise ValueError(f"{name} is declared in {run.__module__}: its name must start with {key}.")
            if name in {c.name for checks in self._declared.values() for c in checks}:
                raise ValueError(f"{name} is declared twice")
            if not inspect.getdoc(run):
                raise ValueError(f"{name} has no docstring: say in one line what it checks")
            if set(gives) - {WARN, FAIL}:
                raise ValueError(f"{name}: gives= takes WARN and FAIL only")
            declared = Check(name, key, run, tuple(skip), tuple(gives))
            self._declared.setdefault(run.__module__, []).append(declared)
            return declared

        return declare

    def ordered(self, modules: list[str]) -> list[Check]:
        """Every check, bottom to top: by layer, in the order of modules, then as declared."""
        strays = sorted(set(self._declared) - set(modules))
        if strays:
            raise ValueError(f"checks declared outside a layer's module: {strays}")
        return [c for module in modules for c in self._declared.get(module, [])]


REGISTRY = Registry()
check = REGISTRY.check
