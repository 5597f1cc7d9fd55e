"""Earth atmosphere: US Standard Atmosphere 1976 to 86 km, NRLMSIS 2.1 above.

NRLMSIS is evaluated through ``pymsis`` with the solar and geomagnetic indices passed
explicitly (F10.7, its 81-day mean and daily Ap), so it never looks up or downloads the
historical index files. MSIS is slow, so :class:`EarthUS76MSIS` samples it once, at one
place and time, on a 1 km grid at construction and interpolates log-density afterwards.
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError, check_finite_positive

# US Standard Atmosphere 1976 (NOAA/NASA/USAF, NOAA-S/T 76-1562), Table 4: base geopotential
# altitudes (m'), molecular-scale temperature gradients (K/m') of the seven layers to 84.852 km'.
_US76_H_BASE_M = np.array([0.0, 11e3, 20e3, 32e3, 47e3, 51e3, 71e3, 84.852e3])
_US76_LAPSE_K_M = np.array([-6.5e-3, 0.0, 1.0e-3, 2.8e-3, 0.0, -2.8e-3, -2.0e-3])
US76_T0_K = 288.15  # sea-level temperature (US76)
US76_P0_PA = 101325.0  # sea-level pressure (US76)
US76_R_STAR = 8.31432  # gas constant used by US76, J/(mol K)
US76_M0_KG_MOL = 28.9644e-3  # sea-level mean molar mass (US76)
US76_G0_M_S2 = 9.80665
US76_R0_M = 6356766.0  # effective Earth radius for geopotential (US76)
US76_TOP_M = 86e3  # geometric top of the layered part
GAMMA_AIR = 1.40


def _us76_layer_bases():
    t = [US76_T0_K]
    p = [US76_P0_PA]
    k = US76_G0_M_S2 * US76_M0_KG_MOL / US76_R_STAR
    for i, lapse in enumerate(_US76_LAPSE_K_M[:-1]):
        dh = _US76_H_BASE_M[i + 1] - _US76_H_BASE_M[i]
        t1 = t[-1] + lapse * dh
        if lapse == 0.0:
            p1 = p[-1] * np.exp(-k * dh / t[-1])
        else:
            p1 = p[-1] * (t[-1] / t1) ** (k / lapse)
        t.append(t1)
        p.append(p1)
    return np.array(t), np.array(p)


_US76_T_BASE, _US76_P_BASE = _us76_layer_bases()


def us76(alt_m) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """US Standard Atmosphere 1976, geometric altitude 0-86 km (extrapolated beyond).

    Parameters
    ----------
    alt_m : float or array
        Geometric altitude, m.

    Returns
    -------
    (density kg/m^3, temperature K, pressure Pa)
        Temperature is the molecular-scale temperature (equal to the kinetic temperature
        below 80 km; 0.04 % above it at 86 km, where US76's mean molar mass starts to fall).
    """
    z = np.asarray(alt_m, dtype=float)
    h = US76_R0_M * z / (US76_R0_M + z)  # geopotential altitude
    i = np.clip(np.searchsorted(_US76_H_BASE_M, h, side="right") - 1, 0, 6)
    hb = _US76_H_BASE_M[i]
    tb = _US76_T_BASE[i]
    pb = _US76_P_BASE[i]
    lapse = _US76_LAPSE_K_M[i]
    t = tb + lapse * (h - hb)
    k = US76_G0_M_S2 * US76_M0_KG_MOL / US76_R_STAR
    with np.errstate(divide="ignore", invalid="ignore"):
        p_grad = pb * (tb / t) ** (k / np.where(lapse == 0.0, 1.0, lapse))
    p_iso = pb * np.exp(-k * (h - hb) / tb)
    p = np.where(lapse == 0.0, p_iso, p_grad)
    rho = p * US76_M0_KG_MOL / (US76_R_STAR * t)
    return rho, t, p


class EarthUS76MSIS:
    """Earth atmosphere: US76 below 86 km, NRLMSIS 2.1 above, blended over 86-100 km.

    Parameters
    ----------
    f107_sfu : float
        Previous-day F10.7, sfu. Default 150 (moderate-to-high activity expected around
        the 2030s return; an assumption).
    f107a_sfu : float
        81-day mean F10.7, sfu.
    ap : float
        Daily Ap geomagnetic index (quiet: 4-15).
    lat_rad, lon_rad : float
        Geodetic place MSIS is sampled at, rad (default: UTTR range centre, 40.4942 N,
        113.6367 W, FACTS.md §4).
    t_tdb_s : float
        Epoch MSIS is sampled at, TDB s past J2000 (default 2031-01-01T12:00 TDB).
    alt_max_m : float
        Top of the MSIS sample grid, m.
    density_scale : float
        Multiplies density everywhere (dispersions).
    """

    blend_bottom_m = US76_TOP_M
    blend_top_m = 100e3

    def __init__(self, f107_sfu: float = 150.0, f107a_sfu: float = 150.0, ap: float = 15.0,
                 lat_rad: float = np.radians(40.4942), lon_rad: float = np.radians(-113.6367),
                 t_tdb_s: float = 978307200.0, alt_max_m: float = 1000e3, density_scale: float = 1.0):
        self.f107_sfu = check_finite_positive("f107_sfu", f107_sfu, "sfu")
        self.f107a_sfu = check_finite_positive("f107a_sfu", f107a_sfu, "sfu")
        if not (np.isfinite(ap) and 0.0 <= ap <= 400.0):
            raise ConfigError(f"ap={ap!r} outside the Ap index range; allowed 0..400")
        if not (np.isfinite(lat_rad) and abs(lat_rad) <= np.pi / 2):
            raise ConfigError(f"lat_rad={lat_rad!r} outside -pi/2..pi/2")
        self.density_scale = check_finite_positive("density_scale", density_scale, "")
        alt_max_m = check_finite_positive("alt_max_m", alt_max_m, "m")
        if alt_max_m <= self.blend_top_m:
            raise ConfigError(f"alt_max_m={alt_max_m!r} must be above {self.blend_top_m:g} m")
        import pymsis

        from ..timescales import tdb_to_utc

        date = np.datetime64(tdb_to_utc(float(t_tdb_s)).replace("Z", ""))
        self._h = np.arange(80e3, alt_max_m + 1.0, 1e3)
        out = pymsis.calculate(date, np.degrees(lon_rad), np.degrees(lat_rad), self._h / 1e3,
                               f107s=[self.f107_sfu], f107as=[self.f107a_sfu],
                               aps=[[float(ap)] * 7], version=2.1)
        out = np.asarray(out).reshape(-1, 11)
        rho = out[:, int(pymsis.Variable.MASS_DENSITY)]
        if not np.all(np.isfinite(rho) & (rho > 0)):
            raise ConfigError("NRLMSIS returned a non-positive density; check the indices")
        self._log_rho = np.log(rho)
        self._t = out[:, int(pymsis.Variable.TEMPERATURE)]
        # mean molar mass from the number densities (species order of pymsis.Variable)
        molar = np.array([28.0134, 31.9988, 15.9994, 4.0026, 1.00794, 39.948, 14.0067, 15.9994, 30.006])
        n = np.nan_to_num(out[:, 1:10])
        self._m_mol = (n @ molar) / np.sum(n, axis=1) * 1e-3
        self.name = f"earth-us76-msis21(F10.7={self.f107_sfu:g},Ap={ap:g})"

    def _weight(self, h):
        return np.clip((h - self.blend_bottom_m) / (self.blend_top_m - self.blend_bottom_m), 0.0, 1.0)

    def density(self, alt_m, lat_rad=0.0, lon_rad=0.0, t_tdb_s=0.0):
        h = np.asarray(alt_m, dtype=float)
        rho_low = us76(np.minimum(h, self.blend_top_m))[0]
        log_hi = np.interp(h, self._h, self._log_rho)
        # above the grid: continue the top layer's log-slope (exponential tail)
        slope = (self._log_rho[-1] - self._log_rho[-2]) / (self._h[-1] - self._h[-2])
        log_hi = np.where(h > self._h[-1], self._log_rho[-1] + slope * (h - self._h[-1]), log_hi)
        w = self._weight(h)
        return np.exp((1.0 - w) * np.log(rho_low) + w * log_hi) * self.density_scale

    def temperature(self, alt_m, lat_rad=0.0, lon_rad=0.0, t_tdb_s=0.0):
        h = np.asarray(alt_m, dtype=float)
        w = self._weight(h)
        return (1.0 - w) * us76(np.minimum(h, self.blend_top_m))[1] + w * np.interp(h, self._h, self._t)

    def sound_speed(self, alt_m, lat_rad=0.0, lon_rad=0.0, t_tdb_s=0.0):
        h = np.asarray(alt_m, dtype=float)
        w = self._weight(h)
        m = (1.0 - w) * US76_M0_KG_MOL + w * np.interp(h, self._h, self._m_mol)
        return np.sqrt(GAMMA_AIR * 8.314462618 * self.temperature(h) / m)


def earth_default(**kwargs) -> EarthUS76MSIS:
    """The default Earth atmosphere (:class:`EarthUS76MSIS`; keyword arguments pass through)."""
    return EarthUS76MSIS(**kwargs)
