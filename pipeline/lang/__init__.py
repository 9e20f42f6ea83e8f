"""Language data and detection, one module per language (spaCy's ``lang/`` layout).

Importing this package is cheap: stop-word lists load on first use.
"""

from pipeline.lang.detect import LANGS, detect_lang

__all__ = ["LANGS", "detect_lang"]
