"""The packages the deploy installs, pins and moves, and those it leaves to the install script."""

from tasks.apt import apt_pin
from tasks.managed import ENGINE_PACKAGES, PIN_PACKAGES, PINNED_PACKAGES, STATE_PACKAGES, TOOLKIT_PACKAGES
from tasks.settings import validate
from tasks.toolkit import toolkit_packages
from testbed import realtext as real

# get.docker.com installs it beside the engine from Docker 28.2 on; docker-ce-cli only suggests it.
MODEL_PLUGIN = "docker-model-plugin"


def test_docker_model_plugin_is_never_read_held_moved_or_removed():
    every = validate({"nvidia_toolkit_version": "1.20.1-1", "nvidia_docker2": True})
    for packages in (STATE_PACKAGES, ENGINE_PACKAGES, PIN_PACKAGES, PINNED_PACKAGES,
                     toolkit_packages(every), apt_pin(PIN_PACKAGES, "5:29.0.0*").split()):
        assert not [p for p in packages if p.startswith(MODEL_PLUGIN)], packages


def test_the_toolkit_is_installed_and_pinned_as_nvidia_pins_it():
    settings = validate({"nvidia_toolkit_version": "1.20.1-1"})
    assert toolkit_packages(settings) == [f"{p}=1.20.1-1" for p in real.NVIDIA_PINNED_PACKAGES]
    package_line = apt_pin(TOOLKIT_PACKAGES, "1.20.1-1").splitlines()[0]
    assert package_line.split()[1:] == real.NVIDIA_PINNED_PACKAGES
