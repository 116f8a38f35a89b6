"""``xhht serve``: the office's own local web page over the pipeline API (Flask app, waitress server).

The pages call the same library functions as the CLI (:mod:`pipeline.runner`, :mod:`pipeline.archive`,
:mod:`pipeline.register`, :mod:`pipeline.forms`, …), never the CLI. Safe by default: bound to the
loopback address; any other address needs a password and then every page needs a login.
"""

from .app import create_app, serve

__all__ = ["create_app", "serve"]
