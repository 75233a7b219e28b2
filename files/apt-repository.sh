#!/bin/sh
# Usage: apt-repository.sh KEY_URL KEY_PATH FINGERPRINT SETTING LINE LIST_PATH REPO_URL LOCK_TIMEOUT
#                          DEARMOR KEY_OK LIST_OK BACKUPS KEY_BACKUP LIST_BACKUP
# needs: fetch.sh key-fingerprints.sh replace.sh
# apt trusts REPO_URL through KEY_PATH (a key with FINGERPRINT, SETTING's value) and LIST_PATH (LINE).
# A new key or source is verified together, with an `apt-get update` of that source alone, before
# either is installed: a refused key, an unreachable mirror or a badly signed list changes nothing,
# and a source whose key turned wrong is removed. DEARMOR, KEY_OK and LIST_OK are 1 or 0: the key is
# converted from armor; the key, or the source, is right already. Replaced files are copied to
# KEY_BACKUP and LIST_BACKUP in BACKUPS first. Each file is replaced atomically (replace.sh).
set -e
key_url=$1 key_path=$2 fingerprint=$3 setting=$4 line=$5 list_path=$6 repo_url=$7 lock_timeout=$8
dearmor=$9 key_ok=${10} list_ok=${11} backups=${12} key_backup=${13} list_backup=${14}

t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
chmod 0755 "$t"   # apt reads the candidate key as its unprivileged _apt user
mkdir "$t/parts"
# apt tells an armored key from a binary one by its name: the candidate keeps the name.
candidate="$t/${key_path##*/}"

copy_aside() {
    if [ -e "$1" ]; then copied "$1" "$2"; fi
}

# A source that depends on a key we no longer trust must go, or apt trusts the wrong key.
drop_source() {
    if [ -e "$list_path" ] && [ -e "$key_path" ]; then
        install -d "$backups"
        mv -f "$list_path" "$list_backup"
        echo "removed $list_path (kept as $list_backup): its key is not $fingerprint" >&2
    fi
}

if [ "$key_ok" = 1 ]; then
    cp "$key_path" "$candidate"
else
    if ! fetch "$key_url" "$t/download"; then
        echo "could not download the key from $key_url" >&2
        drop_source
        exit 1
    fi
    got=$(primary_fingerprints "$t/download" | tr '\n' ' ' | sed 's/ $//')
    if [ "$got" != "$fingerprint" ]; then
        echo "refusing the key from $key_url: $setting expects $fingerprint, received ${got:-no key}" >&2
        drop_source
        exit 1
    fi
    if [ "$dearmor" = 1 ]; then
        gpg --batch --yes --dearmor -o "$candidate" "$t/download"
    else
        cp "$t/download" "$candidate"
    fi
fi

# The source as it will be, naming the candidate key.
printf '%s\n' "${line%%"$key_path"*}$candidate${line#*"$key_path"}" > "$t/verify.list"
if ! apt-get update --error-on=any -o Dir::Etc::SourceList="$t/verify.list" \
        -o Dir::Etc::SourceParts="$t/parts" -o APT::Get::List-Cleanup=0 \
        -o DPkg::Lock::Timeout="$lock_timeout" > "$t/log" 2>&1; then
    # apt 2 (gpgv) and apt 3 (sqv) word a refused signature apart, then both call the repository unsigned.
    if grep -q "^E: The repository '.*' is not signed" "$t/log"; then
        echo "apt refused the signature of $repo_url: its index has no valid signature by the key" \
            "$fingerprint, so its key and source are left as they were:" >&2
    else
        echo "apt cannot use $repo_url, so its key and source are left as they were:" >&2
    fi
    grep -E '^(E|W|Err):' "$t/log" >&2 || tail -5 "$t/log" >&2
    exit 1
fi

if [ "$key_ok" != 1 ]; then
    copy_aside "$key_path" "$key_backup"
    install -d -m 0755 "$(dirname "$key_path")"
    written "$key_path" 0644 < "$candidate"
fi
if [ "$list_ok" != 1 ]; then
    copy_aside "$list_path" "$list_backup"
    printf '%s\n' "$line" | written "$list_path" 0644
fi
