from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
MABENCH_REFERENCE = SHARED / "reference" / "mabench"
MA52_CLIPS = SHARED / "reference" / "ma52_clips"
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests import the fixture builder by name


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", help="also run tests marked slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow") or os.environ.get("FINEMOTION_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow or FINEMOTION_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def require(path: Path) -> Path:
    """``path`` from ../shared, or a visible skip when this checkout has no ../shared."""
    if not path.exists():
        pytest.skip(f"{path} is absent (tests read reference data from ../shared beside the checkout)")
    return path


@pytest.fixture(autouse=True)
def isolated_config(tmp_path_factory, monkeypatch):
    """Never read or write the user's own finemotion config or data settings."""
    config = tmp_path_factory.mktemp("config") / "config.json"
    monkeypatch.setenv("FINEMOTION_CONFIG", str(config))
    monkeypatch.delenv("FINEMOTION_MABENCH_DIR", raising=False)
    monkeypatch.delenv("FINEMOTION_MABENCH_VIDEOS", raising=False)
    return config
