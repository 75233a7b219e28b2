#!/bin/sh
# Usage: private-upload.sh before DEST UPLOAD LANDING | private-upload.sh after DEST MODE UPLOAD
# The steps around the upload of a root-only file to DEST (tasks/operations.py's private_put). before:
# DEST and LANDING, where SSH with sudo lands the upload first, are made empty and 0600, LANDING in
# UPLOAD, a new folder that only the login user may enter (the connector writes it as that user): an
# upload into an existing file keeps its mode. after: DEST takes MODE, and UPLOAD goes.
case $1 in
    before)
        install -m 600 /dev/null "$2" && mkdir -m 0700 "$3" && install -m 600 /dev/null "$4" \
            && chown "${SUDO_USER:-$(id -un)}" "$3" "$4" ;;
    after) chmod "$3" "$2" && rm -rf "$4" ;;
    *) echo "private-upload.sh: unknown step $1" >&2; exit 2 ;;
esac
