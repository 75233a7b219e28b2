#!/bin/sh
# Usage: ca-prune.sh CA_DIR BACKUPS STAMP [CERT ...]
# CA_DIR keeps only the CERTs named: any other *.crt there goes to BACKUPS (as <name>.bak-STAMP), saying
# so, and the system trust store is rebuilt from what is left. An empty CA_DIR goes too.
ca_dir=$1 backups=$2 stamp=$3
shift 3
listed() {
    for cert; do [ "$cert" = "$f" ] && return 0; done
    return 1
}
for f in "$ca_dir"/*.crt; do
    [ -e "$f" ] || continue
    listed "$@" && continue
    install -d "$backups"
    mv -f "$f" "$backups/${f##*/}.bak-$stamp"
    echo "removed $f (kept in $backups)"
done
rmdir "$ca_dir" 2>/dev/null
update-ca-certificates --fresh >/dev/null
