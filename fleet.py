"""The fleet page from every host's last report: `python fleet.py FOLDER_OR_REPORT_URL [-o fleet.html]`."""

import argparse
import os
import sys
from pathlib import Path

from defaults import DEFAULTS
from tasks.fleet.page import page, read_folder, read_url
from tasks.fleet.report import SYSTEM_CA_BUNDLE
from tasks.masking import masked
from tasks.settings import SettingsError, validate

# Credentials are read from the environment, not the command line, where `ps` shows them to every user and the
# shell's history keeps them: the token header, and report_url when it carries a password.
HEADER_VARIABLE, URL_VARIABLE = "FLEET_REPORT_HEADER", "FLEET_REPORT_URL"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", nargs="?", default=os.environ.get(URL_VARIABLE),
                        help=f"a folder of <hostname>.json reports, or report_url (a WebDAV folder; basic auth may be "
                        f"in it); default ${URL_VARIABLE}")
    parser.add_argument("-o", "--output", type=Path, default=Path("fleet.html"), help="default fleet.html")
    parser.add_argument("--stale-days", type=float, default=DEFAULTS["fleet_stale_days"],
                        help=f"fleet_stale_days; default {DEFAULTS['fleet_stale_days']}")
    parser.add_argument("--ca-bundle", default=SYSTEM_CA_BUNDLE, help=f"default {SYSTEM_CA_BUNDLE}")
    args = parser.parse_args(argv)
    if not args.source:
        parser.error(f"give a folder or report_url, or set {URL_VARIABLE}")
    header = os.environ.get(HEADER_VARIABLE) or None
    remote = "://" in args.source
    try:
        validate({"fleet_stale_days": args.stale_days, "report_header": header,
                  **({"report_url": args.source} if remote else {})})
    except SettingsError as error:
        print(f"fleet.py: {error}", file=sys.stderr)
        return 2
    if remote:
        try:
            bundle = args.ca_bundle if Path(args.ca_bundle).exists() else True
            reports = read_url(args.source, header, bundle)
        except Exception as error:  # noqa: BLE001 - one line, masked, for whatever the network says
            print(f"fleet.py: cannot read {masked(args.source)}: {masked(str(error))}", file=sys.stderr)
            return 1
    elif Path(args.source).is_dir():
        reports = read_folder(Path(args.source))
    else:
        print(f"fleet.py: {args.source} is neither a folder nor an http(s) URL", file=sys.stderr)
        return 2
    args.output.write_text(page(reports, stale_days=args.stale_days))
    print(f"fleet.py: {len(reports.hosts)} hosts ({len(reports.unreadable)} unreadable reports) written to "
          f"{args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
