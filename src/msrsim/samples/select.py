"""Exact choice of the tubes that fill the Orbiting Sample container (OS).

Maximises :meth:`ValueModel.score` over sets of at most ``capacity`` tubes subject to
required / excluded tubes and per-group limits (minimum witness, regolith, atmospheric
tubes; maximum depot tubes), as a 0-1 mixed-integer linear programme solved exactly by
HiGHS through :func:`scipy.optimize.milp`.

Linearisation (exact for any sign of the weights): x_i selects tube i; z_p = x_i x_j for
each pair (z <= x_i, z <= x_j, z >= x_i + x_j - 1); y_u = OR of the x in unit u
(y_u <= sum x, y_u >= x_i); w_c likewise for categories. Objective
sum a_i x_i + b_u sum y_u + b_c sum w_c - sum pen_p z_p.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError, NoSolutionError
from .catalogue import Catalogue, load_catalogue
from .value import SelectionConfig, ValueModel

_TOL = 1e-7


@dataclass(frozen=True)
class GroupLimit:
    """``lo <= (number of selected tubes in members) <= hi``."""

    label: str
    members: np.ndarray
    lo: int = 0
    hi: int | None = None


def solve_selection(model: ValueModel, capacity: int, required=(), excluded=(),
                    groups: tuple[GroupLimit, ...] = ()) -> tuple[np.ndarray, float] | None:
    """Optimal tube set for a value model (one MILP solve).

    Parameters
    ----------
    model : ValueModel
    capacity : int
        Maximum number of tubes.
    required, excluded : sequence of int
        Tube indices forced in / out (ineligible tubes are always out).
    groups : tuple of GroupLimit

    Returns
    -------
    (numpy.ndarray of bool, float) or None
        Selection mask and its value (value units), or ``None`` when infeasible.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = model.individual.size
    p = len(model.pairs)
    nu = model.unit_members.shape[1]
    nc = model.category_members.shape[1]
    nv = n + p + nu + nc
    c = np.zeros(nv)
    c[:n] = -model.individual
    c[n:n + p] = model.pair_penalty
    c[n + p:n + p + nu] = -model.unit_first_bonus
    c[n + p + nu:] = -model.category_first_bonus
    rows, lo, hi = [], [], []

    def add(coef: dict[int, float], lb: float, ub: float) -> None:
        r = np.zeros(nv)
        for k, v in coef.items():
            r[k] += v
        rows.append(r)
        lo.append(lb)
        hi.append(ub)

    add({i: 1.0 for i in range(n)}, -np.inf, capacity)
    for k, (i, j) in enumerate(model.pairs):
        z = n + k
        add({z: 1.0, int(i): -1.0}, -np.inf, 0.0)
        add({z: 1.0, int(j): -1.0}, -np.inf, 0.0)
        add({int(i): 1.0, int(j): 1.0, z: -1.0}, -np.inf, 1.0)
    for off, members in ((n + p, model.unit_members), (n + p + nu, model.category_members)):
        for u in range(members.shape[1]):
            idx = np.flatnonzero(members[:, u])
            coef = {int(i): -1.0 for i in idx}
            coef[off + u] = 1.0
            add(coef, -np.inf, 0.0)
            for i in idx:
                add({int(i): 1.0, off + u: -1.0}, -np.inf, 0.0)
    for g in groups:
        idx = np.flatnonzero(g.members)
        add({int(i): 1.0 for i in idx}, g.lo, np.inf if g.hi is None else g.hi)
    lb = np.zeros(nv)
    ub = np.ones(nv)
    ub[:n] = model.eligible.astype(float)
    for i in excluded:
        ub[int(i)] = 0.0
    for i in required:
        lb[int(i)] = 1.0
    if np.any(lb > ub):
        return None
    res = milp(c, constraints=LinearConstraint(np.array(rows), lo, hi), integrality=np.ones(nv),
               bounds=Bounds(lb, ub), options={"presolve": True})
    if res.status == 2:  # infeasible
        return None
    if res.status != 0 or res.x is None:
        raise NoSolutionError(f"HiGHS did not finish the selection MILP: {res.message}")
    x = res.x[:n] > 0.5
    return x, float(model.score(x))


def feasible(model: ValueModel, mask, capacity: int, required=(), excluded=(),
             groups: tuple[GroupLimit, ...] = ()) -> np.ndarray | bool:
    """Whether tube sets satisfy every constraint (batched over leading axes).

    Parameters
    ----------
    mask : array of bool, shape (..., n)
    capacity, required, excluded, groups
        As in :func:`solve_selection`.
    """
    m = np.asarray(mask, dtype=bool)
    ok = (m.sum(axis=-1) <= capacity) & ~np.any(m & ~model.eligible, axis=-1)
    for i in required:
        ok &= m[..., int(i)]
    for i in excluded:
        ok &= ~m[..., int(i)]
    for g in groups:
        k = (m & g.members).sum(axis=-1)
        ok &= k >= g.lo
        if g.hi is not None:
            ok &= k <= g.hi
    return ok


