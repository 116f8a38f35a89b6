"""The catalog under its former name: the model is :mod:`pipeline.catalog`, the loader and checker
:mod:`pipeline.catalog_load`. Kept so that ``from pipeline.plan import load_catalog`` (and the other
names) keeps working in code written before the split."""

from .catalog import *  # noqa: F401,F403
from .catalog import (FIELDS, OFFICE_FILE, PLAN_FILE, RATIO, RULE_OPS, RULES_FILE, STATUS,  # noqa: F401
                      TARGET_KINDS, UNITS_FILE, targets_table)
from .catalog_load import _CODE_RE, load_catalog, parse_expression  # noqa: F401
