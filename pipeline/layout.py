"""Former name of :mod:`pipeline.form_layout`, kept for branches written before the rename (the same module object)."""
import sys
from . import form_layout
sys.modules[__name__] = form_layout