@dataclass
class Selection:
    """Result of :func:`select_return_set`.

    Attributes
    ----------
    mask : numpy.ndarray of bool
        Selected tubes in catalogue order.
    value : float
        Science value, value units.
    tubes : list of dict
        Per-tube explanation (see :meth:`to_dict`).
    curve : list of dict
        Best value for each count 0..capacity (``value`` None where infeasible).
    """

    catalogue: Catalogue
    config: SelectionConfig
    mask: np.ndarray
    value: float
    tubes: list[dict]
    curve: list[dict] = field(default_factory=list)

    @property
    def selected_ids(self) -> list[str]:
        return [t.tube_id for t, s in zip(self.catalogue, self.mask, strict=True) if s]

    def to_dict(self) -> dict:
        """Stable JSON record (documented in README, ``msrsim samples select --json``)."""
        chosen = [t for t, s in zip(self.catalogue, self.mask, strict=True) if s]
        by_cat: dict[str, int] = {}
        by_loc: dict[str, int] = {}
        for t in chosen:
            by_cat[t.category] = by_cat.get(t.category, 0) + 1
            by_loc[t.location] = by_loc.get(t.location, 0) + 1
        return {
            "capacity": self.config.rules.capacity,
            "n_selected": len(chosen),
            "value": round(self.value, 6),
            "est_mass_g": float(sum(t.est_mass_g for t in chosen)),
            "selected": [t.tube_id for t in chosen],
            "by_category": by_cat,
            "by_location": by_loc,
            "weights": self.config.weights.model_dump(),
            "rules": {**self.config.rules.model_dump(), "required": list(self.config.rules.required),
                      "excluded": list(self.config.rules.excluded)},
            "tubes": self.tubes,
            "curve": self.curve,
        }


def _rule_groups(cat: Catalogue, rules) -> tuple[GroupLimit, ...]:
    groups = []
    for label, category, k in (("min_witness", "witness", rules.min_witness),
                               ("min_regolith", "regolith", rules.min_regolith),
                               ("min_atmospheric", "atmospheric", rules.min_atmospheric)):
        if k > 0:
            groups.append(GroupLimit(label, np.array([t.category == category for t in cat]), lo=k))
    if rules.max_depot is not None:
        groups.append(GroupLimit("max_depot", np.array([t.location == "depot" for t in cat]),
                                 hi=rules.max_depot))
    return tuple(groups)


def _precheck(cat: Catalogue, model: ValueModel, rules, req: list[int], exc: list[int],
              groups) -> None:
    for i in req:
        if not model.eligible[i]:
            raise ConfigError(f"required={cat[i].tube_id!r} is an empty tube; only filled tubes "
                              "can be loaded")
    if len(req) > rules.capacity:
        names = ", ".join(cat[i].name for i in req)
        raise ConfigError(f"capacity={rules.capacity} is below the {len(req)} required tubes ({names}); "
                          f"raise --capacity or require fewer tubes")
    excl = np.zeros(len(cat), dtype=bool)
    excl[exc] = True
    for g in groups:
        avail = int(np.sum(g.members & model.eligible & ~excl))
        if avail < g.lo:
            raise ConfigError(f"{g.label}={g.lo} but only {avail} filled, non-excluded tubes of that "
                              "kind exist")
    need = sum(g.lo for g in groups)
    if need > rules.capacity:
        raise ConfigError(f"capacity={rules.capacity} is below the {need} tubes the minimum rules demand "
                          f"({', '.join(f'{g.label}={g.lo}' for g in groups if g.lo)})")


