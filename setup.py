"""Packages of the one `medcurate` distribution: the core in medcurate/, and the design card's top-level
folders (stages/, schemas/, flows/, annotation/) installed as its subpackages. Metadata is in pyproject.toml."""
from setuptools import find_packages, setup

LAYERS = {"medcurate": "medcurate", "medcurate.schemas": "schemas", "medcurate.stages": "stages",
          "medcurate.annotation": "annotation", "medcurate.flows": "flows"}

packages = [sub for name, folder in LAYERS.items()
            for sub in [name, *(f"{name}.{p}" for p in find_packages(folder))]]
setup(package_dir=LAYERS, packages=packages)
