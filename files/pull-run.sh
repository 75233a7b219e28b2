#!/bin/sh
# The pull timer's run (wsl-gpu-docker-pull.service; tasks/pull.py installs it as PULL_RUNNER, after
# files/lib/run-lock.sh and the masking rule as SED_PROGRAM). Under the run lock: fetch pull_ref into
# the root-only checkout, refuse a commit or tag that none of pull_signing_keys signed, check out the
# good one and run the deploy from it as root with no terminal, then write the outcome (JSON) and
# hand it to the report step. A repository that cannot be reached is reported, not fatal: the deploy
# runs from the commit last applied.
# Usage: pull-run.sh CONFIG=... KEYRING=... CHECKOUT=... OUTCOME=... APPLIED=... LOCK=... LOCK_WAIT=...
# needs: run-lock.sh replace.sh
set -u
for pair in "$@"; do
    value=${pair#*=}
    case $pair in
        CONFIG=*) config=$value ;;
        KEYRING=*) keyring=$value ;;
        CHECKOUT=*) checkout=$value ;;
        OUTCOME=*) outcome=$value ;;
        APPLIED=*) applied=$value ;;
        LOCK=*) lock=$value ;;
        LOCK_WAIT=*) lock_wait=$value ;;
        *) echo "pull-run.sh: unknown parameter ${pair%%=*}" >&2; exit 2 ;;
    esac
done
umask 077
started=$(date +%s.%N)
mkdir -p "$(dirname "$outcome")" "$(dirname "$applied")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# What started the run, for a run that waits for this one's lock (tasks/runlock.py).
WSL_GPU_DOCKER_STARTED_BY="the pull timer"
# No prompt for credentials, nowhere to type them; WSL's driver tools are on a login's PATH only.
GIT_TERMINAL_PROMPT=0 PATH=$PATH:/usr/lib/wsl/lib
export WSL_GPU_DOCKER_STARTED_BY GIT_TERMINAL_PROMPT PATH

# Whatever reaches the journal or the outcome: a password in a URL shows as ***.
mask() {
    sed -E "${SED_PROGRAM:?}"
}

# The settings, a line each (the settings checks allow no newline in them).
python3 - "$config" > "$work/config" <<'PY' || { echo "pull-run.sh: cannot read $config" >&2; exit 2; }
import json, sys
c = json.load(open(sys.argv[1]))
print(c["repo_url"], c["ref"], " ".join(c.get("signing_keys") or []), sep="\n")
PY
{ read -r repo_url; read -r ref; read -r signing_keys; } < "$work/config"

# ok error fetch_error refused commit: what the outcome says; the deploy's JSON results in $work/run.json.
ok=false error='' fetch_error='' refused='' commit=''
: > "$work/run.json"

# finish STATUS: the outcome written (atomically: the report step may read it at any moment), the
# report step called when a report_url is set and the checkout has one, then exit STATUS.
finish() {
    OK=$ok ERROR=$error FETCH_ERROR=$fetch_error REFUSED=$refused COMMIT=$commit REF=$ref STARTED=$started \
        python3 - "$work/run.json" "$applied" <<'PY' | written "$outcome" 600
import json, os, sys, time
env = os.environ
try:
    text = open(sys.argv[1]).read()
    # setup.sh's own lines may come first: pyinfra's --json document is the rest.
    results = json.JSONDecoder().raw_decode(text[text.index("{"):])[0].get("results") or {}
except ValueError:
    results = {}
applied = {}
try:
    applied = dict(line.rstrip("\n").partition("=")[::2] for line in open(sys.argv[2]) if "=" in line)
except OSError:
    pass
print(json.dumps({
    "ok": env["OK"] == "true",
    "error": env["ERROR"] or None,
    "changed": [op["name"] for op in results.get("operations", []) if op.get("success")],
    "seconds": round(time.time() - float(env["STARTED"]), 3),
    "commit": env["COMMIT"] or None,
    "ref": env["REF"],
    "fetch_error": env["FETCH_ERROR"] or None,
    "refused": env["REFUSED"] or None,
    "applied_since": applied.get("since") or None,
}, indent=2))
PY
    echo "pull: ok=$ok${commit:+ commit=$commit}${error:+ error: $error}${refused:+ refused: $refused}"
    # The deploy may have just set or unset report_url: the config as it is now decides.
    report_url_set=$(python3 -c 'import json, sys; print("yes" if json.load(open(sys.argv[1])).get("report_url") else "")' \
        "$config" 2>/dev/null)
    if [ -n "$report_url_set" ] && [ -f "$checkout/tasks/fleet/report.py" ] && [ -x "$checkout/.venv/bin/python" ]; then
        (cd "$checkout" && ./.venv/bin/python -m tasks.fleet.report send --outcome "$outcome") 2>&1 | mask
    fi
    exit "$1"
}

