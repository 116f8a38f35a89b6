"""The Word templates shipped with xhht, installed as the package data ``pipeline.templates``."""
