#!/bin/sh
# One way to replace a file the deploy owns, as file_content (tasks/operations.py) does from the
# controller: a temp file beside it, named for this run, fsynced, renamed into place, then its folder
# fsynced. A crash leaves the file as it was or as it should be, never empty; a temp a killed run
# left ends in `~`, which apt and every reader of *.conf, *.list or *.crt files skip, and goes at the
# next write of the same file.

# temp_beside PATH: a new empty file (0600) beside PATH, named for this run; prints its name.
temp_beside() {
    mktemp "$(dirname "$1")/.${1##*/}.XXXXXXXXXXXX~"
}

# stale_temps_removed PATH [FOLDER]: the temps of PATH (and of its backups) that killed runs left,
# beside it or in FOLDER. One of another run's younger than a minute may still be in flight in a run
# beside this one, and is left to it.
stale_temps_removed() {
    find "${2:-$(dirname "$1")}" -maxdepth 1 -name ".${1##*/}.*~" -mmin +1 -delete 2>/dev/null || true
}

# put_in_place TEMP PATH: TEMP, complete, becomes PATH: fsynced, renamed, then the folder fsynced.
put_in_place() {
    sync "$1" && mv -f "$1" "$2" && sync "$(dirname "$2")"
}

# written PATH MODE: PATH holds what stdin holds, with MODE.
written() {
    stale_temps_removed "$1"
    _temp=$(temp_beside "$1") || return 1
    if cat > "$_temp" && chmod "$2" "$_temp" && put_in_place "$_temp" "$1"; then return 0; fi
    rm -f "$_temp"
    return 1
}

# copied SOURCE PATH: PATH holds a copy of SOURCE, with its mode and times (a backup, or a backup
# put back): never a half-written one.
copied() {
    install -d "$(dirname "$2")" || return 1
    stale_temps_removed "$1" "$(dirname "$2")"
    stale_temps_removed "$2"
    _temp=$(temp_beside "$2") || return 1
    if cp -p "$1" "$_temp" && put_in_place "$_temp" "$2"; then return 0; fi
    rm -f "$_temp"
    return 1
}
