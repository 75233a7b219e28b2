#!/bin/sh
# Usage: engine-idle.sh POLICY PENDING WHY
# needs: replace.sh engine-idle.sh
# Succeeds when the engine may be stopped now (see engine_may_stop): the guard of a change whose package
# scripts restart the engine (an upgrade of its packages); otherwise that change waits, recorded in PENDING.
engine_may_stop "$@"
