#!/bin/sh
# /etc/profile.d: at login, what the first boot left to do (first-boot.sh writes it and removes this file once done).
if [ -r /var/lib/wsl-gpu-docker/login-message ]; then
    cat /var/lib/wsl-gpu-docker/login-message
fi
