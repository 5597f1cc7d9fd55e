"""Many low-thrust legs at once, each continued from a solved neighbour on its optimality
conditions (:mod:`msrsim.kernels.lowthrust_kkt`), SLSQP only where continuation fails.

Used by the low-thrust porkchop (:func:`msrsim.lowthrust.legs.lowthrust_porkchop`) and the
ERO's arrival-date search (:func:`msrsim.lowthrust.ero.ero_opportunity_cruise`).
"""

from __future__ import annotations

import numpy as np

from ..constants import G0_M_S2
from .transfer import _STEP_ANGLE_RAD, LowThrustResult, _build, _capture_nd, _Problem, _solve

#: Throttle smoothing of the continuation (see :mod:`msrsim.kernels.lowthrust_kkt`): on the
#: 2028 Earth->Mars rendezvous of the tests, 0.01 costs 0.1 g of final mass against the
#: sharp bang-bang optimum (0.03: 0.7 g, 0.1: 0.16 kg).
EPS_THROTTLE = 0.01
#: Convergence of a continued leg: end position within 1 km, end velocity within 1 mm/s (or
#: the capture's optimality condition within 1e-6), throttles settled to 1e-4.
POSITION_TOL_KM = 1.0
VELOCITY_TOL_M_S = 1e-3
SIGMA_TOL = 1e-6
THROTTLE_TOL = 1e-4
MAX_PROPAGATIONS = 25


