"""Former name of :mod:`pipeline.atomic_files`, kept for branches written before the rename (the same module object)."""
import sys
from . import atomic_files
sys.modules[__name__] = atomic_files
