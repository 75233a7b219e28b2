"""This machine's settings when pyinfra runs @local from this folder: team.py's for its hostname."""

import socket

from tasks.team import team_settings

# pyinfra gives this file's names to the @local host only (its group), over --group-data's all.py
# (the machine's own file): the team's word wins, as it does over SSH.
_mine = team_settings(socket.gethostname())
globals().update(_mine)
__all__ = list(_mine)