class LegBatch:
    """``K`` legs that share the engine, the mass, the segment count and the end-condition
    kind, but not their end states or times of flight (non-dimensional, as in
    :func:`msrsim.lowthrust.transfer._build`).

    Parameters
    ----------
    template : _Problem
        Any one of the legs, built by ``_build`` (units, thrust model, limits, capture).
    r0_km, v0_km_s, rf_km, vf_km_s : ndarray (K, 3)
        End states of every leg.
    tof_s : ndarray (K,)
        Times of flight.
    build_args : callable
        ``build_args(k)`` -> the positional arguments of ``_build`` for leg ``k`` (for the
        SLSQP fallback).
    """

    def __init__(self, template: _Problem, r0_km, v0_km_s, rf_km, vf_km_s, tof_s, build_args):
        p = template
        self.p = p
        self.build_args = build_args
        k = len(tof_s)
        self.K = k
        tunit = p.L / p.V
        self.r0 = np.asarray(r0_km, float) / p.L
        self.v0 = np.asarray(v0_km_s, float) / p.V
        self.rf = np.asarray(rf_km, float) / p.L
        self.vf = np.asarray(vf_km_s, float) / p.V
        self.y0 = np.concatenate([self.r0, self.v0, np.ones((k, 1))], axis=1)
        self.tgt = np.ascontiguousarray(np.concatenate([self.rf, self.vf], axis=1))
        tof_nd = np.asarray(tof_s, float) / tunit
        self.dt = tof_nd / p.n
        rmin = np.minimum(np.linalg.norm(self.r0, axis=1), np.linalg.norm(self.rf, axis=1))
        self.nsub = np.maximum(1, np.ceil(tof_nd / p.n * rmin**-1.5 / _STEP_ANGLE_RAD)).astype(np.int64)
        if p.capture is not None:
            self.mode = 1
            mu_c, rp, _, c_chem = _capture_nd(p)
            self.cap = np.array([2.0 * mu_c / rp, c_chem, p.varr_max])
        elif p.varr_max > 0.0:
            self.mode = 2
            self.cap = np.array([0.0, 1.0, p.varr_max])
        else:
            self.mode = 0
            self.cap = np.zeros(3)
        vel_tol = SIGMA_TOL if self.mode == 1 else VELOCITY_TOL_M_S * 1e-3 / p.V
        self.scale = np.array([POSITION_TOL_KM / p.L] * 3 + [vel_tol] * 3)
        self.sig = np.zeros((k, 6))
        self.u = np.zeros((k, p.n, 3))
        self.w = np.zeros((k, 3))
        self.yf = np.full((k, 7), np.nan)
        self.status = np.full(k, -1, dtype=np.int64)  # -1 not tried, 0 converged, 1-2 failed
        self.iters = np.zeros(k, dtype=np.int64)
        self.slsqp = np.zeros(k, dtype=bool)
        self.miss_km = np.full(k, np.nan)
        self.miss_m_s = np.full(k, np.nan)

    @property
    def done(self) -> np.ndarray:
        return self.status == 0

    def continue_from(self, cells, parents) -> np.ndarray:
        """Continue ``cells`` from their ``parents`` (solved legs), all in one parallel call.
        Returns the status of each."""
        from ..kernels.lowthrust_kkt import solve_cells

        cells = np.asarray(cells, dtype=np.int64)
        parents = np.asarray(parents, dtype=np.int64)
        if cells.size == 0:
            return np.zeros(0, dtype=np.int64)
        sig = self.sig[parents].copy()
        u = self.u[parents].copy()
        w = self.w[parents].copy()
        st = np.empty(cells.size, dtype=np.int64)
        it = np.empty(cells.size, dtype=np.int64)
        yf = np.empty((cells.size, 7))
        solve_cells(self.mode, np.ascontiguousarray(self.y0[cells]), np.ascontiguousarray(self.tgt[cells]),
                    np.ascontiguousarray(self.dt[cells]), np.ascontiguousarray(self.nsub[cells]), self.p.prm,
                    sig, u, w, self.p.vdep_max, self.cap, EPS_THROTTLE, self.scale, MAX_PROPAGATIONS,
                    THROTTLE_TOL, st, it, yf)
        ok = st == 0
        c = cells[ok]
        self.sig[c], self.u[c], self.w[c], self.yf[c] = sig[ok], u[ok], w[ok], yf[ok]
        self.iters[cells] += it
        bad = cells[~ok]
        self.status[bad] = np.where(self.done[bad], 0, st[~ok])
        self.status[c] = 0
        self._miss(c, yf[ok])
        # a failed cell keeps the smallest miss of its attempts (an upper bound of the
        # closest approach the thrust allows)
        fresh = ~ok & ~self.done[cells]
        if fresh.any():
            dr, dv = self._miss_of(cells[fresh], yf[fresh])
            dr = np.where(np.isfinite(dr), dr, np.inf)
            better = ~(self.miss_km[cells[fresh]] <= dr)
            self.miss_km[cells[fresh][better]] = dr[better]
            self.miss_m_s[cells[fresh][better]] = dv[better]
        return st

    def _miss_of(self, cells, yf):
        p = self.p
        dr = np.linalg.norm(yf[:, :3] - self.rf[cells], axis=1) * p.L
        dv = np.linalg.norm(yf[:, 3:6] - self.vf[cells], axis=1) * p.V
        if p.varr_max > 0.0:
            dv = np.maximum(0.0, dv - p.varr_max * p.V)
        return dr, dv * 1e3

    def _miss(self, cells, yf) -> None:
        self.miss_km[cells], self.miss_m_s[cells] = self._miss_of(cells, yf)

    def solve_slsqp(self, k: int, guess: int | None = None, maxiter: int = 150) -> LowThrustResult:
        """Solve leg ``k`` with SLSQP (:func:`msrsim.lowthrust.transfer._solve`), warm-started
        from the solved leg ``guess``; a feasible result becomes a continuation start."""
        p = _build(*self.build_args(k))
        x0 = None
        if guess is not None and self.done[guess]:
            x0 = np.concatenate([self.u[guess].ravel(), self.w[guess] if p.vdep_max > 0.0 else []])
        res = _solve(p, x0, maxiter)
        self.slsqp[k] = True
        self.iters[k] += res.iterations
        x = res._x
        if res.feasible and res._sigma6 is not None:
            self.sig[k] = res._sigma6
            self.u[k] = x[:3 * p.n].reshape(p.n, 3)
            self.w[k] = x[3 * p.n:] if p.vdep_max > 0.0 else 0.0
            # settle onto the smoothed conditions of the continuation (a few propagations)
            self.status[k] = -1
            self.continue_from([k], [k])
            if not self.done[k]:
                # the smoothed conditions did not settle from SLSQP's multipliers (seen on
                # legs of more than one revolution): keep the SLSQP solution itself, a
                # feasible leg, so that a window is not reported unsolved for want of it
                self.status[k] = 0
                self.sig[k] = res._sigma6
                self.u[k] = x[:3 * p.n].reshape(p.n, 3)
                self.w[k] = x[3 * p.n:] if p.vdep_max > 0.0 else 0.0
                self.yf[k, :3] = res.r_km[-1] / p.L
                self.yf[k, 3:6] = res.v_km_s[-1] / p.V
                self.yf[k, 6] = res.final_mass_kg / p.m0
                self._miss([k], self.yf[k:k + 1])
        if not self.done[k]:
            self.miss_km[k] = res.miss_position_km
            self.miss_m_s[k] = res.miss_velocity_m_s
            self.yf[k] = np.nan
        return res

    def results(self) -> dict:
        """Per-leg figures (NaN where not converged): final mass kg, propellant kg, Δv m/s,
        launch C3 km^2/s^2, arrival v∞ vector km/s, mass after capture kg."""
        p = self.p
        ok = self.done
        mf = np.where(ok, self.yf[:, 6] * p.m0, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            dv = p.ve_m_s * np.log(p.m0 / mf)
        c3 = np.where(ok, np.einsum("ij,ij->i", self.w, self.w) * p.V**2, np.nan)
        varr = np.where(ok[:, None], (self.yf[:, 3:6] - self.vf) * p.V, np.nan)
        cap = None
        if p.capture is not None:
            cap_dv = np.asarray(p.capture.dv_km_s(np.linalg.norm(varr, axis=1)))
            cap = mf * np.exp(-cap_dv * 1e3 / (G0_M_S2 * p.capture.isp_s))
        return {"final_mass_kg": mf, "propellant_kg": p.m0 - mf, "dv_m_s": dv, "c3_km2_s2": c3,
                "vinf_arrive_vec_km_s": varr, "mass_after_capture_kg": cap}


def flood(batch: LegBatch, shape: tuple[int, ...], seeds, max_passes: int = 4) -> None:
    """Continue every cell of a grid of ``shape`` (flat index = C order) outwards from the
    solved ``seeds``: waves of cells at growing grid distance from the nearest seed, each
    wave one parallel call, each cell started from a solved neighbour one step closer;
    then passes that retry failed cells from any solved neighbour."""
    idx = np.arange(batch.K).reshape(shape)
    coords = np.array(np.unravel_index(np.arange(batch.K), shape)).T
    seeds = [s for s in seeds if batch.done[s]]
    if not seeds:
        return
    dist = np.min(np.abs(coords[:, None, :] - coords[np.asarray(seeds)][None, :, :]).sum(axis=2), axis=1)

    def neighbours(k):
        c = coords[k]
        out = []
        for ax in range(len(shape)):
            for step in (-1, 1):
                cc = c.copy()
                cc[ax] += step
                if 0 <= cc[ax] < shape[ax]:
                    out.append(int(idx[tuple(cc)]))
        return out

    nbrs = [neighbours(k) for k in range(batch.K)]
    for d in range(1, int(dist.max()) + 1):
        wave = np.flatnonzero((dist == d) & ~batch.done)
        cells, parents = [], []
        for k in wave:
            cand = [q for q in nbrs[k] if dist[q] < d and batch.done[q]]
            if cand:
                cells.append(k)
                parents.append(cand[0])
        batch.continue_from(cells, parents)
    repair(batch, nbrs, max_passes)


def repair(batch: LegBatch, nbrs, max_passes: int = 4) -> None:
    """Retry unsolved cells from any solved neighbour until no pass solves a new one."""
    tried = set()
    for _ in range(max_passes):
        cells, parents = [], []
        for k in np.flatnonzero(~batch.done):
            for q in nbrs[k]:
                if batch.done[q] and (k, q) not in tried:
                    cells.append(int(k))
                    parents.append(q)
                    tried.add((int(k), q))
                    break
        if not cells:
            return
        before = int(batch.done.sum())
        batch.continue_from(cells, parents)
        if int(batch.done.sum()) == before:
            return


def nearest_done(batch: LegBatch, shape, k: int) -> int | None:
    """The solved cell nearest to ``k`` in grid steps (None if none)."""
    done = np.flatnonzero(batch.done)
    if done.size == 0:
        return None
    coords = np.array(np.unravel_index(done, shape)).T
    c = np.array(np.unravel_index(k, shape))
    return int(done[np.argmin(np.abs(coords - c).sum(axis=1))])