def _explain(cat: Catalogue, model: ValueModel, rules, req, exc, groups, mask, best: float) -> list[dict]:
    out = []
    base_val = best
    for i, t in enumerate(cat):
        terms = {k: round(float(v[i]), 6) for k, v in model.terms.items() if v[i] != 0}
        rec = {"tube_id": t.tube_id, "name": t.name, "category": t.category, "location": t.location,
               "selected": bool(mask[i]), "individual_value": round(float(model.individual[i]), 6),
               "terms": terms, "marginal_value": None, "flip_cost": None, "swap_in": [], "swap_out": [],
               "reason": ""}
        if not model.eligible[i]:
            rec["reason"] = "out: empty tube"
            out.append(rec)
            continue
        alt = mask.copy()
        alt[i] = not mask[i]
        rec["marginal_value"] = round(float(base_val - model.score(alt)) if mask[i]
                                      else float(model.score(alt) - base_val), 6)
        if i in req:
            rec["reason"] = "in: required by the rules"
        elif i in exc:
            rec["reason"] = "out: excluded by the rules"
        else:
            forced_req = list(req) + ([i] if not mask[i] else [])
            forced_exc = list(exc) + ([i] if mask[i] else [])
            sol = solve_selection(model, rules.capacity, forced_req, forced_exc, groups)
            if sol is None:
                binding = [g.label for g in groups if g.members[i]]
                rec["reason"] = ("in: needed to satisfy " + ", ".join(binding) if mask[i] and binding
                                 else ("in" if mask[i] else "out") + ": the rules allow no other choice")
            else:
                alt_mask, alt_val = sol
                cost = best - alt_val
                rec["flip_cost"] = round(cost, 6)
                rec["swap_in"] = [cat[j].tube_id for j in np.flatnonzero(alt_mask & ~mask)]
                rec["swap_out"] = [cat[j].tube_id for j in np.flatnonzero(mask & ~alt_mask)]
                if cost <= 1e-9:
                    other = ", ".join(cat[j].name for j in np.flatnonzero(alt_mask != mask) if j != i)
                    rec["reason"] = (f"{'in' if mask[i] else 'out'}: tie, an equally valuable set "
                                     f"{'drops' if mask[i] else 'takes'} it (swapping with {other})")
                elif mask[i]:
                    repl = ", ".join(cat[j].name for j in np.flatnonzero(alt_mask & ~mask)) or "nothing"
                    rec["reason"] = f"in: leaving it out loses {cost:.3f} v.u. at best (replacement: {repl})"
                else:
                    disp = ", ".join(cat[j].name for j in np.flatnonzero(mask & ~alt_mask)) or "nothing"
                    rec["reason"] = f"out: loading it costs {cost:.3f} v.u. at best (it displaces {disp})"
        out.append(rec)
    return out


def select_return_set(config: SelectionConfig | None = None, catalogue: Catalogue | None = None, *,
                      explain: bool = True, curve: bool = True) -> Selection:
    """Choose the tubes that fill the OS, exactly, and explain each decision.

    Parameters
    ----------
    config : SelectionConfig, optional
        Weights and rules (defaults: capacity 30, >= 2 witness, >= 1 regolith).
    catalogue : Catalogue, optional
        Default: the Perseverance catalogue.
    explain : bool
        Re-optimise with each free tube flipped to price the decision (n extra solves).
    curve : bool
        Best value for every count 0..capacity.

    Returns
    -------
    Selection

    Raises
    ------
    ConfigError
        Unknown tube names, capacity below the required tubes, unsatisfiable minimums.
    """
    cfg = config or SelectionConfig()
    cat = catalogue or load_catalogue()
    rules = cfg.rules
    model = ValueModel(cat, cfg.weights)
    req = sorted({cat.index(k) for k in rules.required})
    exc = sorted({cat.index(k) for k in rules.excluded})
    if set(req) & set(exc):
        both = ", ".join(cat[i].name for i in set(req) & set(exc))
        raise ConfigError(f"tubes both required and excluded: {both}")
    groups = _rule_groups(cat, rules)
    _precheck(cat, model, rules, req, exc, groups)
    sol = solve_selection(model, rules.capacity, req, exc, groups)
    if sol is None:
        raise ConfigError(f"no loading satisfies the rules (capacity={rules.capacity}, "
                          + ", ".join(f"{g.label}={g.lo if g.hi is None else g.hi}" for g in groups) + ")")
    mask, best = sol
    tubes = _explain(cat, model, rules, req, exc, groups, mask, best) if explain else []
    pts = []
    if curve:
        for k in range(0, rules.capacity + 1):
            s = solve_selection(model, k, req, exc, groups) if k >= len(req) else None
            pts.append({"count": k, "value": None if s is None else round(s[1], 6)})
    return Selection(cat, cfg, mask, best, tubes, pts)


def plot_value_curve(selection: Selection, path) -> None:
    """Write the value-versus-count figure (PNG) for a selection.

    Parameters
    ----------
    selection : Selection
    path : str or Path
        Output file.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ks = [p["count"] for p in selection.curve if p["value"] is not None]
    vs = [p["value"] for p in selection.curve if p["value"] is not None]
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=120)
    ax.plot(ks, vs, "o-", ms=3, color="tab:blue", label="best value with at most n tubes")
    ax.axvline(selection.config.rules.capacity, color="0.5", ls="--", lw=1, label="OS capacity")
    ax.set_xlabel("tubes loaded, n")
    ax.set_ylabel("science value (v.u.)")
    ax.set_title("Return-set value versus tube count (exact MILP)")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
