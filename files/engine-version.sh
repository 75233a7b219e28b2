#!/bin/sh
# Usage: engine-version.sh POLICY PENDING WHY LOCK_TIMEOUT PACKAGE ...
# needs: replace.sh engine-idle.sh
# The engine's PACKAGEs moved to the version their apt pin holds, up or down. Their maintainer scripts
# restart the engine, so this runs only when it may be stopped now (see engine_may_stop); otherwise the
# move waits, recorded in PENDING, and the command succeeds.
policy=$1 pending=$2 why=$3 lock_timeout=$4
shift 4
engine_may_stop "$policy" "$pending" "$why" "$(running_containers)" || exit 0
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades -o DPkg::Lock::Timeout="$lock_timeout" "$@"
