#!/bin/sh
# Usage: no-cgroups.sh CONFIG=FILE VALUE=true|false BACKUP=FILE
# needs: named.sh replace.sh
# The toolkit's config.toml, which its package scripts write, with no-cgroups under [nvidia-container-cli] set
# to VALUE: the value on that one line changes, and every other byte of the file stays as it was (GNU sed
# keeps even a last line without its newline). A file without the key is left alone: the toolkit's
# default is false. The previous file is kept as BACKUP; the new one keeps its mode.
named "CONFIG VALUE BACKUP" "$@"
[ -f "$CONFIG" ] || exit 0
edit="/^[[:space:]]*\[nvidia-container-cli\]/,/^[[:space:]]*\[/ s/^\([[:space:]]*no-cgroups[[:space:]]*=[[:space:]]*\)[A-Za-z]*/\1$VALUE/"
sed "$edit" "$CONFIG" | cmp -s - "$CONFIG" && exit 0
mode=$(stat -c %a "$CONFIG") || exit 1
copied "$CONFIG" "$BACKUP" || exit 1
sed "$edit" "$CONFIG" | written "$CONFIG" "$mode" || exit 1
echo "no-cgroups = $VALUE in $CONFIG; the previous file is kept as $BACKUP"
