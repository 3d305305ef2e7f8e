"""Synthetic councils for benchmarks: realistic structure and money, written with COPY.

Everything is derived from a seeded random generator, so `--seed` reproduces a data set exactly.
Rows go to PostgreSQL through COPY (psycopg's copy protocol), never one INSERT at a time, and are
streamed: memory stays flat however many councils are asked for.
"""

from bench.synthetic.base import CARE_DIRECTORATE, CARE_SERVICE, SyntheticSpec, pounds
from bench.synthetic.care import LARGE_COUNTY_LAC, LARGE_COUNTY_STAFF, children_in_care
from bench.synthetic.councils import generate, generate_care

__all__ = [
    "CARE_DIRECTORATE",
    "CARE_SERVICE",
    "LARGE_COUNTY_LAC",
    "LARGE_COUNTY_STAFF",
    "SyntheticSpec",
    "children_in_care",
    "generate",
    "generate_care",
    "pounds",
]
