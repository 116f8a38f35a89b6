"""Former name of :mod:`pipeline.nd30_check`, kept for branches written before the rename (the same module object)."""
import sys
from . import nd30_check
sys.modules[__name__] = nd30_check
