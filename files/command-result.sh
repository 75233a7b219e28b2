#!/bin/sh
# Usage: command-result.sh COMMAND
# The CommandResult fact: "ok" or "error" for the shell COMMAND, then everything it printed.
if out=$(eval "$1" 2>&1); then echo ok; else echo error; fi
printf '%s\n' "$out"
