"""Former name of :mod:`pipeline.legacy_encodings`, kept for branches written before the rename (the same module object)."""
import sys
from . import legacy_encodings
sys.modules[__name__] = legacy_encodings
