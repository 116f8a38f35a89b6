"""xhht: consolidate a district's yearly learning-society reports into Nghị định 30 documents.

Library use::

    from pipeline import load_catalog, run
    result = run("inputs", "outputs", 2015)

The names below are imported on first use, so ``import pipeline`` (and ``xhht --help``) costs
nothing beyond this file.
"""

__version__ = "0.1.0"

__all__ = ["__version__", "XhhtError", "load_catalog", "run"]

_LAZY = {"XhhtError": "errors", "load_catalog": "catalog_load", "run": "runner"}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
