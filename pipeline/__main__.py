"""``python -m pipeline`` runs the ``xhht`` command."""

from .cli import main

main()
