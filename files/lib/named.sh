#!/bin/sh
# named "NAME ..." ARG ...: each ARG is NAME=value, for one of the NAMEs: the variable NAME takes value (a
# script's parameters by name, as tasks/shell.py's shell_script sends them). Any other ARG stops the script.
named() {
    # shellcheck disable=SC2086  # one word a name, on as many lines as the call takes
    names=$(printf ' %s ' $1)
    shift
    for arg; do
        name=${arg%%=*}
        case $arg in *=*) ;; *) name='' ;; esac
        case $names in
            *" ${name:-=} "*) eval "$name=\${arg#*=}" ;;
            *) echo "${0##*/}: unknown argument ${arg%%=*}" >&2; exit 2 ;;
        esac
    done
}
