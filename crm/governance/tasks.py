"""The governance domain's background work: sealing the audit log (crm.governance.chain) every
minute, from the scheduler of ``crm worker`` / ``crm serve``."""

from __future__ import annotations

import logging

from . import chain

logger = logging.getLogger(__name__)

SEAL_NAME = "seal_audit_chain"
SEAL_EVERY_MINUTES = 1


def seal_audit_chain() -> int:
    """Seal what was written since the last pass (several workers may run it at once: the
    sealer's lock makes them take turns, and the second finds nothing left)."""
    sealed = chain.seal()
    if sealed:
        logger.info("sealed %s audit entries", sealed)
    return sealed
