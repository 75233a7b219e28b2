"""The one place proxy credentials are hidden: every message, report and file meant for people goes through masked()."""

from __future__ import annotations

import re

# The rule, written once in the syntax that Python's re and `sed -E` read alike, for the host's
# shell to apply to what it prints (files/doctor-network.sh takes SED_PROGRAM): scheme://user:password@
# becomes scheme://user:***@, and scheme://user@ gains :***. A user or password ends at whitespace
# (as literal characters: sed reads no \s) or a quote. sed works line by line, and so does masked().
_END = " \t\r\f\v'\""
PATTERN = f"([A-Za-z][A-Za-z0-9+.-]*://[^:/@{_END}]*)(:[^@/{_END}]*)?@"
REPLACEMENT = r"\1:***@"
SED_PROGRAM = f"s#{PATTERN}#{REPLACEMENT}#g"
_CREDENTIALS = re.compile(PATTERN)


def masked(text):
    """text with the password of every URL in it replaced by ***; other values pass untouched."""
    if not isinstance(text, str):
        return text
    return "\n".join(_CREDENTIALS.sub(REPLACEMENT, line) for line in text.split("\n"))


# Settings whose whole value past the header's name is a secret (a token sent in a header), as opposed to
# URLs, whose password the rule above finds wherever they appear.
HEADER_SETTINGS = ("report_header",)


def masked_header(header: str) -> str:
    """A header "Name: value" as "Name: ***": the name says which receiver, the value is the token."""
    name, colon, value = header.partition(":")
    if colon and not value.strip():
        return header  # nothing to hide
    return f"{name}: ***" if colon else "***"


def masked_setting(name: str, text: str) -> str:
    """The text shown of a setting's value: a header setting's value hidden whole, any other masked()."""
    return "'" + masked_header(text.strip("'\"")) + "'" if name in HEADER_SETTINGS else masked(text)
