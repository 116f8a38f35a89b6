"""xhht: consolidate a district's yearly learning-society reports into Nghị định 30 documents.

Library use::

    from pipeline import load_catalog, run
    result = run("inputs", "outputs", 2015)
"""

__version__ = "0.1.0"

from .errors import XhhtError  # noqa: E402
from .catalog_load import load_catalog  # noqa: E402
from .runner import run  # noqa: E402

__all__ = ["__version__", "XhhtError", "load_catalog", "run"]
