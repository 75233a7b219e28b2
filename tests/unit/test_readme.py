"""The README and docs/: generated parts equal their sources, lines stay short, and every link leads somewhere."""

import ast
import re
from pathlib import Path

import pytest

from defaults import DEFAULTS
from tasks.doctor.checks import CHECKS
from tasks.restart import RELOADABLE_KEYS
from tools import readme

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md")), ROOT / "bench" / "README.md"]
LINKED = [*PAGES, ROOT / "CONTRIBUTING.md"]
SETTING = re.compile(r"\*\*`(\w+)`\*\* = `(.+?)`")


def settings_page() -> dict:
    section = readme.section(readme.SETTINGS.read_text(), "settings")
    return {name: default for name, default in SETTING.findall(section)}


def test_the_settings_page_lists_every_setting_in_order():
    assert list(settings_page()) == list(DEFAULTS)


def test_the_settings_page_defaults_are_the_defaults():
    for name, text in settings_page().items():
        assert ast.literal_eval(text) == DEFAULTS[name], name


def test_the_settings_page_says_what_defaults_py_says_of_each_setting():
    page = readme.words(readme.section(readme.SETTINGS.read_text(), "settings"))
    source = (ROOT / "defaults.py").read_text()
    comments = [line.strip().removeprefix("#").strip() for line in source.splitlines()
                if line.strip().startswith("#") and not line.strip().startswith("# ---")]
    assert len(comments) >= len(DEFAULTS) // 2
    for comment in comments:
        assert readme.words(readme.inline(comment)) in page, comment
    groups = readme.defaults_documented()
    assert [name for _, names, _ in groups for name in names] == list(DEFAULTS)
    assert all(comment for _, _, comment in groups), "a setting with no comment of its own or above it"


def test_every_promise_names_a_test_that_exists():
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", (DOCS / "guarantees.md").read_text())
    assert len(named) >= 15
    for path, name in named:
        source = (ROOT / path).read_text()
        assert re.search(rf"^def {name}\(", source, re.M), f"{path}::{name}"


def test_the_generated_sections_are_the_codes_own_data():
    for page, sections in readme.PAGES.items():
        text = page.read_text()
        assert readme.rewrite(text, sections) == text, f"{page.name} is out of date: run `python3 -m tools.readme`"
        for name in sections:
            assert readme.section(text, name).strip(), (page.name, name)
    assert "| Ubuntu 26.04 | `resolute` |" in readme.section(README.read_text(), "platforms")


def test_every_doctor_finding_of_the_table_is_on_the_troubleshooting_page():
    page = readme.words(readme.section(readme.TROUBLESHOOTING.read_text(), "doctor"))
    rows = readme.finding_rows()
    assert len(rows) == len(readme.troubleshooting_table().splitlines()) - 2
    for _, check, r in rows:
        assert readme.words(f"{r.status} ({check}): {readme.inline(r.found)}") in page, r
        assert readme.words(f"Fix: {readme.inline(r.fix)}") in page, r
    assert {f"### `{r.id}`" for _, _, r in rows} <= set(readme.TROUBLESHOOTING.read_text().splitlines())


# Every step deploy.py calls, in the order it calls them: what the docs' run order must show.
STEPS = [
    "checks_pass",
    "check_preflight",
    "configure_network",
    "ensure_systemd",
    "configure_daemon",
    "install_docker",
    "install_toolkit",
    "configure_toolkit",
    "move_engine_version",
    "apply_engine_config",
    "configure_dropins",
    "configure_user_proxies",
    "verify",
    "install_pull",
    "tell_pending_restart",
]


def test_the_run_order_is_deploy_pys_with_every_step():
    order = readme.section(readme.ARCHITECTURE.read_text(), "run-order")
    steps = re.findall(r"^\d+\. \*\*(.+?)\*\* \(`(\w+)`", order, re.M)
    deploy = (ROOT / "deploy.py").read_text()
    # Every step deploy.py calls, the network and the users' proxy among them, in the order it calls them.
    assert [f for _, f in steps] == STEPS
    assert all(f"{f}(" in deploy for _, f in steps)
    assert ("Company network", "configure_network") in steps
    assert ("Docker users' proxy", "configure_user_proxies") in steps


def test_the_keys_dockerd_reloads_are_the_restart_steps_own():
    keys = readme.section(readme.ARCHITECTURE.read_text(), "reload-keys")
    assert set(re.findall(r"`([\w-]+)`", keys)) == RELOADABLE_KEYS and "live-restore" in RELOADABLE_KEYS


