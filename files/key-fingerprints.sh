#!/bin/sh
# Usage: key-fingerprints.sh KEY_FILE
# needs: key-fingerprints.sh
# The KeyFingerprints fact: KEY_FILE's primary-key fingerprints, one a line; none if it is absent.
[ -e "$1" ] && primary_fingerprints "$1"
true
