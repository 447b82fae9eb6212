"""Marsad (مرصد): an Arabic news observatory."""
from marsad.doc import Article

__version__ = "0.1.0"
__all__ = ["Article", "analyze", "__version__"]


def analyze(paths, **kwargs):
    """Analyse files or folders into a report (see :func:`marsad.interfaces.api.analyze`)."""
    from marsad.interfaces.api import analyze as _analyze

    return _analyze(paths, **kwargs)
