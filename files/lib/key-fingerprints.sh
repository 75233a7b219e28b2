#!/bin/sh
# One definition of a key file's fingerprints, for the deploy's state read, its re-check of a key
# and its check of a downloaded one.

# The primary keys' fingerprints in the OpenPGP key file $1 (armored or not), one a line; not the
# subkeys': in gpg's colon listing the fpr record right after a pub record is its primary key's.
# No keyring and no trust database: gpg then writes nothing to its empty home, in half the time.
primary_fingerprints() {
    home=$(mktemp -d)
    gpg --batch --homedir "$home" --no-keyring --trust-model always --show-keys --with-colons "$1" 2>/dev/null \
        | awk -F: '$1=="pub"{p=1;next} $1=="fpr"&&p{print $10;p=0}'
    rm -rf "$home"
}