# signature_problem KIND OBJECT: why OBJECT (a tag or a commit) is not signed by one of signing_keys;
# nothing when it is. Real gpg checks the signature with the keyring's keys; the signer's primary
# key must then be one of the fingerprints, whatever else the keyring holds.
signature_problem() {
    GNUPGHOME=$work/gnupg
    export GNUPGHOME
    install -d -m 700 "$GNUPGHOME"
    gpg --batch --quiet --import "$keyring" > /dev/null 2>&1
    git -C "$checkout" "verify-$1" --raw "$2" > /dev/null 2> "$work/signature"
    verified=$?
    # VALIDSIG's last field is the signer's primary key (a subkey may have signed).
    signer=$(sed -n 's/^\[GNUPG:\] VALIDSIG .* \([0-9A-F]\{40\}\)$/\1/p' "$work/signature" | head -n 1)
    unknown=$(sed -n 's/^\[GNUPG:\] NO_PUBKEY \([0-9A-F]*\)$/\1/p' "$work/signature" | head -n 1)
    short=$(printf %.12s "$2")
    if [ -n "$signer" ] && [ "$verified" -eq 0 ]; then
        case " $signing_keys " in
            *" $signer "*) return 0 ;;
        esac
        echo "$1 $short is signed by $signer, which is not one of pull_signing_keys"
    elif [ -n "$unknown" ]; then
        echo "$1 $short is signed by key $unknown, which is not one of pull_signing_keys"
    elif grep -q '^\[GNUPG:\] BADSIG' "$work/signature"; then
        echo "$1 $short has a bad signature (changed after it was signed)"
    elif [ -n "$signer" ]; then
        echo "$1 $short is signed by $signer, but gpg does not accept the signature (expired or revoked key)"
    else
        echo "$1 $short is not signed; pull_signing_keys asks for a signature by one of its keys"
    fi
}

if ! run_lock "$lock" "$lock_wait" "$WSL_GPU_DOCKER_STARTED_BY"; then
    error="another run of this deploy holds $lock and kept it past run_lock_timeout ($lock_wait s): nothing changed"
    finish 1
fi

# Root's alone: the checkout may hold the team's settings, report credentials among them.
if [ ! -d "$checkout/.git" ] && ! { install -d -m 700 "$checkout" && git init --quiet "$checkout"; }; then
    error="cannot make $checkout"
    finish 1
fi
chown root:root "$checkout" && chmod 700 "$checkout"
current=$(git -C "$checkout" rev-parse --verify --quiet HEAD)

# The URL is given on the command line, never stored in the checkout's config.
if git -C "$checkout" fetch --quiet --no-tags "$repo_url" "$ref" 2> "$work/fetch"; then
    fetched=$(git -C "$checkout" rev-parse --verify --quiet FETCH_HEAD)
    candidate=$(git -C "$checkout" rev-parse --verify --quiet "FETCH_HEAD^{commit}")
    kind=commit
    [ "$(git -C "$checkout" cat-file -t "$fetched")" = tag ] && kind=tag
    if [ -n "$signing_keys" ]; then
        refused=$(signature_problem "$kind" "$fetched")
    fi
    if [ -n "$refused" ]; then
        echo "pull: refused: $refused; $checkout stays at ${current:-nothing}" >&2
        error="refused $ref: $refused"
        commit=$current
        finish 1
    fi
    if [ "$candidate" != "$current" ]; then
        if ! { git -C "$checkout" -c advice.detachedHead=false checkout --quiet --force --detach "$candidate" &&
               git -C "$checkout" clean -fdq -e /.venv; }; then
            error="cannot check out $candidate in $checkout"
            commit=$current
            finish 1
        fi
        echo "pull: $checkout moves from ${current:-nothing} to $candidate ($ref)"
    fi
    commit=$candidate
else
    fetch_error="cannot fetch $ref from $(printf %s "$repo_url" | mask): $(tail -n 3 "$work/fetch" | mask | tr '\n' ' ')"
    echo "pull: $fetch_error; the deploy runs from ${current:-nothing}" >&2
    commit=$current
    if [ -z "$current" ]; then
        error="nothing to deploy yet: $fetch_error"
        finish 1
    fi
fi

# The deploy as setup.sh and first boot run it: as root, -y, no terminal; team.py's settings over
# the machine's own (cloud-init's or setup.sh's, which setup.sh passes on).
cd "$checkout" || { error="cannot enter $checkout"; finish 1; }
sh ./setup.sh --json < /dev/null > "$work/run.json" 2> "$work/run.log"
status=$?
mask < "$work/run.log" >&2
if [ "$status" -ne 0 ]; then
    error="the deploy failed (exit $status): $(grep -v '^\s*$' "$work/run.log" | tail -n 3 | mask | tr '\n' ' ')"
    finish 1
fi
ok=true
# The commit this host runs, and since when: kept until another is applied.
if [ "$(sed -n 's/^commit=//p' "$applied" 2>/dev/null)" != "$commit" ]; then
    printf 'commit=%s\nsince=%s\n' "$commit" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" | written "$applied" 644
fi
finish 0
