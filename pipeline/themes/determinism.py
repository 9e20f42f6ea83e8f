"""Same themes on any x86-64 machine: numba (UMAP, pynndescent) compiles for one fixed CPU.

numba compiles UMAP's layout optimisation for the CPU it runs on; with ``fastmath`` the
instructions chosen (FMA, AVX-512) change the rounding, and UMAP's stochastic layout turns
a last-bit difference into another layout. Measured on the 505 sample statements: the
same embeddings and seed gave other themes (15 instead of 14, other members) with
``NUMBA_CPU_NAME=generic`` than with the host's CPU. Thread counts and OpenBLAS core
types did not change the result (UMAP with a ``random_state`` runs single-threaded).

``pin_numba_target`` sets numba's configuration (not the environment) to the baseline
x86-64 target before numba compiles anything, so the code that runs is the same
everywhere. It must run before ``umap`` or ``bertopic`` is imported; the theme functions
call it first. If numba has already compiled for the host CPU in this process, pinning
is impossible: a warning says so and the themes are still deterministic on this machine.
"""

from __future__ import annotations

import logging
import platform

log = logging.getLogger(__name__)

NUMBA_CPU_NAME = "generic"  # LLVM's baseline for the architecture: SSE2 on x86-64, no FMA
_warned = False


def pin_numba_target() -> bool:
    """Make numba compile for ``NUMBA_CPU_NAME`` with no extra CPU features; True when in effect.

    >>> pin_numba_target() in (True, False)
    True
    """
    global _warned
    from numba.core import config, registry

    if config.CPU_NAME == NUMBA_CPU_NAME and config.CPU_FEATURES == "":
        return True
    if "_toplevel_target_context" in vars(registry.cpu_target):  # numba already compiled for this CPU
        if not _warned:
            _warned = True
            log.warning("numba compiled code for this machine's CPU (%s) before udiplo could pin a common "
                        "target; themes are reproducible on this machine but may differ on others. Import "
                        "udiplo's theme functions before umap/bertopic to avoid this.", platform.machine())
        return False
    config.CPU_NAME = NUMBA_CPU_NAME
    config.CPU_FEATURES = ""
    return True
