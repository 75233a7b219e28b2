#!/bin/sh
# Usage: repository-files.sh KEY_PATH LIST_PATH
# needs: key-fingerprints.sh
# RepositoryState's read of a repository's own files (see tasks/apt.py): "key_file" when KEY_PATH exists,
# then its primary-key fingerprints ("key=FPR", one a line), and LIST_PATH's sha256 ("list=HEX") when it
# exists. Always succeeds.
if [ -e "$1" ]; then
    echo key_file
    primary_fingerprints "$1" | sed 's/^/key=/'
fi
if [ -e "$2" ]; then
    echo "list=$(sha256sum "$2" | cut -d" " -f1)"
fi
true
