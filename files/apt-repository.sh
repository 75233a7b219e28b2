#!/bin/sh
# Usage: apt-repository.sh KEY_URL=URL KEY_PATH=FILE FINGERPRINT=FPR SETTING=NAME LINE=TEXT LIST_PATH=FILE
#                          REPO_URL=URL LOCK_TIMEOUT=SECONDS DEARMOR=1|0 KEY_OK=1|0 LIST_OK=1|0 BACKUPS=DIR
#                          KEY_BACKUP=FILE LIST_BACKUP=FILE PROXY_ENV=FILE
# needs: named.sh fetch.sh key-fingerprints.sh replace.sh
# apt trusts REPO_URL through KEY_PATH (a key with FINGERPRINT, SETTING's value) and LIST_PATH (LINE).
# A new key or source is verified together, with an `apt-get update` of that source alone, before
# either is installed: a refused key, an unreachable mirror or a badly signed list changes nothing,
# and a source whose key turned wrong is removed. DEARMOR, KEY_OK and LIST_OK are 1 or 0: the key is
# converted from armor; the key, or the source, is right already. Replaced files are copied to
# KEY_BACKUP and LIST_BACKUP in BACKUPS first. Each file is replaced atomically (replace.sh). The key is
# downloaded through the proxy PROXY_ENV sets, if that file exists (fetch.sh).
set -e
named "KEY_URL KEY_PATH FINGERPRINT SETTING LINE LIST_PATH REPO_URL LOCK_TIMEOUT DEARMOR KEY_OK LIST_OK BACKUPS
    KEY_BACKUP LIST_BACKUP PROXY_ENV" "$@"

t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
chmod 0755 "$t"   # apt reads the candidate key as its unprivileged _apt user
mkdir "$t/parts"
# apt tells an armored key from a binary one by its name: the candidate keeps the name.
candidate="$t/${KEY_PATH##*/}"

copy_aside() {
    if [ -e "$1" ]; then copied "$1" "$2"; fi
}

# A source that depends on a key we no longer trust must go, or apt trusts the wrong key.
drop_source() {
    if [ -e "$LIST_PATH" ] && [ -e "$KEY_PATH" ]; then
        install -d "$BACKUPS"
        mv -f "$LIST_PATH" "$LIST_BACKUP"
        echo "removed $LIST_PATH (kept as $LIST_BACKUP): its key is not $FINGERPRINT" >&2
    fi
}

if [ "$KEY_OK" = 1 ]; then
    cp "$KEY_PATH" "$candidate"
else
    if ! fetch "$KEY_URL" "$t/download" "$PROXY_ENV"; then
        echo "could not download the key from $KEY_URL" >&2
        drop_source
        exit 1
    fi
    got=$(primary_fingerprints "$t/download" | tr '\n' ' ' | sed 's/ $//')
    if [ "$got" != "$FINGERPRINT" ]; then
        echo "refusing the key from $KEY_URL: $SETTING expects $FINGERPRINT, received ${got:-no key}" >&2
        drop_source
        exit 1
    fi
    if [ "$DEARMOR" = 1 ]; then
        gpg --batch --yes --dearmor -o "$candidate" "$t/download"
    else
        cp "$t/download" "$candidate"
    fi
fi

# The source as it will be, naming the candidate key.
printf '%s\n' "${LINE%%"$KEY_PATH"*}$candidate${LINE#*"$KEY_PATH"}" > "$t/verify.list"
if ! apt-get update --error-on=any -o Dir::Etc::SourceList="$t/verify.list" \
        -o Dir::Etc::SourceParts="$t/parts" -o APT::Get::List-Cleanup=0 \
        -o DPkg::Lock::Timeout="$LOCK_TIMEOUT" > "$t/log" 2>&1; then
    # apt 2 (gpgv) and apt 3 (sqv) word a refused signature apart, then both call the repository unsigned.
    if grep -q "^E: The repository '.*' is not signed" "$t/log"; then
        echo "apt refused the signature of $REPO_URL: its index has no valid signature by the key" \
            "$FINGERPRINT, so its key and source are left as they were:" >&2
    else
        echo "apt cannot use $REPO_URL, so its key and source are left as they were:" >&2
    fi
    grep -E '^(E|W|Err):' "$t/log" >&2 || tail -5 "$t/log" >&2
    exit 1
fi

if [ "$KEY_OK" != 1 ]; then
    copy_aside "$KEY_PATH" "$KEY_BACKUP"
    install -d -m 0755 "$(dirname "$KEY_PATH")"
    written "$KEY_PATH" 0644 < "$candidate"
fi
if [ "$LIST_OK" != 1 ]; then
    copy_aside "$LIST_PATH" "$LIST_BACKUP"
    printf '%s\n' "$LINE" | written "$LIST_PATH" 0644
fi
