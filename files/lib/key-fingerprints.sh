#!/bin/sh
# One definition of a key file's fingerprints, for the deploy's state read, its re-check of a key
# and its check of a downloaded one.

# The primary keys' fingerprints in the OpenPGP key file $1 (armored or not), one a line; not the
# subkeys': in gpg's colon listing the fpr record right after a pub record is its primary key's.
# No keyring and no trust database: gpg then writes nothing to its home, in half the time, so a
# caller that reads several keys may lend it a private folder of its own as $2 (gpg 2.2 and 2.4
# leave it as it was, and several may share it); without one it gets a fresh empty one.
primary_fingerprints() {
    home=${2:-$(mktemp -d)}
    gpg --batch --homedir "$home" --no-keyring --trust-model always --show-keys --with-colons "$1" 2>/dev/null \
        | awk -F: '$1=="pub"{p=1;next} $1=="fpr"&&p{print $10;p=0}'
    [ -n "${2:-}" ] || rm -rf "$home"
}
