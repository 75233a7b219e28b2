"""Diagnose every layer, bottom to top, changing nothing: `pyinfra @local doctor.py --sudo`."""

from pyinfra import host

from tasks.doctor import diagnose

diagnose(host.data.dict())
