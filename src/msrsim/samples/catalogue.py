"""The Perseverance tube inventory: every tube, filled or not, on the rover or in the depot.

Built from two package-data files (never from ``shared/`` at run time):

- ``perseverance_samples_source.csv``: the reference table verbatim, with its provenance
  columns (NASA sample number, PDS designation, notes, confidence);
- ``perseverance_samples_curation.csv``: msrsim's curation keyed by NASA sample number:
  normalised category and geologic unit, resolved sealing sol, sealed flag, depot drop
  sols, estimated mass with its basis, biosignature flag, pair group, and a note on every
  conflict resolved or left open.

Unused tubes are added from the published inventory: 43 tubes = 38 sample + 5 witness
(FACTS.md §3, NASA), so 43 - (filled) remain empty on the rover.
"""

from __future__ import annotations

import csv
import difflib
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np

from ..errors import ConfigError, DataError

CATEGORIES = ("igneous", "sedimentary", "regolith", "atmospheric", "witness", "unknown")
LOCATIONS = ("rover", "depot")
N_SAMPLE_TUBES_TOTAL = 38  # FACTS.md §3 (NASA): 43 tubes = 38 sample + 5 witness
N_WITNESS_TUBES_TOTAL = 5  # FACTS.md §3

_SOURCE_FILE = "perseverance_samples_source.csv"
_CURATION_FILE = "perseverance_samples_curation.csv"


@dataclass(frozen=True)
class Tube:
    """One Perseverance tube.

    Attributes
    ----------
    tube_id : str
        msrsim identifier: ``S01``..``S38`` sample tubes, ``W1``..``W5`` witness tubes.
    nasa_sample_no : str
        NASA sample number (``"1"``..``"30"``, ``"W1"``..); empty for unused tubes.
    name : str
        Sample name (e.g. ``"Sapphire Canyon"``).
    status : str
        ``"filled"`` or ``"empty"``.
    category : str
        One of ``igneous, sedimentary, regolith, atmospheric, witness, unknown``.
    lithology : str
        Published description of the sample type.
    rock_or_feature, geologic_unit, region : str
        Target rock, normalised geologic unit (diversity key; empty for gas, witness,
        regolith and unknown), published region or unit text.
    coring_sol, sealed_sol : int or None
        Mission sols (Perseverance clock); ``sealed_sol`` is the resolved value.
    sealed : bool or None
        ``None`` when unknown (inferred sample 30).
    location : str
        ``"rover"`` or ``"depot"`` (Three Forks).
    depot_drop_sol_min, depot_drop_sol_max : int or None
        Sol window of the depot drop (equal when the sol is published).
    est_mass_g : float
        Estimated sample mass, grams, with ``mass_basis`` saying where it comes from.
    potential_biosignature : bool
    pair_group : str or None
        Paired cores from one rock share a group (the second adds less science).
    confidence : str
        H, M or L (source table; ``"M"`` for unused tubes derived from FACTS.md §3).
    flags : tuple of str
        ``conflict`` (unresolved source conflict), ``inferred``, ``unsealed``.
    """

    tube_id: str
    nasa_sample_no: str
    name: str
    status: str
    category: str
    lithology: str
    rock_or_feature: str
    geologic_unit: str
    region: str
    coring_sol: int | None
    sealed_sol: int | None
    sealed: bool | None
    location: str
    depot_drop_sol_min: int | None
    depot_drop_sol_max: int | None
    est_mass_g: float
    mass_basis: str
    potential_biosignature: bool
    pair_group: str | None
    confidence: str
    notes: str
    curation_note: str
    pds_designation: str
    tube_index_pds: str
    source_sealed_date_utc: str
    sealed_date_utc: str
    flags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def filled(self) -> bool:
        return self.status == "filled"

    def to_dict(self) -> dict:
        """Plain-JSON dictionary (the stable ``--json`` record of a tube)."""
        d = asdict(self)
        d["flags"] = list(self.flags)
        return d


