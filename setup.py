"""Package discovery only (metadata lives in pyproject.toml): ``plugins/`` installs as ``ganzoo_plugins``."""

from setuptools import find_packages, setup

plugins = ["ganzoo_plugins"] + [f"ganzoo_plugins.{name}" for name in find_packages("plugins")]
setup(
    packages=find_packages(include=["ganzoo", "ganzoo.*"]) + plugins,
    package_dir={"ganzoo_plugins": "plugins"},
)
