"""The placements imports: SSDA903 episodes, placement costs and the DfE's LAC statistics, each
in its own module; their public names are importable from here."""

from placements.costs_import import costs_import
from placements.dfe_import import load_lac_benchmarks
from placements.episodes_import import episodes_import
from placements.episodes_write import EPISODE_FIELDS
from placements.import_common import pseudonymise

__all__ = [
    "EPISODE_FIELDS",
    "costs_import",
    "episodes_import",
    "load_lac_benchmarks",
    "pseudonymise",
]
