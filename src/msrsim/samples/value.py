"""A transparent science-value model for a set of returned tubes.

The value of a set S of tubes is, in value units (v.u.; 1 v.u. = one ordinary rock core):

    V(S) =   sum_{i in S} a_i                                   individual values
           + unit_first_bonus     * (number of geologic units represented in S)
           + category_first_bonus * (number of categories represented in S)
           - sum_{pairs (i, j) both in S} (1 - pair_second_factor) * min(a_i, a_j)

with the individual value

    a_i = category value * (unverified_factor if the tube is only inferred else 1)
          + biosignature_bonus   (potential biosignature)
          - unsealed_penalty     (tube left unsealed, e.g. Bell Island)
          - depot_penalty        (tube in the depot: a pick-up trip)

So the second core of a pair adds ``pair_second_factor`` of its value, diversity is
rewarded once per unit and per category, and every number is a field of
:class:`ValueWeights` that a YAML file can change. The default numbers are msrsim's
illustrative choice, not a published ranking: change them to study a priority.

:meth:`ValueModel.score` evaluates V for any number of candidate sets at once (a boolean
mask with a trailing tube axis), e.g. for the tubes that reach Earth in every Monte Carlo
trial.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import ConfigDict, Field, model_validator

from ..config import ConfigModel, read_yaml, validate_model
from ..errors import ConfigError
from .catalogue import CATEGORIES, Catalogue


class CategoryValues(ConfigModel):
    """Base value of one tube of each category, value units (>= 0)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    igneous: float = Field(1.0, ge=0)
    sedimentary: float = Field(1.0, ge=0)
    regolith: float = Field(0.6, ge=0)
    atmospheric: float = Field(0.4, ge=0)
    witness: float = Field(0.5, ge=0)
    unknown: float = Field(0.5, ge=0)


class ValueWeights(ConfigModel):
    """Weights of the science-value model (see the module docstring for the formula)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    category: CategoryValues = CategoryValues()
    unit_first_bonus: float = Field(0.5, ge=0, description="per geologic unit represented")
    category_first_bonus: float = Field(0.3, ge=0, description="per category represented")
    pair_second_factor: float = Field(0.5, ge=0, le=1, description="share the 2nd core of a pair adds")
    biosignature_bonus: float = Field(2.0, ge=0)
    unsealed_penalty: float = Field(0.5, ge=0)
    depot_penalty: float = Field(0.1, ge=0, description="per depot tube (pick-up trip)")
    unverified_factor: float = Field(0.5, ge=0, le=1, description="multiplies the value of inferred tubes")


class SelectionRules(ConfigModel):
    """Constraints on the loaded set."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    capacity: int = Field(30, ge=1, le=43, description="OS capacity, tubes (FACTS.md §3: up to 30)")
    min_witness: int = Field(2, ge=0, description="witness tubes for contamination knowledge")
    min_regolith: int = Field(1, ge=0)
    min_atmospheric: int = Field(0, ge=0)
    max_depot: int | None = Field(None, ge=0, description="cap on depot tubes (pick-up trips)")
    required: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _disjoint(self):
        both = set(map(str.casefold, self.required)) & set(map(str.casefold, self.excluded))
        if both:
            raise ValueError(f"tubes both required and excluded: {sorted(both)}")
        return self


class SelectionConfig(ConfigModel):
    """The whole selection configuration, as read from YAML (``weights:`` and ``rules:``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    weights: ValueWeights = ValueWeights()
    rules: SelectionRules = SelectionRules()


def selection_config_from_dict(data, where: str = "selection config") -> SelectionConfig:
    """Validate a plain mapping into a :class:`SelectionConfig` (one-line errors).

    Parameters
    ----------
    data : dict or None
    where : str
        Name of the source shown in error messages.
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping with 'weights' and/or 'rules', got "
                          f"{type(data).__name__}")
    return validate_model(SelectionConfig, data, where)


def override_rules(config: SelectionConfig, *, capacity: int | None = None, min_witness: int | None = None,
                   max_depot: int | None = None, require=(), exclude=(),
                   where: str = "options") -> SelectionConfig:
    """A copy of ``config`` with some rules replaced (None keeps the rule) or tubes added.

    Parameters
    ----------
    config : SelectionConfig
    capacity, min_witness, max_depot : int, optional
        Replace the rule of that name.
    require, exclude : sequence of str
        Tubes added to the required / excluded lists.
    where : str
        Source named in error messages (e.g. the command-line options).

    Raises
    ------
    ConfigError
        A replaced value is out of range, or a tube is both required and excluded.
    """
    data = config.model_dump()
    rules = data["rules"]
    for name, value in (("capacity", capacity), ("min_witness", min_witness), ("max_depot", max_depot)):
        if value is not None:
            rules[name] = value
    rules["required"] = tuple(rules["required"]) + tuple(require or ())
    rules["excluded"] = tuple(rules["excluded"]) + tuple(exclude or ())
    return selection_config_from_dict(data, where)


def load_selection_config(path: str | Path) -> SelectionConfig:
    """Read a YAML selection configuration.

    Parameters
    ----------
    path : str or Path
        YAML file with optional ``weights:`` and ``rules:`` sections.

    Raises
    ------
    ConfigError
        Missing or unreadable file, invalid YAML, unknown key or out-of-range value.
    """
    return selection_config_from_dict(read_yaml(path), str(path))


