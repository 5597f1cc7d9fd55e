"""Everything known about one tube: its catalogue record, its paired tube and its season.

What ``msrsim samples show`` prints; the CLI only formats the record.
"""

from __future__ import annotations

from ..marstime import mars_year, perseverance_clock, solar_longitude_deg
from .catalogue import Catalogue, Tube, load_catalogue

SEALING_LMST_H = 12.0  # ASSUMPTION: the sealing time of day is not catalogued; local noon


def pair_partner(tube: Tube, catalogue: Catalogue | None = None) -> Tube | None:
    """The other tube of a sample pair (two cores from one rock), or None.

    Parameters
    ----------
    tube : Tube
    catalogue : Catalogue, optional
        Default: the shipped catalogue.
    """
    cat = catalogue if catalogue is not None else load_catalogue()
    if not tube.pair_group:
        return None
    return next((u for u in cat if u.pair_group == tube.pair_group and u.tube_id != tube.tube_id), None)


def describe_tube(key: str, catalogue: Catalogue | None = None) -> dict:
    """The catalogue record of one tube, with its pair partner and the Mars season when sealed.

    Parameters
    ----------
    key : str
        Tube id (``S25``), NASA sample number (``25``) or name.
    catalogue : Catalogue, optional
        Default: the shipped catalogue.

    Returns
    -------
    dict
        :meth:`Tube.to_dict` plus ``pair_partner`` (tube id or None), ``sealed_ls_deg``
        (solar longitude at local noon of the sealing sol, deg, 2 decimals) and
        ``sealed_mars_year`` (Clancy et al. 2000 count); both None for an unsealed tube.

    Raises
    ------
    ConfigError
        Unknown tube (with the closest names).
    """
    cat = catalogue if catalogue is not None else load_catalogue()
    tube = cat.find(key)
    rec = tube.to_dict()
    partner = pair_partner(tube, cat)
    rec["pair_partner"] = partner.tube_id if partner is not None else None
    rec["sealed_ls_deg"] = rec["sealed_mars_year"] = None
    if tube.sealed_sol is not None:
        t_tdb_s = perseverance_clock().to_tdb(tube.sealed_sol, SEALING_LMST_H)
        rec["sealed_ls_deg"] = round(float(solar_longitude_deg(t_tdb_s)), 2)
        rec["sealed_mars_year"] = int(mars_year(t_tdb_s))
    return rec
