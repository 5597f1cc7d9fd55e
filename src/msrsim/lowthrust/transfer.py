"""Minimum-propellant low-thrust transfers between two states (direct shooting + SLSQP).

Transcription: the time of flight is cut into ``n_segments`` equal segments, each with
one inertial thrust vector ``u`` (``|u| <= 1`` is the throttle): the control of a
Sims-Flanagan leg, but flown as continuous thrust and integrated (RK4 with variational
equations, :mod:`msrsim.kernels.lowthrust_leg`) instead of being lumped into midpoint
impulses, so the returned control is a thrust history that an independent propagator
flies to the target. Forward shooting from the departure state; the final position (and
velocity, for a rendezvous) are equality constraints, the throttles and the excess
speeds inequality constraints; scipy's SLSQP solves the NLP with exact gradients.

The first guess needs no person: of a Lambert-arc guess (launch v∞ and thrust that fill
the gap between the Lambert velocities and the allowed v∞) and a tangential-spiral guess,
the one that misses the target by less is refined first to minimum control energy
(sum |u|^2, a smooth problem that converges from afar) and then to minimum propellant
(or maximum mass after a chemical capture).

When no control within the thrust meets the target (the time of flight is too short) the
transfer is reported infeasible with the closest miss (minimum-miss solution), never with
an exception.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..constants import AU_KM, G0_M_S2, GM_SUN_KM3_S2, JULIAN_YEAR_S, SECONDS_PER_DAY
from ..errors import ConfigError, check_finite_positive

MU_SUN = GM_SUN_KM3_S2

#: Default feasibility tolerance of the returned trajectory (rechecked by the tests with an
#: independent propagator against the issue's 1000 km / 1 m/s).
POSITION_TOL_KM = 10.0
VELOCITY_TOL_M_S = 0.01
#: Largest RK4 step as an angle of the fastest circular motion on the leg, rad: keeps the
#: integration error of a year-long heliocentric leg at metres to kilometres.
_STEP_ANGLE_RAD = 0.03


@dataclass(frozen=True)
class CaptureModel:
    """Impulsive chemical capture at the arrival body, for the mass-after-capture objective.

    Attributes
    ----------
    mu_km3_s2 : float
        Gravitational parameter of the arrival body, km^3/s^2.
    periapsis_radius_km, semi_major_axis_km : float
        Capture orbit, km.
    isp_s : float
        Chemical engine specific impulse, s.
    """

    mu_km3_s2: float
    periapsis_radius_km: float
    semi_major_axis_km: float
    isp_s: float

    def dv_km_s(self, vinf_km_s):
        """Impulsive periapsis Δv from a hyperbola of excess speed ``vinf_km_s``, km/s."""
        rp = self.periapsis_radius_km
        v_ell = math.sqrt(self.mu_km3_s2 * (2.0 / rp - 1.0 / self.semi_major_axis_km))
        return np.sqrt(np.square(vinf_km_s) + 2.0 * self.mu_km3_s2 / rp) - v_ell


@dataclass(frozen=True)
class LowThrustResult:
    """A low-thrust transfer (or, when ``feasible`` is False, the closest miss).

    Attributes
    ----------
    converged : bool
        The optimiser met its optimality and constraint tolerances (a feasible, locally
        propellant-optimal transfer).
    feasible : bool
        The trajectory meets the target within ``miss_position_km`` / ``miss_velocity_m_s``
        tolerances (POSITION_TOL_KM, VELOCITY_TOL_M_S by default).
    message : str
    initial_mass_kg, final_mass_kg, propellant_kg : float
    dv_m_s : float
        Thrust Δv, ``c ln(m0 / mf)``, m/s.
    tof_s, tof_days : float
    miss_position_km, miss_velocity_m_s : float
        Distance and speed to the target state at arrival (speed beyond the allowed arrival
        v∞ when one is allowed).
    vinf_departure_km_s, vinf_arrival_km_s : numpy.ndarray, shape (3,)
        Excess velocity at departure (launch v∞) and at arrival, relative to the given
        end states, km/s (frame of the inputs).
    mass_after_capture_kg : float or None
        Mass after the impulsive chemical capture, when a capture model was given.
    segment_t_s : numpy.ndarray, shape (N + 1,)
        Segment boundaries, s from departure.
    throttle : numpy.ndarray, shape (N,)
        |u| of each segment, 0..1.
    thrust_dir : numpy.ndarray, shape (N, 3)
        Unit thrust direction of each segment (zeros where the throttle is 0).
    control : numpy.ndarray, shape (N, 3)
        The thrust vectors u (throttle times direction), the optimiser's variables.
    t_s : numpy.ndarray, shape (K,)
        Dense trajectory epochs, s from departure.
    r_km, v_km_s : numpy.ndarray, shape (K, 3)
    mass_kg : numpy.ndarray, shape (K,)
    thrust_available_n : numpy.ndarray, shape (K,)
        Full-throttle thrust at each dense point (after the duty cycle), N.
    thrust_n : numpy.ndarray, shape (K,)
        Thrust flown (available times the segment's throttle), N.
    power_w : numpy.ndarray or None, shape (K,)
        Power the arrays deliver to the engines' side (after the bus), W (solar-electric only).
    sun_distance_au : numpy.ndarray, shape (K,)
    exhaust_velocity_m_s : float
    iterations : int
        SLSQP iterations (all stages).
    """

    converged: bool
    feasible: bool
    message: str
    initial_mass_kg: float
    final_mass_kg: float
    propellant_kg: float
    dv_m_s: float
    tof_s: float
    miss_position_km: float
    miss_velocity_m_s: float
    vinf_departure_km_s: np.ndarray = field(repr=False)
    vinf_arrival_km_s: np.ndarray = field(repr=False)
    mass_after_capture_kg: float | None
    segment_t_s: np.ndarray = field(repr=False)
    throttle: np.ndarray = field(repr=False)
    thrust_dir: np.ndarray = field(repr=False)
    control: np.ndarray = field(repr=False)
    t_s: np.ndarray = field(repr=False)
    r_km: np.ndarray = field(repr=False)
    v_km_s: np.ndarray = field(repr=False)
    mass_kg: np.ndarray = field(repr=False)
    thrust_available_n: np.ndarray = field(repr=False)
    thrust_n: np.ndarray = field(repr=False)
    power_w: np.ndarray | None = field(repr=False)
    sun_distance_au: np.ndarray = field(repr=False)
    exhaust_velocity_m_s: float
    iterations: int
    _x: np.ndarray = field(repr=False, default=None)
    #: Optimality multipliers of the end conditions, non-dimensional (see
    #: :mod:`msrsim.kernels.lowthrust_kkt`); None where the solve did not give them.
    _sigma6: np.ndarray | None = field(repr=False, default=None)

    @property
    def tof_days(self) -> float:
        """Time of flight, days."""
        return self.tof_s / SECONDS_PER_DAY

    def summary(self) -> dict:
        """JSON-ready key figures (units in the names)."""
        out = {
            "converged": bool(self.converged),
            "feasible": bool(self.feasible),
            "initial_mass_kg": round(self.initial_mass_kg, 3),
            "final_mass_kg": round(self.final_mass_kg, 3),
            "propellant_kg": round(self.propellant_kg, 3),
            "dv_m_s": round(self.dv_m_s, 2),
            "tof_days": round(self.tof_days, 3),
            "vinf_departure_km_s": round(float(np.linalg.norm(self.vinf_departure_km_s)), 4),
            "c3_km2_s2": round(float(np.dot(self.vinf_departure_km_s, self.vinf_departure_km_s)), 4),
            "vinf_arrival_km_s": round(float(np.linalg.norm(self.vinf_arrival_km_s)), 4),
            "miss_position_km": float(f"{self.miss_position_km:.4g}"),
            "miss_velocity_m_s": float(f"{self.miss_velocity_m_s:.4g}"),
            "thrusting_fraction": round(float(np.mean(self.throttle > 0.01)), 3),
            "iterations": int(self.iterations),
            "message": self.message,
        }
        if self.mass_after_capture_kg is not None:
            out["mass_after_capture_kg"] = round(self.mass_after_capture_kg, 3)
        return out


@dataclass
class _Problem:
    """A transfer in non-dimensional units (length L, speed V, time L / V, mass m0)."""

    L: float
    V: float
    m0: float
    mu: float
    r0: np.ndarray
    v0: np.ndarray
    rf: np.ndarray
    vf: np.ndarray
    tof: float
    n: int
    nsub: int
    prm: np.ndarray
    vdep_max: float
    varr_max: float
    capture: CaptureModel | None
    thrust_scale_n: float  # newtons per unit of the kernel's thrust (at m0)
    solar: object | None  # SolarElectricParams
    ve_m_s: float

    @property
    def nvar(self) -> int:
        return 3 * self.n + (3 if self.vdep_max > 0.0 else 0)

    @property
    def dt(self) -> float:
        return self.tof / self.n


def _check_vec(name: str, value) -> np.ndarray:
    a = np.asarray(value, dtype=float)
    if a.shape != (3,):
        raise ConfigError(f"{name} has shape {a.shape}; expected a 3-vector")
    if not np.all(np.isfinite(a)):
        raise ConfigError(f"{name}={a.tolist()!r} contains a non-finite value")
    return a


def _check_nonneg(name: str, value: float, unit: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}={value!r} is not a number; expected >= 0 {unit}") from None
    if not math.isfinite(v) or v < 0.0:
        raise ConfigError(f"{name}={value!r} must be finite and >= 0 {unit}")
    return v


def _build(r0_km, v0_km_s, rf_km, vf_km_s, tof_s, m0_kg, thrust_n, isp_s, mu_km3_s2, n_segments,
           vinf_depart_max_km_s, vinf_arrive_max_km_s, capture, solar, degradation_t0_s=0.0) -> _Problem:
    from ..kernels.lowthrust_leg import thrust_parameters

    r0 = _check_vec("r0_km", r0_km)
    v0 = _check_vec("v0_km_s", v0_km_s)
    rf = _check_vec("rf_km", rf_km)
    vf = _check_vec("vf_km_s", vf_km_s)
    tof = check_finite_positive("tof_s", tof_s, "s")
    m0 = check_finite_positive("m0_kg", m0_kg, "kg")
    mu = check_finite_positive("mu_km3_s2", mu_km3_s2, "km^3/s^2")
    if (isinstance(n_segments, bool) or not isinstance(n_segments, int | np.integer)
            or not 2 <= n_segments <= 400):
        raise ConfigError(f"n_segments={n_segments!r} is not allowed; expected an integer 2..400")
    vdep = _check_nonneg("vinf_depart_max_km_s", vinf_depart_max_km_s, "km/s")
    varr = _check_nonneg("vinf_arrive_max_km_s", vinf_arrive_max_km_s, "km/s")
    if np.linalg.norm(r0) == 0.0 or np.linalg.norm(rf) == 0.0:
        raise ConfigError("r0_km and rf_km must be non-zero positions (km from the central body)")
    heliocentric = abs(mu - GM_SUN_KM3_S2) < 1e-6 * GM_SUN_KM3_S2
    length = AU_KM if heliocentric else float(np.linalg.norm(r0))
    speed = math.sqrt(mu / length)
    tunit = length / speed
    acc_km_s2 = mu / length**2
    if solar is not None:
        thrust_cap_n = solar.thrust_cap_n * solar.duty_cycle
        isp = solar.isp_s
        if not heliocentric:
            raise ConfigError(f"mu_km3_s2={mu_km3_s2!r}: the solar-electric model needs the Sun as "
                              f"central body (mu_km3_s2={GM_SUN_KM3_S2!r})")
    else:
        thrust_cap_n = check_finite_positive("thrust_n", thrust_n, "N")
        isp = check_finite_positive("isp_s", isp_s, "s")
    ve_m_s = G0_M_S2 * isp
    tmax_nd = thrust_cap_n / (m0 * 1e3) / acc_km_s2
    c_nd = ve_m_s * 1e-3 / speed
    if solar is not None:
        prm = thrust_parameters(solar=True, tmax_nd=tmax_nd, c_nd=c_nd,
                                p1_rel=solar.array_power_1au_w / solar.power_cap_w
                                * (1.0 - solar.degradation_per_year) ** (degradation_t0_s / JULIAN_YEAR_S),
                                pbus_rel=solar.bus_power_w / solar.power_cap_w,
                                power_exponent=solar.power_exponent,
                                degradation_per_year=solar.degradation_per_year,
                                length_au=length / AU_KM, years_per_time_unit=tunit / JULIAN_YEAR_S)
    else:
        prm = thrust_parameters(solar=False, tmax_nd=tmax_nd, c_nd=c_nd)
    n = int(n_segments)
    tof_nd = tof / tunit
    rmin = min(np.linalg.norm(r0), np.linalg.norm(rf)) / length
    nsub = max(1, math.ceil(tof_nd / n * rmin**-1.5 / _STEP_ANGLE_RAD))
    return _Problem(L=length, V=speed, m0=m0, mu=mu, r0=r0 / length, v0=v0 / speed, rf=rf / length,
                    vf=vf / speed, tof=tof_nd, n=n, nsub=nsub, prm=prm, vdep_max=vdep / speed,
                    varr_max=varr / speed, capture=capture, thrust_scale_n=m0 * 1e3 * acc_km_s2,
                    solar=solar, ve_m_s=ve_m_s)


class _Evaluator:
    """Cached propagation of a decision vector (SLSQP asks for f, g, c, dc separately)."""

    def __init__(self, p: _Problem):
        self.p = p
        self._x = None
        self.nodes = np.empty((p.n + 1, 7))
        self.jac = np.zeros((7, 3 * p.n + 7))

    def __call__(self, x):
        from ..kernels.lowthrust_leg import propagate_leg

        if self._x is not None and np.array_equal(x, self._x):
            return
        p = self.p
        y0 = np.empty(7)
        y0[:3] = p.r0
        y0[3:6] = p.v0 + (x[3 * p.n:3 * p.n + 3] if p.vdep_max > 0.0 else 0.0)
        y0[6] = 1.0
        u = np.ascontiguousarray(x[:3 * p.n].reshape(p.n, 3))
        propagate_leg(y0, u, 0.0, p.dt, p.nsub, p.prm, True, self.nodes, self.jac)
        self._x = x.copy()

    def yf(self, x):
        self(x)
        return self.nodes[-1]

    def dyf_dx(self, x):
        """d y_final / d x, shape (7, nvar)."""
        self(x)
        p = self.p
        d = np.empty((7, p.nvar))
        d[:, :3 * p.n] = self.jac[:, :3 * p.n]
        if p.vdep_max > 0.0:
            d[:, 3 * p.n:] = self.jac[:, 3 * p.n + 3:3 * p.n + 6]
        return d


def _capture_nd(p: _Problem):
    """(mu, rp, v_ell, c_chem) of the capture in the problem's units."""
    cap = p.capture
    mu_nd = cap.mu_km3_s2 / (p.V**2 * p.L)
    rp = cap.periapsis_radius_km / p.L
    v_ell = math.sqrt(mu_nd * (2.0 / rp - 1.0 / (cap.semi_major_axis_km / p.L)))
    return mu_nd, rp, v_ell, G0_M_S2 * cap.isp_s * 1e-3 / p.V


def _objective(p: _Problem, ev: _Evaluator, kind: str):
    n = p.n

    def f(x):
        if kind == "energy":
            u = x[:3 * n]
            return float(u @ u) / n
        if kind == "miss":
            yf = ev.yf(x)
            dr = yf[:3] - p.rf
            val = float(dr @ dr)
            dv = yf[3:6] - p.vf
            if p.varr_max > 0.0:
                excess = max(0.0, float(dv @ dv) - p.varr_max**2)
                return 1e4 * (val + excess)
            return 1e4 * (val + float(dv @ dv))
        yf = ev.yf(x)
        if kind == "mass" or p.capture is None:
            return -float(yf[6])
        mu_c, rp, v_ell, c_chem = _capture_nd(p)
        w = yf[3:6] - p.vf
        dv = math.sqrt(float(w @ w) + 2.0 * mu_c / rp) - v_ell
        return -float(yf[6]) * math.exp(-dv / c_chem)

    def g(x):
        if kind == "energy":
            out = np.zeros(p.nvar)
            out[:3 * n] = 2.0 * x[:3 * n] / n
            return out
        yf = ev.yf(x)
        d = ev.dyf_dx(x)
        if kind == "miss":
            dr = yf[:3] - p.rf
            dv = yf[3:6] - p.vf
            grad = 2.0 * dr @ d[:3]
            if p.varr_max > 0.0:
                if float(dv @ dv) > p.varr_max**2:
                    grad = grad + 2.0 * dv @ d[3:6]
            else:
                grad = grad + 2.0 * dv @ d[3:6]
            return 1e4 * grad
        if kind == "mass" or p.capture is None:
            return -d[6]
        mu_c, rp, v_ell, c_chem = _capture_nd(p)
        w = yf[3:6] - p.vf
        s = math.sqrt(float(w @ w) + 2.0 * mu_c / rp)
        fac = math.exp(-(s - v_ell) / c_chem)
        return -(fac * d[6] - float(yf[6]) * fac / c_chem * ((w / s) @ d[3:6]))

    return f, g


def _constraints(p: _Problem, ev: _Evaluator, with_target: bool):
    n = p.n
    cons = []
    if with_target:
        neq = 3 if p.varr_max > 0.0 else 6

        def ceq(x):
            yf = ev.yf(x)
            out = np.empty(neq)
            out[:3] = yf[:3] - p.rf
            if neq == 6:
                out[3:] = yf[3:6] - p.vf
            return out

        def ceq_jac(x):
            return ev.dyf_dx(x)[:neq].copy()

        cons.append({"type": "eq", "fun": ceq, "jac": ceq_jac})
    nin = n + (1 if p.vdep_max > 0.0 else 0) + (1 if (with_target and p.varr_max > 0.0) else 0)

    def cin(x):
        u = x[:3 * n].reshape(n, 3)
        out = np.empty(nin)
        out[:n] = 1.0 - np.einsum("ij,ij->i", u, u)
        k = n
        if p.vdep_max > 0.0:
            w = x[3 * n:3 * n + 3]
            out[k] = p.vdep_max**2 - float(w @ w)
            k += 1
        if with_target and p.varr_max > 0.0:
            w = ev.yf(x)[3:6] - p.vf
            out[k] = p.varr_max**2 - float(w @ w)
        return out

    def cin_jac(x):
        u = x[:3 * n].reshape(n, 3)
        jac = np.zeros((nin, p.nvar))
        rows = np.arange(n)
        for j in range(3):
            jac[rows, 3 * rows + j] = -2.0 * u[:, j]
        k = n
        if p.vdep_max > 0.0:
            jac[k, 3 * n:3 * n + 3] = -2.0 * x[3 * n:3 * n + 3]
            k += 1
        if with_target and p.varr_max > 0.0:
            w = ev.yf(x)[3:6] - p.vf
            jac[k] = -2.0 * w @ ev.dyf_dx(x)[3:6]
        return jac

    cons.append({"type": "ineq", "fun": cin, "jac": cin_jac})
    return cons


def _miss(p: _Problem, yf) -> tuple[float, float]:
    """Position miss (km) and velocity miss beyond the allowed arrival v∞ (m/s)."""
    dr = float(np.linalg.norm(yf[:3] - p.rf)) * p.L
    dv = float(np.linalg.norm(yf[3:6] - p.vf)) * p.V
    if p.varr_max > 0.0:
        dv = max(0.0, dv - p.varr_max * p.V)
    return dr, dv * 1e3


def _propagate_plain(p: _Problem, x) -> np.ndarray:
    from ..kernels.lowthrust_leg import propagate_leg

    y0 = np.empty(7)
    y0[:3] = p.r0
    y0[3:6] = p.v0 + (x[3 * p.n:3 * p.n + 3] if p.vdep_max > 0.0 else 0.0)
    y0[6] = 1.0
    nodes = np.empty((p.n + 1, 7))
    propagate_leg(y0, np.ascontiguousarray(x[:3 * p.n].reshape(p.n, 3)), 0.0, p.dt, p.nsub, p.prm, False,
                  nodes, np.empty((7, 0)))
    return nodes


def _clip_ball(w, radius):
    nrm = float(np.linalg.norm(w))
    return w if nrm <= radius or nrm == 0.0 else w * (radius / nrm)


def _guess_lambert(p: _Problem, revs: int = 0, low_path: bool = True):
    """Launch v∞ and thrust filling the gap between the Lambert arc and the end states."""
    from ..kernels.lambert import lambert_batch

    pole = np.cross(p.r0, p.v0)
    pole = pole / np.linalg.norm(pole)
    v1, v2, ok = lambert_batch(p.r0, p.rf, p.tof, 1.0, revs=revs, low_path=low_path, pole=pole)
    if not bool(ok):
        return None
    x = np.zeros(p.nvar)
    ddep = v1 - p.v0
    if p.vdep_max > 0.0:
        w = _clip_ball(ddep, 0.999 * p.vdep_max)
        x[3 * p.n:] = w
        ddep = ddep - w
    darr = p.vf - v2
    if p.varr_max > 0.0:
        darr = darr - _clip_ball(darr, 0.999 * p.varr_max)
    from ..kernels.lowthrust_leg import thrust_available

    half = p.n // 2
    g0, _ = thrust_available(float(np.linalg.norm(p.r0)), 0.0, p.prm)
    g1, _ = thrust_available(float(np.linalg.norm(p.rf)), p.tof, p.prm)
    u = np.zeros((p.n, 3))
    if g0 > 0:
        u[:half] = _clip_ball(ddep / (g0 * half * p.dt), 0.95)
    if g1 > 0:
        u[half:] = _clip_ball(darr / (g1 * (p.n - half) * p.dt), 0.95)
    x[:3 * p.n] = u.ravel()
    return x


def _guess_tangential(p: _Problem):
    """Thrust along (or against) the velocity, throttle from the circular-speed gap."""
    from ..kernels.lowthrust_leg import propagate_leg, thrust_available

    r0n = float(np.linalg.norm(p.r0))
    rfn = float(np.linalg.norm(p.rf))
    dv_need = abs(r0n**-0.5 - rfn**-0.5)
    g0, _ = thrust_available(r0n, 0.0, p.prm)
    if g0 <= 0.0:
        return None
    throttle = min(0.95, dv_need / (g0 * p.tof) * 1.05)
    sign = 1.0 if rfn >= r0n else -1.0
    x = np.zeros(p.nvar)
    y = np.concatenate([p.r0, p.v0, [1.0]])
    nodes = np.empty((2, 7))
    for i in range(p.n):
        u = sign * throttle * y[3:6] / np.linalg.norm(y[3:6])
        x[3 * i:3 * i + 3] = u
        propagate_leg(y, u.reshape(1, 3), i * p.dt, p.dt, p.nsub, p.prm, False, nodes, np.empty((7, 0)))
        y = nodes[1].copy()
    return x


def _scaled_miss(p: _Problem, x) -> float:
    yf = _propagate_plain(p, x)[-1]
    dv = float(np.linalg.norm(yf[3:6] - p.vf))
    if p.varr_max > 0.0:
        dv = max(0.0, dv - p.varr_max)
    return float(np.linalg.norm(yf[:3] - p.rf)) + dv


def _min_norm_newton(p: _Problem, x, iters: int = 12):
    """Unconstrained minimum-control-energy solution by minimum-norm Newton steps.

    Each step solves min |x_new|_W subject to the target constraints linearised at x (the
    launch v∞ weighted as free-ish, the throttles by their count); the throttle and v∞
    limits are not imposed here (the NLP does that), so this converges from far away.
    """
    ev = _Evaluator(p)
    w = np.ones(p.nvar)
    if p.vdep_max > 0.0:
        w[3 * p.n:] = 0.01  # launch v∞ is cheap: the launch vehicle supplies it
    winv = 1.0 / w
    neq = 3 if p.varr_max > 0.0 else 6
    best = (math.inf, x)
    frozen = False
    for _ in range(iters):
        if p.vdep_max > 0.0 and not frozen and np.linalg.norm(x[3 * p.n:]) > p.vdep_max:
            # the launch vehicle cannot give more: hold v∞ at its limit, thrust does the rest
            x = x.copy()
            x[3 * p.n:] = _clip_ball(x[3 * p.n:], 0.999 * p.vdep_max)
            winv[3 * p.n:] = 0.0
            frozen = True
            best = (math.inf, x)
        yf = ev.yf(x)
        c = np.empty(neq)
        c[:3] = yf[:3] - p.rf
        if neq == 6:
            c[3:] = yf[3:6] - p.vf
        err = float(np.linalg.norm(c))
        if err < best[0]:
            best = (err, x)
        if err < 1e-10:
            break
        jac = ev.dyf_dx(x)[:neq]
        jw = jac * winv
        rhs = jac @ x - c
        if frozen:
            rhs -= jac[:, 3 * p.n:] @ x[3 * p.n:]
        lam = np.linalg.solve(jw @ jac.T, rhs)
        x_new = jw.T @ lam
        if frozen:
            x_new[3 * p.n:] = x[3 * p.n:]
        # damp large steps: the linearisation holds only nearby
        step = x_new - x
        scale = min(1.0, 0.5 / max(1e-12, float(np.max(np.abs(step[:3 * p.n])))))
        x = x + scale * step
    return best[1]


def _first_guess(p: _Problem) -> np.ndarray:
    # Lambert arcs of up to two revolutions (both branches) and a tangential spiral; each is
    # refined to the unconstrained minimum-energy control, and the cheapest that meets the
    # target is kept (the closest, if none does)
    seeds = [_guess_lambert(p), _guess_tangential(p)]
    period0 = 2.0 * math.pi * float(np.linalg.norm(p.r0)) ** 1.5
    for revs in range(1, min(2, int(p.tof / period0) + 1) + 1):
        seeds += [_guess_lambert(p, revs, True), _guess_lambert(p, revs, False)]
    cands = [_min_norm_newton(p, g) for g in seeds if g is not None] or [np.zeros(p.nvar)]

    def cost(g):
        miss = _scaled_miss(p, g)
        u = g[:3 * p.n]
        energy = float(u @ u) / p.n
        return energy + (1e3 * miss if miss > 1e-6 else 0.0)

    x = min(cands, key=cost)
    if p.vdep_max > 0.0:
        x[3 * p.n:] = _clip_ball(x[3 * p.n:], 0.999 * p.vdep_max)
    return x


def _slsqp_cartesian(p, ev, x0, kind, with_target, maxiter, ftol):
    """SLSQP over the Cartesian thrust vectors, |u| <= 1 as inequality constraints (the
    minimum-energy stage: smooth in these variables)."""
    from scipy.optimize import minimize

    f, g = _objective(p, ev, kind)
    with _one_blas_thread():
        return minimize(f, x0, jac=g, method="SLSQP",
                        constraints=_constraints(p, ev, with_target),
                        options={"maxiter": maxiter, "ftol": ftol})


def _to_polar(p: _Problem, x) -> np.ndarray:
    """Cartesian variables -> (size, right ascension, declination) per 3-vector."""
    v = x.reshape(-1, 3)
    size = np.linalg.norm(v, axis=1)
    ra = np.arctan2(v[:, 1], v[:, 0])
    dec = np.arcsin(np.clip(v[:, 2] / np.where(size > 0, size, 1.0), -1.0, 1.0))
    return np.column_stack([size, ra, dec]).ravel()


def _from_polar(z):
    """(size, ra, dec) per 3-vector -> Cartesian, and the 3x3 Jacobian blocks."""
    w = z.reshape(-1, 3)
    s, a, d = w[:, 0], w[:, 1], w[:, 2]
    ca, sa, cd, sd = np.cos(a), np.sin(a), np.cos(d), np.sin(d)
    x = np.column_stack([s * cd * ca, s * cd * sa, s * sd]).ravel()
    jac = np.empty((w.shape[0], 3, 3))
    jac[:, 0, 0] = cd * ca
    jac[:, 1, 0] = cd * sa
    jac[:, 2, 0] = sd
    jac[:, 0, 1] = -s * cd * sa
    jac[:, 1, 1] = s * cd * ca
    jac[:, 2, 1] = 0.0
    jac[:, 0, 2] = -s * sd * ca
    jac[:, 1, 2] = -s * sd * sa
    jac[:, 2, 2] = s * cd
    return x, jac


def _chain(gx, jac):
    """Row vector(s) d/dx (..., nvar) times the block-diagonal dx/dz."""
    gx = np.atleast_2d(gx)
    k = jac.shape[0]
    return np.einsum("rki,kij->rkj", gx.reshape(gx.shape[0], k, 3), jac).reshape(gx.shape[0], 3 * k)


def _slsqp(p, ev, x0, kind, with_target, maxiter, ftol):
    """SLSQP over polar variables: throttle (and launch v∞) sizes are plain bounds, and the
    propellant objective is smooth where a segment coasts (|u| is a variable, not a norm)."""
    from scipy.optimize import minimize

    f, g = _objective(p, ev, kind)
    nvec = p.nvar // 3
    cons = []
    for c in _constraints(p, ev, with_target):
        if c["type"] == "eq":
            cons.append({"type": "eq", "fun": lambda z, c=c: c["fun"](_from_polar(z)[0]),
                         "jac": lambda z, c=c: _chain(c["jac"](_from_polar(z)[0]), _from_polar(z)[1])})
    if with_target and p.varr_max > 0.0:
        def cin(z):
            w = ev.yf(_from_polar(z)[0])[3:6] - p.vf
            return np.array([p.varr_max**2 - float(w @ w)])

        def cin_jac(z):
            x, jac = _from_polar(z)
            w = ev.yf(x)[3:6] - p.vf
            return _chain(-2.0 * w @ ev.dyf_dx(x)[3:6], jac)

        cons.append({"type": "ineq", "fun": cin, "jac": cin_jac})
    bounds = [(0.0, 1.0), (None, None), (None, None)] * p.n
    if nvec > p.n:
        bounds += [(0.0, p.vdep_max), (None, None), (None, None)]
    z0 = _to_polar(p, x0)
    z0[0::3] = np.clip(z0[0::3], 0.0, [b[1] for b in bounds[0::3]])

    def fz(z):
        return f(_from_polar(z)[0])

    def gz(z):
        x, jac = _from_polar(z)
        return _chain(g(x), jac)[0]

    # SLSQP's dense subproblems are small: BLAS threads only contend for the cores
    with _one_blas_thread():
        res = minimize(fz, z0, jac=gz, method="SLSQP", bounds=bounds, constraints=cons,
                       options={"maxiter": maxiter, "ftol": ftol})
    res.x = _from_polar(res.x)[0]
    return res


def _one_blas_thread():
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def _polish(p: _Problem, ev: _Evaluator, x, iters=3):
    """Minimum-norm Newton steps on the target constraints over the unsaturated controls."""
    n = p.n
    for _ in range(iters):
        yf = ev.yf(x)
        neq = 3 if p.varr_max > 0.0 else 6
        c = np.empty(neq)
        c[:3] = yf[:3] - p.rf
        if neq == 6:
            c[3:] = yf[3:6] - p.vf
        if np.max(np.abs(c)) < 1e-13:
            break
        jac = ev.dyf_dx(x)[:neq]
        u = x[:3 * n].reshape(n, 3)
        free = np.ones(p.nvar, dtype=bool)
        sat = np.einsum("ij,ij->i", u, u) > 0.998
        free[:3 * n] = np.repeat(~sat, 3)
        if p.vdep_max > 0.0 and np.linalg.norm(x[3 * n:]) > 0.999 * p.vdep_max:
            free[3 * n:] = False
        if free.sum() < neq:
            break
        js = jac[:, free]
        step = js.T @ np.linalg.lstsq(js @ js.T, c, rcond=None)[0]
        x = x.copy()
        x[free] -= step
    return x


def _within_limits(p: _Problem, x) -> bool:
    u = x[:3 * p.n].reshape(p.n, 3)
    ok = float(np.max(np.einsum("ij,ij->i", u, u))) <= 1.0 + 1e-9
    if p.vdep_max > 0.0:
        ok = ok and float(np.linalg.norm(x[3 * p.n:])) <= p.vdep_max * (1.0 + 1e-9)
    return ok


def _solve(p: _Problem, guess=None, maxiter: int = 150) -> LowThrustResult:
    ev = _Evaluator(p)
    iters = 0
    kind = "capture" if p.capture is not None else "mass"
    for attempt in range(2):
        if guess is None or attempt == 1:
            x = _first_guess(p)
            if not _within_limits(p, x):
                # the unconstrained minimum-energy control exceeds the engines or the
                # launcher: impose the limits on the smooth minimum-energy problem first
                res = _slsqp_cartesian(p, ev, x, "energy", True, 2 * maxiter, 1e-10)
                iters += res.nit
                x = res.x
        else:
            x = np.asarray(guess, dtype=float).copy()
        res = _slsqp(p, ev, x, kind, True, maxiter, 1e-12)
        iters += res.nit
        x = res.x
        x_pol = _polish(p, ev, x)
        if _within_limits(p, x_pol) and _scaled_miss(p, x_pol) < _scaled_miss(p, x):
            x = x_pol
        dr_km, dv_m_s = _miss(p, ev.yf(x))
        feasible = (dr_km <= POSITION_TOL_KM and dv_m_s <= VELOCITY_TOL_M_S
                    and _within_limits(p, x))
        if feasible or guess is None:
            break
    # SLSQP often stops on its iteration limit while creeping along the constraints of a
    # bang-bang solution; the polished point is feasible and its mass has settled
    converged = feasible and (bool(res.success) or res.status == 9)
    message = str(res.message)
    if not feasible:
        # closest approach to the target that the thrust allows
        rm = _slsqp(p, ev, x, "miss", False, 2 * maxiter, 1e-14)
        iters += rm.nit
        dr_m, dv_m = _miss(p, ev.yf(rm.x))
        if dr_m + 1e-3 * dv_m < dr_km + 1e-3 * dv_m_s:
            x, dr_km, dv_m_s = rm.x, dr_m, dv_m
        tof_days = p.tof * p.L / p.V / SECONDS_PER_DAY
        message = (f"infeasible: the thrust cannot reach the target in {tof_days:.1f} days; "
                   f"closest miss {dr_km:.0f} km, {dv_m_s:.1f} m/s")
        feasible = dr_km <= POSITION_TOL_KM and dv_m_s <= VELOCITY_TOL_M_S and _within_limits(p, x)
    sigma6 = _sigma_from_multipliers(p, ev, x, res) if feasible else None
    return _result(p, x, converged, feasible, message, iters, dr_km, dv_m_s, sigma6)


def _sigma_from_multipliers(p: _Problem, ev: _Evaluator, x, res) -> np.ndarray | None:
    """SLSQP's multipliers as the ``sigma6`` of :mod:`msrsim.kernels.lowthrust_kkt`
    (gradient of the Lagrangian with respect to the final r, v over minus its mass part)."""
    lam = getattr(res, "multipliers", None)
    if lam is None:
        return None
    lam = np.asarray(lam, dtype=float).ravel()
    neq = 3 if p.varr_max > 0.0 else 6
    if lam.size < neq:
        return None
    # scipy's Lagrangian is f - lam^T c
    sig = np.zeros(6)
    sig[:neq] = -lam[:neq]
    if neq == 6:
        return sig
    yf = ev.yf(x)
    w = yf[3:6] - p.vf
    mu_ineq = float(lam[neq]) if lam.size > neq else 0.0
    if p.capture is None:
        sig[3:] = 2.0 * mu_ineq * w
        return sig
    mu_c, rp, v_ell, c_chem = _capture_nd(p)
    s = math.sqrt(float(w @ w) + 2.0 * mu_c / rp)
    fac = math.exp(-(s - v_ell) / c_chem)
    sig[:3] /= fac
    sig[3:] = float(yf[6]) / c_chem * w / s + 2.0 * mu_ineq * w / fac
    return sig


def _result(p: _Problem, x, converged, feasible, message, iters, dr_km, dv_m_s,
            sigma6=None) -> LowThrustResult:
    from ..kernels.lowthrust_leg import dense_leg, thrust_available

    n = p.n
    u = x[:3 * n].reshape(n, 3).copy()
    vdep = x[3 * n:3 * n + 3].copy() if p.vdep_max > 0.0 else np.zeros(3)
    y0 = np.concatenate([p.r0, p.v0 + vdep, [1.0]])
    dense = np.empty((n * p.nsub + 1, 8))
    dense_leg(y0, u, 0.0, p.dt, p.nsub, p.prm, dense)
    tunit = p.L / p.V
    t_s = dense[:, 0] * tunit
    r_km = dense[:, 1:4] * p.L
    v_km_s = dense[:, 4:7] * p.V
    mass = dense[:, 7] * p.m0
    rn = np.linalg.norm(dense[:, 1:4], axis=1)
    avail = np.array([thrust_available(float(rn[k]), float(dense[k, 0]), p.prm)[0] for k in range(len(rn))])
    avail_n = avail * p.thrust_scale_n
    throttle = np.linalg.norm(u, axis=1)
    seg = np.minimum(np.arange(len(t_s)) // p.nsub, n - 1)
    thrust_n = avail_n * throttle[seg]
    with np.errstate(invalid="ignore", divide="ignore"):
        tdir = np.where(throttle[:, None] > 0, u / throttle[:, None], 0.0)
    d_au = np.linalg.norm(r_km, axis=1) / AU_KM
    power = None
    if p.solar is not None:
        s = p.solar
        years = t_s / JULIAN_YEAR_S
        p1 = p.prm[3] * s.power_cap_w  # includes degradation to the leg's start
        power = np.maximum(p1 * (1.0 - s.degradation_per_year) ** years / d_au**s.power_exponent
                           - s.bus_power_w, 0.0)
    mf = float(mass[-1])
    vinf_arr = (dense[-1, 4:7] - p.vf) * p.V
    cap_mass = None
    if p.capture is not None:
        cap_mass = mf * math.exp(-float(p.capture.dv_km_s(np.linalg.norm(vinf_arr))) * 1e3
                                 / (G0_M_S2 * p.capture.isp_s))
    return LowThrustResult(
        converged=bool(converged), feasible=bool(feasible), message=message, initial_mass_kg=p.m0,
        final_mass_kg=mf, propellant_kg=p.m0 - mf, dv_m_s=p.ve_m_s * math.log(p.m0 / mf),
        tof_s=p.tof * tunit, miss_position_km=dr_km, miss_velocity_m_s=dv_m_s,
        vinf_departure_km_s=vdep * p.V, vinf_arrival_km_s=vinf_arr, mass_after_capture_kg=cap_mass,
        segment_t_s=np.arange(n + 1) * p.dt * tunit, throttle=throttle, thrust_dir=tdir, control=u,
        t_s=t_s, r_km=r_km, v_km_s=v_km_s, mass_kg=mass, thrust_available_n=avail_n, thrust_n=thrust_n,
        power_w=power, sun_distance_au=d_au, exhaust_velocity_m_s=p.ve_m_s, iterations=int(iters), _x=x,
        _sigma6=sigma6)


def _guess_vector(p: _Problem, guess) -> np.ndarray | None:
    """A warm start from a neighbouring result (its control resampled onto this leg)."""
    if guess is None:
        return None
    if isinstance(guess, LowThrustResult):
        u_old = np.asarray(guess.control, dtype=float)
        vdep = np.asarray(guess.vinf_departure_km_s, dtype=float) / p.V
    else:
        x = np.asarray(guess, dtype=float).ravel()
        if x.size != p.nvar:
            extra = " + 3 for the launch v-infinity" if p.vdep_max > 0 else ""
            raise ConfigError(f"guess has {x.size} values; expected {p.nvar} (3 per segment{extra}) "
                              "or a LowThrustResult")
        return x.copy()
    n_old = u_old.shape[0]
    idx = np.minimum(((np.arange(p.n) + 0.5) * n_old / p.n).astype(int), n_old - 1)
    out = np.zeros(p.nvar)
    out[:3 * p.n] = u_old[idx].ravel()
    if p.vdep_max > 0.0:
        out[3 * p.n:] = _clip_ball(vdep, p.vdep_max)
    return out


def min_fuel_transfer(r0_km, v0_km_s, rf_km, vf_km_s, tof_s, *, m0_kg, thrust_n, isp_s,
                      mu_km3_s2=MU_SUN, n_segments: int = 30, vinf_depart_max_km_s: float = 0.0,
                      vinf_arrive_max_km_s: float = 0.0, capture: CaptureModel | None = None,
                      guess=None, maxiter: int = 150) -> LowThrustResult:
    """Minimum-propellant transfer at constant thrust and Isp between two states.

    Parameters
    ----------
    r0_km, v0_km_s : array_like, shape (3,)
        Departure state (position km, velocity km/s) about the central body.
    rf_km, vf_km_s : array_like, shape (3,)
        Target state at ``tof_s``.
    tof_s : float
        Time of flight, s (> 0).
    m0_kg : float
        Initial mass, kg (> 0).
    thrust_n : float
        Thrust at full throttle, N (> 0).
    isp_s : float
        Specific impulse, s (> 0).
    mu_km3_s2 : float, optional
        Gravitational parameter of the central body, km^3/s^2 (default the Sun's).
    n_segments : int, optional
        Constant-thrust segments (2..400; default 40).
    vinf_depart_max_km_s : float, optional
        Largest excess speed added to ``v0_km_s`` at departure (the launch vehicle's
        sqrt(C3)), km/s; its direction and size are optimised. Default 0.
    vinf_arrive_max_km_s : float, optional
        Largest allowed arrival speed relative to ``vf_km_s``, km/s (0: rendezvous).
    capture : CaptureModel, optional
        Maximise the mass after this impulsive chemical capture instead of the final mass.
    guess : LowThrustResult or array_like, optional
        Warm start (a neighbouring solution); default the automatic first guess.
    maxiter : int, optional
        SLSQP iterations per stage.

    Returns
    -------
    LowThrustResult
        ``feasible`` False (with the closest miss) when the thrust cannot reach the target.

    Raises
    ------
    ConfigError
        Non-positive or non-finite mass, thrust, Isp, time of flight or mu; malformed vectors.
    """
    p = _build(r0_km, v0_km_s, rf_km, vf_km_s, tof_s, m0_kg, thrust_n, isp_s, mu_km3_s2, n_segments,
               vinf_depart_max_km_s, vinf_arrive_max_km_s, capture, None)
    return _solve(p, _guess_vector(p, guess), maxiter)


def solar_electric_transfer(r0_km, v0_km_s, rf_km, vf_km_s, tof_s, *, m0_kg, sep=None,
                            n_segments: int = 30, vinf_depart_max_km_s: float = 0.0,
                            vinf_arrive_max_km_s: float = 0.0, capture: CaptureModel | None = None,
                            guess=None, maxiter: int = 150,
                            years_since_start: float = 0.0) -> LowThrustResult:
    """Minimum-propellant heliocentric transfer with solar-electric engines.

    The available thrust falls with the array power (``1 / d^2`` from the Sun, degradation,
    bus load, the engines' power ceiling and duty cycle; :class:`SolarElectricParams`).

    Parameters
    ----------
    r0_km, v0_km_s, rf_km, vf_km_s : array_like, shape (3,)
        Heliocentric end states, km and km/s.
    tof_s : float
        Time of flight, s.
    m0_kg : float
        Initial mass, kg.
    sep : SolarElectricParams, optional
        Engines and arrays (default: the ERO's).
    years_since_start : float, optional
        Array age at departure, years (degradation clock).
    n_segments, vinf_depart_max_km_s, vinf_arrive_max_km_s, capture, guess, maxiter
        As in :func:`min_fuel_transfer`.
    """
    from .params import SolarElectricParams

    sep = SolarElectricParams() if sep is None else sep
    if not isinstance(sep, SolarElectricParams):
        raise ConfigError(f"sep={type(sep).__name__} is not allowed; expected SolarElectricParams")
    age_s = _check_nonneg("years_since_start", years_since_start, "years") * JULIAN_YEAR_S
    p = _build(r0_km, v0_km_s, rf_km, vf_km_s, tof_s, m0_kg, None, None, MU_SUN, n_segments,
               vinf_depart_max_km_s, vinf_arrive_max_km_s, capture, sep, degradation_t0_s=age_s)
    return _solve(p, _guess_vector(p, guess), maxiter)
