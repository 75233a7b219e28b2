#!/bin/sh
# Usage: file-lines.sh FILE
# FILE's lines, each after "line=", below a line "exists": nothing when FILE is absent. The prefix keeps
# a line of the file from passing for anything else in the command's output.
[ -e "$1" ] || exit 0
echo exists
# The shell's own read loop, not awk: every rerun reads daemon.json so, and each process counts.
while IFS= read -r line || [ -n "$line" ]; do printf 'line=%s\n' "$line"; done < "$1"
