"""Persian/English text normalisation with ZWNJ repair and a raw ↔ normalised offset map.

    >>> from pipeline.normalise import normalise
    >>> normalise("دولت ها میشود").text
    'دولت\\u200cها می\\u200cشود'

Public API: :func:`normalise`, :class:`Normaliser`, :class:`NormaliserConfig`,
:class:`NormalisedText`, :class:`StepReport`, :class:`OffsetMap`, :class:`ZwnjRestorer`,
:class:`ZwnjLexicon`, :class:`Protected`. Importing this package is cheap: lexicons load
on first use.
"""

from pipeline.normalise.normaliser import (
    STEPS,
    NormalisedText,
    Normaliser,
    NormaliserConfig,
    StepReport,
    normalise,
)
from pipeline.normalise.offsets import OffsetMap
from pipeline.normalise.protect import Protected
from pipeline.normalise.zwnj import ZwnjLexicon, ZwnjRestorer

__all__ = [
    "STEPS",
    "NormalisedText",
    "Normaliser",
    "NormaliserConfig",
    "OffsetMap",
    "Protected",
    "StepReport",
    "ZwnjLexicon",
    "ZwnjRestorer",
    "normalise",
]
