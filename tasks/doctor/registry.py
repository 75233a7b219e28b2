"""Doctor's registry: each check declared once, with its name, skip conditions and the statuses it gives."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Mapping

from tasks.findings import FAIL, ID, INFO, PASS, STATUSES, WARN, Finding
from tasks.masking import masked

# The id of a check that raised, whichever check it was: doctor's own bug, not the host's.
CRASHED = "doctor.crashed"
# What a check that raised says it needs: the other checks' findings stand, this one's is doctor's own bug.
CRASH_FIX = ("this is a bug in doctor, not a problem found on this host: report it to the deploy's maintainers "
             "with this line and doctor's JSON report; the other checks ran and their findings stand")


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
    """A declared check: called with (facts, settings), it gives its Finding."""

    name: str
    layer: str
    run: Callable[[dict, object], Finding]
    skip: tuple[Skip, ...] = ()
    ids: tuple[tuple[str, str], ...] = ()

    @property
    def gives(self) -> tuple[str, ...]:
        """The statuses it declares besides PASS and INFO."""
        return tuple(dict.fromkeys(status for _, status in self.ids))

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.run) or ""

    def __call__(self, facts: dict, settings) -> Finding:
        """Its Finding, named for it, with its id (the check's name when the finding names none); one that
        raises, in its skips or its function, is reported as crashed, so that one check's bug never costs a
        host the others' findings."""
        try:
            return self._result(facts, settings)
        except Exception as error:  # any bug of one check, in whatever it parses, becomes its finding
            return crashed(self.name, error)

    def _result(self, facts: dict, settings) -> Finding:
        for skip in self.skip:
            if skip.when(facts, settings):
                return Finding(INFO, skip.said(facts), id=self.name, check=self.name)
        verdict = self.run(facts, settings)
        # A status the check does not declare is reported as given: the unit tests refuse it, a host does
        # not. One no report can hold is the check's bug, reported as its crash.
        if verdict.status not in STATUSES:
            raise ValueError(f"it gave the status {verdict.status!r}, which is none of {', '.join(STATUSES)}")
        return replace(verdict, id=verdict.id or self.name, check=self.name)

    @property
    def statuses(self) -> tuple[str, ...]:
        """Every status its verdicts may give: PASS, INFO and what it declares."""
        return (PASS, INFO, *self.gives)


def crashed(name: str, error: BaseException) -> Finding:
    """A check that raised, as its own FAIL: the exception's type and message on one line, masked."""
    message = " ".join(str(error).split())
    found = f"the check crashed: {type(error).__name__}" + (f": {message}" if message else "")
    return Finding(FAIL, masked(found), CRASH_FIX, id=CRASHED, check=name)


def layer_key(module: str) -> str:
    """The layer whose checks a module holds: daemon-json for tasks.doctor.checks.daemon_json."""
    return module.rpartition(".")[2].replace("_", "-")


class Registry:
    """The declared checks, by the layer module that declares them, in the order declared."""

    def __init__(self, declared: dict[str, list[Check]] | None = None):
        self._declared = {module: list(checks) for module, checks in (declared or {}).items()}

    def copy(self) -> Registry:
        return Registry(self._declared)

    def check(self, name: str, *, skip: Iterable[Skip] = (), gives: Iterable[str] | Mapping[str, str] = ()):
        """Declares the function below as the check `name` of its module's layer. Each skip, in order, may
        step it aside with INFO before it runs; gives names what it can give besides PASS and INFO: each
        finding's id and its status, or, for a check with one way to fail, that status alone (its id is
        then the check's name)."""
        ids = dict(gives) if isinstance(gives, Mapping) else {name: status for status in gives}

        def declare(run: Callable) -> Check:
            key = layer_key(run.__module__)
            if name != key and not name.startswith(key + "."):
                raise ValueError(f"{name} is declared in {run.__module__}: its name must start with {key}.")
            if name in {c.name for checks in self._declared.values() for c in checks}:
                raise ValueError(f"{name} is declared twice")
            if not inspect.getdoc(run):
                raise ValueError(f"{name} has no docstring: say in one line what it checks")
            if set(ids.values()) - {WARN, FAIL}:
                raise ValueError(f"{name}: gives= takes WARN and FAIL only")
            if not isinstance(gives, Mapping) and len(ids) < len(list(gives)):
                raise ValueError(f"{name} gives {list(gives)}: name an id for each, gives={{id: status}}")
            for id in ids:
                if not ID.fullmatch(id) or not (id == name or id.startswith(key + ".")):
                    raise ValueError(f"{name} gives the id {id!r}: dotted, lower-case, starting with {key}.")
            declared = Check(name, key, run, tuple(skip), tuple(ids.items()))
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
