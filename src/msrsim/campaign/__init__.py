"""Campaign layer: composes the phase models of an architecture; no physics is written here.

:func:`preview_campaign` chains every phase once (each with its own Monte Carlo where it
has one) and is what ``msrsim run`` shows until the campaign-wide Monte Carlo lands.
"""

from __future__ import annotations

from .preview import CampaignPreview, preview_campaign

__all__ = ["CampaignPreview", "preview_campaign"]