class ValueModel:
    """The science-value function of a catalogue under given weights.

    Parameters
    ----------
    catalogue : Catalogue
    weights : ValueWeights, optional

    Attributes
    ----------
    individual : numpy.ndarray, shape (n,)
        a_i, value units (0 for empty tubes, which are never eligible).
    eligible : numpy.ndarray of bool, shape (n,)
        Filled tubes.
    unit_members : numpy.ndarray of bool, shape (n, n_units)
    category_members : numpy.ndarray of bool, shape (n, n_categories)
    pairs : numpy.ndarray of int, shape (p, 2)
    pair_penalty : numpy.ndarray, shape (p,)
    """

    def __init__(self, catalogue: Catalogue, weights: ValueWeights | None = None):
        self.catalogue = catalogue
        self.weights = w = weights or ValueWeights()
        tubes = list(catalogue)
        self.eligible = np.array([t.filled for t in tubes], dtype=bool)
        cat_val = np.array([getattr(w.category, t.category) for t in tubes], dtype=float)
        inferred = np.array(["inferred" in t.flags for t in tubes])
        self.terms = {  # per-tube contributions to a_i, value units
            "category": np.where(inferred, cat_val * w.unverified_factor, cat_val),
            "biosignature": np.where([t.potential_biosignature for t in tubes], w.biosignature_bonus, 0.0),
            "unsealed": np.where([t.sealed is False for t in tubes], -w.unsealed_penalty, 0.0),
            "depot": np.where([t.location == "depot" for t in tubes], -w.depot_penalty, 0.0),
        }
        a = sum(self.terms.values())
        self.individual = np.where(self.eligible, a, 0.0)
        self.units = sorted({t.geologic_unit for t in tubes if t.filled and t.geologic_unit})
        self.unit_members = np.array([[t.filled and t.geologic_unit == u for u in self.units] for t in tubes],
                                     dtype=bool).reshape(len(tubes), len(self.units))
        self.categories = [c for c in CATEGORIES if any(t.filled and t.category == c for t in tubes)]
        self.category_members = np.array(
            [[t.filled and t.category == c for c in self.categories] for t in tubes], dtype=bool
        ).reshape(len(tubes), len(self.categories))
        groups: dict[str, list[int]] = {}
        for i, t in enumerate(tubes):
            if t.pair_group and t.filled:
                groups.setdefault(t.pair_group, []).append(i)
        self.pairs = np.array([g for g in groups.values() if len(g) == 2], dtype=np.int64).reshape(-1, 2)
        self.pair_penalty = (1.0 - w.pair_second_factor) * np.minimum(
            self.individual[self.pairs[:, 0]], self.individual[self.pairs[:, 1]]
        )

    @classmethod
    def from_arrays(cls, individual, unit_index, category_index, pairs, pair_second_factor,
                    unit_first_bonus, category_first_bonus) -> ValueModel:
        """A model over abstract tubes (for studies and tests), all tubes eligible.

        Parameters
        ----------
        individual : array (n,)
            a_i, value units.
        unit_index, category_index : array of int (n,)
            Unit and category of each tube; -1 for none.
        pairs : array of int (p, 2)
            Disjoint pairs of tube indices.
        pair_second_factor, unit_first_bonus, category_first_bonus : float
        """
        self = cls.__new__(cls)
        self.catalogue = None
        self.weights = None
        a = np.asarray(individual, dtype=float)
        n = a.size
        self.eligible = np.ones(n, dtype=bool)
        self.terms = {"category": a}
        self.individual = a
        ui, ci = np.asarray(unit_index), np.asarray(category_index)
        self.units = list(range(int(ui.max()) + 1 if n else 0))
        self.unit_members = ui[:, None] == np.arange(len(self.units))[None, :]
        self.categories = list(range(int(ci.max()) + 1 if n else 0))
        self.category_members = ci[:, None] == np.arange(len(self.categories))[None, :]
        self.pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        self.pair_penalty = (1.0 - pair_second_factor) * np.minimum(a[self.pairs[:, 0]], a[self.pairs[:, 1]])
        self._bonus = (float(unit_first_bonus), float(category_first_bonus))
        return self

    @property
    def unit_first_bonus(self) -> float:
        return self._bonus[0] if self.weights is None else self.weights.unit_first_bonus

    @property
    def category_first_bonus(self) -> float:
        return self._bonus[1] if self.weights is None else self.weights.category_first_bonus

    def score(self, mask) -> np.ndarray | float:
        """Science value of one or many tube sets, value units.

        Parameters
        ----------
        mask : array of bool, shape (..., n)
            ``True`` where a tube is in the set (ineligible tubes are ignored).

        Returns
        -------
        float or numpy.ndarray, shape (...)
        """
        m = np.asarray(mask, dtype=bool)
        n = self.individual.size
        if m.shape[-1:] != (n,):
            raise ConfigError(f"mask has shape {m.shape}; expected a trailing axis of {n} tubes")
        m = m & self.eligible
        mf = m.astype(float)
        v = mf @ self.individual
        v = v + self.unit_first_bonus * ((mf @ self.unit_members.astype(float)) > 0).sum(axis=-1)
        v = v + self.category_first_bonus * ((mf @ self.category_members.astype(float)) > 0).sum(axis=-1)
        both = m[..., self.pairs[:, 0]] & m[..., self.pairs[:, 1]]
        v = v - both.astype(float) @ self.pair_penalty
        return float(v) if np.ndim(v) == 0 else v
