#!/bin/sh
# Usage: doctor-sudo.sh SUDO_CHECK_SCRIPT
# Runs files/sudo-check.sh (its text, SUDO_CHECK_SCRIPT) with --facts as the user who runs the deploy,
# each key prefixed "sudo.". Through --sudo that is $SUDO_USER, on the PATH doctor's command runs with
# (sudo's secure_path), which runuser keeps.
echo "sudo_user=${SUDO_USER:-}"
check=$1
if [ "$(id -u)" = 0 ] && [ -n "${SUDO_USER:-}" ]; then
    runuser -u "$SUDO_USER" -- sh -c "$check" sudo-check --facts
else sh -c "$check" sudo-check --facts; fi 2>/dev/null | while IFS= read -r l; do echo "sudo.$l"; done
