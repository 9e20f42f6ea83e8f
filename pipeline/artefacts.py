"""Work caches are disposable: an unreadable cached artefact is a cache miss, never an error.

Saved theme folders, fitted classifiers, ``.npz`` embedding caches, stored embedding rows and the
built e5 model folder are all recomputable from their inputs. When one is truncated, corrupt or
half there (a full disk, a killed process, a copy by hand), the reader catches
:data:`UNREADABLE`, calls :func:`cache_miss` (one warning line naming the file and the reason)
and recomputes; the new artefact replaces the broken one.
"""

from __future__ import annotations

import logging
import os
import zipfile

log = logging.getLogger("udiplo.cache")

# what reading a damaged JSON / .npy / .npz file or an unexpected structure raises:
# OSError (missing, unreadable), ValueError (JSONDecodeError, UnicodeDecodeError, bad array header,
# wrong shapes), KeyError/TypeError/IndexError (valid JSON of the wrong shape), EOFError and
# BadZipFile (truncated .npy/.npz)
UNREADABLE: tuple[type[BaseException], ...] = (OSError, ValueError, KeyError, TypeError, IndexError, EOFError,
                                               zipfile.BadZipFile)


def cache_miss(path: str | os.PathLike, what: str, reason: object) -> None:
    """Warn that the cached ``what`` at ``path`` cannot be used and will be recomputed."""
    text = str(reason).splitlines()[0] if str(reason) else type(reason).__name__
    log.warning("warning: %s: %s unreadable (%s); recomputing", os.fspath(path), what, text)
