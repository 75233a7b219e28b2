#!/bin/sh
# One definition of a key file's fingerprints, for the deploy's state read, its re-check of a key
# and its check of a downloaded one.

# The primary keys' fingerprints in the OpenPGP key file $1 (armored or not), one a line; not the
# subkeys': in gpg's colon listing the fpr record right after a pub record is its primary key's.
primary_fingerprints() {
    home=$(mktemp -d)
    gpg --batch --homedir "$home" --show-keys --with-colons "$1" 2>/dev/null \
        | awk -F: '$1=="pub"{p=1;next} $1=="fpr"&&p{print $10;p=0}'
    rm -rf "$home"
}