def test_the_stack_lists_every_doctor_check_in_its_order():
    stack = readme.section(readme.ARCHITECTURE.read_text(), "stack")
    assert re.findall(r"^- `([\w.-]+)`:", stack, re.M) == [c.name for c in CHECKS]


def test_the_readme_is_short_and_shows_the_commands_to_set_up_and_to_test():
    text = README.read_text()
    assert len(README.read_bytes()) <= 12 * 1024
    blocks = re.findall(r"^```sh\n(.*?)^```", text, re.M | re.S)
    assert "./setup.sh\n" in blocks and "tests/run\n" in blocks
    assert "@local deploy.py" in (ROOT / "setup.sh").read_text() and "`pyinfra @local deploy.py`" in text
    assert re.search(r"^exec tests/run\b", (ROOT / ".ci" / "run").read_text(), re.M)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_line_is_longer_than_200_characters(page):
    long = [(n, len(line)) for n, line in enumerate(page.read_text().splitlines(), 1) if len(line) > 200]
    assert long == [], f"{page.name}: lines over 200 characters (line, length): {long}"


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def prose(text: str) -> str:
    """text without its fenced code blocks."""
    return re.sub(r"^ *```.*?^ *```", "", text, flags=re.M | re.S)


def anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    for heading in re.findall(r"^#{1,6} (.+)$", prose(page.read_text()), re.M):
        base = slug(heading)
        n = seen.get(base, 0)
        seen[base] = n + 1
        yield base if n == 0 else f"{base}-{n}"


def links(page: Path) -> list[str]:
    text = re.sub(r"`[^`\n]*`", "", prose(page.read_text()))
    return re.findall(r"\]\(([^)\s]+)\)", text)


def test_the_slugs_are_githubs():
    assert slug("When setup.sh stops at once: sudo-rs") == "when-setupsh-stops-at-once-sudo-rs"
    assert slug("`docker_version` changed while a container runs") == "docker_version-changed-while-a-container-runs"
    # The intro's "Doctor" and the layer of doctor's own findings: GitHub numbers the second.
    assert list(anchors(readme.TROUBLESHOOTING)).count("doctor-1") == 1


@pytest.mark.parametrize("page", LINKED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_between_the_pages_leads_to_a_file_and_heading_that_exist(page):
    found = links(page)
    for link in found:
        if re.match(r"^[a-z]+:", link):
            continue  # the web's, not ours
        path, _, anchor = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        assert target.exists(), f"{page.name}: {link} leads to no file"
        if anchor:
            assert target.suffix == ".md", f"{page.name}: {link}"
            assert anchor in set(anchors(target)), f"{page.name}: {link} names no heading of {target.name}"
    if page.parent == DOCS or page == README:
        assert found, f"{page.name} links to nothing, not even back to the README"


def test_the_readme_links_to_every_page_of_docs():
    linked = {link.partition("#")[0] for link in links(README)}
    assert {f"docs/{p.name}" for p in DOCS.glob("*.md")} <= linked
    assert "bench/README.md" in linked


def test_wrapped_text_never_starts_a_line_that_markdown_would_read_as_a_list_quote_or_heading():
    for token in ["-", "1.", "#", ">", "+", "*", "==="]:
        for n in range(readme.WIDTH - 20, readme.WIDTH + 5):  # the token at the end of line 1 or the start of 2
            text = " ".join(["a" * n, token, "next"] + ["word"] * 40)
            lines = readme.wrap(text, first="- ").splitlines()
            # Longer only by an escape, or by one word that no width can break.
            assert all(len(line.replace("\\", "")) <= readme.WIDTH or len(line.removeprefix("- ").split()) == 1
                       for line in lines)
            assert not any(readme.BLOCK_START.match(line.lstrip()) for line in lines[1:]), (token, n)
            assert readme.words(" ".join(lines).removeprefix("- ").replace("\\", "")) == readme.words(text)


def test_what_doctor_found_shows_as_written_not_as_emphasis_or_strikethrough():
    assert readme.inline("http://alice:***@proxy, 5:27.3.1-1~ubuntu.24.04~noble, `a*b~c`") == (
        "http://alice:\\*\\*\\*@proxy, 5:27.3.1-1\\~ubuntu.24.04\\~noble, `a*b~c`")
