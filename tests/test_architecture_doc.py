"""docs/architecture.md stays true to the code: every file it names exists, the layers it
draws are the ones lint-imports holds, and the sync store it lists is the engine's."""

import re
import tomllib
from pathlib import Path

from sync.store import Store

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "architecture.md").read_text()


def _named_files() -> set[str]:
    pattern = r"`((?:server|sync|pwa|tests|bench|scripts)/[\w/.*-]+\.(?:py|js|json))`"
    return set(re.findall(pattern, DOC))


def test_every_file_the_doc_names_exists():
    named = _named_files()
    assert len(named) > 20
    missing = sorted(p for p in named if not list(ROOT.glob(p)))
    assert missing == []


def test_every_pwa_module_the_doc_names_exists():
    modules = set(re.findall(r"`(views/[\w-]+\.js)`", DOC))
    assert modules
    missing = sorted(m for m in modules if not (ROOT / "pwa" / "js" / m).exists())
    assert missing == []


def test_the_layers_drawn_are_the_layers_held():
    """Each band of the diagram is one layer of the contract, top to bottom, same areas."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contract = next(
        c for c in config["contracts"] if c["type"] == "layers" and "containers" not in c
    )
    held = [
        sorted(n.strip().removeprefix("server.") for n in re.split(r"[|:]", layer))
        for layer in contract["layers"]
    ]
    diagram = DOC.split("## Layers", 1)[1].split("```", 2)[1]
    drawn = []
    for line in diagram.splitlines():
        band = re.match(r"\s*│ (server\.[\w .·|]+?)\s{2,}", line)
        if (
            band
            and "server.api" not in line
            and "server.web" not in line
            and "server.syncing" not in line
        ):
            drawn.append(
                sorted(n.strip().removeprefix("server.") for n in re.split(r"[|·]", band[1]))
            )
    assert drawn == held


def test_the_store_methods_listed_are_the_engines():
    passage = DOC.split("The store is the engine's whole view", 1)[1].split("(`sync/store.py`)")[0]
    listed = set(re.findall(r"`(\w+)`", passage))
    methods = {name for name in vars(Store) if not name.startswith("_")}
    assert listed == methods
