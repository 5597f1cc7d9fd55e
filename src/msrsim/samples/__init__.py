"""The samples: Perseverance tube catalogue, return-set selection, custody ledger.

Submodules: :mod:`.catalogue` (the 43-tube inventory), :mod:`.value` (science-value
model and the exact OS-loading optimiser), :mod:`.custody` (hash-chained SQLite ledger).
Import what you need from them; nothing heavy happens at import.
"""

from __future__ import annotations

from .catalogue import CATEGORIES, Catalogue, Tube, load_catalogue

__all__ = ["CATEGORIES", "Catalogue", "Tube", "load_catalogue"]
