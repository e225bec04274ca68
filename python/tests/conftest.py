"""Session fixtures: generated records and the casematch binary (see casegen.py)."""

import pytest

from casegen import casematch_bin, generate


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("gen"), 1500, 7)


@pytest.fixture(scope="session")
def bin_path():
    return casematch_bin()