def _int_or_none(text: str, what: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise DataError(f"{what}={text!r} is not an integer sol") from None


def _read_csv(name: str) -> list[dict[str, str]]:
    try:
        with resources.files("msrsim.data").joinpath(name).open(newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    except FileNotFoundError:
        raise DataError(f"package data file {name!r} is missing; reinstall msrsim") from None


class Catalogue:
    """An ordered, immutable collection of tubes with lookup and filters.

    Parameters
    ----------
    tubes : sequence of Tube
    """

    def __init__(self, tubes):
        self.tubes: tuple[Tube, ...] = tuple(tubes)
        ids = [t.tube_id for t in self.tubes]
        if len(set(ids)) != len(ids):
            raise DataError("catalogue has duplicate tube ids")

    def __len__(self) -> int:
        return len(self.tubes)

    def __iter__(self):
        return iter(self.tubes)

    def __getitem__(self, i) -> Tube:
        return self.tubes[i]

    @property
    def ids(self) -> list[str]:
        return [t.tube_id for t in self.tubes]

    def index(self, key: str) -> int:
        """Position of the tube named by id, NASA number or name (case-insensitive).

        Raises
        ------
        ConfigError
            If no tube matches, naming close matches.
        """
        k = str(key).strip().casefold()
        for i, t in enumerate(self.tubes):
            if k and k in (t.tube_id.casefold(), t.name.casefold(), t.nasa_sample_no.casefold()):
                return i
        names = {t.name.casefold(): t.name for t in self.tubes if t.filled}
        close = difflib.get_close_matches(k, list(names), n=3, cutoff=0.6)
        hint = (f"; did you mean {', '.join(names[c] for c in close)}?" if close
                else "; see `msrsim samples list`")
        raise ConfigError(f"sample={key!r} is unknown{hint}")

    def find(self, key: str) -> Tube:
        """The tube named by id (``S25``), NASA number (``25``) or name (``Sapphire Canyon``)."""
        return self.tubes[self.index(key)]

    def filter(self, category: str | None = None, location: str | None = None,
               unit: str | None = None, status: str | None = None) -> Catalogue:
        """Tubes matching every given criterion (unit: case-insensitive substring).

        Parameters
        ----------
        category : str, optional
            One of :data:`CATEGORIES`.
        location : str, optional
            ``rover`` or ``depot``.
        unit : str, optional
            Substring of the geologic unit or region.
        status : str, optional
            ``filled`` or ``empty``.
        """
        if category is not None and category not in CATEGORIES:
            raise ConfigError(f"type={category!r} is unknown; allowed: {', '.join(CATEGORIES)}")
        if location is not None and location not in LOCATIONS:
            raise ConfigError(f"location={location!r} is unknown; allowed: {', '.join(LOCATIONS)}")
        if status is not None and status not in ("filled", "empty"):
            raise ConfigError(f"status={status!r} is unknown; allowed: filled, empty")
        out = []
        for t in self.tubes:
            if category is not None and t.category != category:
                continue
            if location is not None and t.location != location:
                continue
            if status is not None and t.status != status:
                continue
            if unit is not None:
                u = unit.casefold()
                if u not in t.geologic_unit.casefold() and u not in t.region.casefold():
                    continue
            out.append(t)
        return Catalogue(out)

    def filled(self) -> Catalogue:
        """Only the filled tubes."""
        return self.filter(status="filled")

    def counts(self) -> dict:
        """Counts by status, category and location (plain dict, stable keys)."""
        out: dict = {"total": len(self.tubes)}
        out["filled"] = sum(t.filled for t in self.tubes)
        out["empty"] = len(self.tubes) - out["filled"]
        out["sample_tubes"] = sum(t.category != "witness" for t in self.tubes)
        out["witness_tubes"] = sum(t.category == "witness" for t in self.tubes)
        for loc in LOCATIONS:
            sel = [t for t in self.tubes if t.location == loc and t.filled]
            out[f"filled_{loc}"] = len(sel)
            out[f"filled_{loc}_by_category"] = {
                c: sum(t.category == c for t in sel) for c in CATEGORIES if any(t.category == c for t in sel)
            }
        return out

    def array(self, name: str) -> np.ndarray:
        """One attribute of every tube as a numpy array (for the optimiser and trials)."""
        return np.array([getattr(t, name) for t in self.tubes])


def _build() -> Catalogue:
    src = _read_csv(_SOURCE_FILE)
    cur = {r["nasa_sample_no"]: r for r in _read_csv(_CURATION_FILE)}
    src_keys = [r["nasa_sample_no"] for r in src]
    if set(src_keys) != set(cur) or len(src_keys) != len(set(src_keys)):
        raise DataError(
            f"{_CURATION_FILE} and {_SOURCE_FILE} disagree on sample numbers: "
            f"{sorted(set(src_keys) ^ set(cur))}"
        )
    from ..marstime import perseverance_clock
    from ..timescales import tdb_to_utc

    rows = []
    for r in src:
        c = cur[r["nasa_sample_no"]]
        if c["category"] not in CATEGORIES:
            raise DataError(f"category={c['category']!r} for sample {r['nasa_sample_no']} is not in "
                            f"{', '.join(CATEGORIES)}")
        loc_text = r["current_location"].strip().casefold()
        location = "depot" if "depot" in loc_text else "rover" if loc_text == "rover" else None
        if location is None:
            raise DataError(f"current_location={r['current_location']!r} is neither rover nor depot")
        sealed = {"yes": True, "no": False, "unknown": None}.get(c["sealed"])
        if c["sealed"] not in ("yes", "no", "unknown"):
            raise DataError(f"sealed={c['sealed']!r} for sample {r['nasa_sample_no']}; "
                            "expected yes/no/unknown")
        flags = []
        if "UNRESOLVED" in c["curation_note"]:
            flags.append("conflict")
        if "INFERRED" in c["curation_note"]:
            flags.append("inferred")
        if sealed is False:
            flags.append("unsealed")
        rows.append(dict(
            tube_id=c["tube_id"], nasa_sample_no=r["nasa_sample_no"], name=r["name"], status="filled",
            category=c["category"], lithology=r["type"], rock_or_feature=r["rock_or_feature"],
            geologic_unit=c["geologic_unit"], region=r["region_or_unit"],
            coring_sol=_int_or_none(r["coring_sol"], "coring_sol"),
            sealed_sol=_int_or_none(c["resolved_sealed_sol"], "resolved_sealed_sol"),
            sealed=sealed, location=location,
            depot_drop_sol_min=_int_or_none(c["depot_drop_sol_min"], "depot_drop_sol_min"),
            depot_drop_sol_max=_int_or_none(c["depot_drop_sol_max"], "depot_drop_sol_max"),
            est_mass_g=float(c["est_mass_g"]), mass_basis=c["mass_basis"],
            potential_biosignature=c["potential_biosignature"] == "yes",
            pair_group=c["pair_group"] or None, confidence=r["confidence"], notes=r["notes"],
            curation_note=c["curation_note"], pds_designation=r["pds_designation"],
            tube_index_pds=r["tube_index_pds"], source_sealed_date_utc=r["utc_date_of_sealed_sol_computed"],
            flags=tuple(flags),
        ))
    # Sealing dates from the mission clock, one batched call (local noon of the sealing sol)
    sols = np.array([r["sealed_sol"] if r["sealed_sol"] is not None else -1 for r in rows])
    # (calendar date truncated, not rounded: the UTC day in which that local noon falls)
    stamps = tdb_to_utc(perseverance_clock().to_tdb(np.maximum(sols, 0), 12.0), "minutes")
    for r, s, d in zip(rows, sols, stamps, strict=True):
        r["sealed_date_utc"] = d[:10] if s >= 0 else ""

    n_sample_filled = sum(r["category"] != "witness" for r in rows)
    n_witness_filled = sum(r["category"] == "witness" for r in rows)
    used_s = {r["tube_id"] for r in rows if r["tube_id"].startswith("S")}
    used_w = {r["tube_id"] for r in rows if r["tube_id"].startswith("W")}
    empties = [f"S{i:02d}" for i in range(1, N_SAMPLE_TUBES_TOTAL + 1) if f"S{i:02d}" not in used_s]
    empties = empties[: N_SAMPLE_TUBES_TOTAL - n_sample_filled]
    empties += [f"W{i}" for i in range(1, N_WITNESS_TUBES_TOTAL + 1) if f"W{i}" not in used_w][
        : N_WITNESS_TUBES_TOTAL - n_witness_filled]
    for tid in empties:
        witness = tid.startswith("W")
        rows.append(dict(
            tube_id=tid, nasa_sample_no="", name=f"unused {'witness' if witness else 'sample'} tube {tid}",
            status="empty", category="witness" if witness else "unknown", lithology="", rock_or_feature="",
            geologic_unit="", region="", coring_sol=None, sealed_sol=None, sealed=None, location="rover",
            depot_drop_sol_min=None, depot_drop_sol_max=None, est_mass_g=0.0, mass_basis="empty tube",
            potential_biosignature=False, pair_group=None, confidence="M",
            notes="", curation_note="inventory 43 = 38 sample + 5 witness (FACTS.md §3) minus filled tubes",
            pds_designation="", tube_index_pds="", source_sealed_date_utc="", sealed_date_utc="", flags=(),
        ))
    cat = Catalogue(Tube(**r) for r in rows)
    for g in {t.pair_group for t in cat if t.pair_group}:
        if sum(t.pair_group == g for t in cat) != 2:
            raise DataError(f"pair_group={g!r} must have exactly two tubes")
    return cat


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """The Perseverance tube catalogue (43 tubes; cached).

    Returns
    -------
    Catalogue
    """
    return _build()
