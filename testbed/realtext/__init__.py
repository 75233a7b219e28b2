"""Real-world text for unit tests: WSL2 + Docker Engine + NVIDIA Container Toolkit, one module per tool.

Every constant has a one-line comment naming where the text came from.
Convention:
  * VERBATIM   -- copied character-for-character from the cited source.
  * DERIVED    -- not seen verbatim; computed from the cited source code or
                  template (e.g. a variable substituted).  Treat as a best
                  reconstruction, not as an observed artefact.
Sources were read through a stored index of public GitHub repos / issue
threads / doc pages, not the live web; "as stored" versions may lag upstream.
"""

# Every constant, as `real.NAME` for `from testbed import realtext as real`.
from testbed.realtext.apt import *  # noqa: F403
from testbed.realtext.cdi import *  # noqa: F403
from testbed.realtext.docker import *  # noqa: F403
from testbed.realtext.docker_desktop import *  # noqa: F403
from testbed.realtext.driver import *  # noqa: F403
from testbed.realtext.get_docker import *  # noqa: F403
from testbed.realtext.kernel import *  # noqa: F403
from testbed.realtext.toolkit import *  # noqa: F403
from testbed.realtext.wsl import *  # noqa: F403
