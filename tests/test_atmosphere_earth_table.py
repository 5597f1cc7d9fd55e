"""Earth atmosphere (US76 + NRLMSIS 2.1) and user density tables / wind profiles."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msrsim.atmosphere import EarthUS76MSIS, TableAtmosphere, WindProfile, tabulate, us76
from msrsim.errors import ConfigError, DataError

# US Standard Atmosphere 1976 (NOAA-S/T 76-1562) Table I values, geometric altitude:
# (alt m, density kg/m^3, temperature K). Tolerance 0.05 % (the table's 5 digits).
US76_TABLE = [
    (0.0, 1.2250, 288.150),
    (11000.0, 3.6480e-1, 216.774),
    (20000.0, 8.8910e-2, 216.650),
    (50000.0, 1.0269e-3, 270.650),
    (86000.0, 6.958e-6, 186.87),
]


@pytest.mark.parametrize("alt, rho, temp", US76_TABLE)
def test_us76_table(alt, rho, temp):
    r, t, _ = us76(alt)
    assert float(r) == pytest.approx(rho, rel=5e-4)
    # at 86 km US76 lists kinetic T 186.87 K vs molecular-scale 186.946 K (0.04 %)
    assert float(t) == pytest.approx(temp, rel=5e-4)


@pytest.fixture(scope="module")
def earth():
    return EarthUS76MSIS()


def test_earth_continuous_and_msis_above(earth):
    # (The model above 100 km is NRLMSIS 2.1 itself; comparing it with the pymsis call it makes
    # would test the wrapper against itself, so no such check is kept.)
    h = np.linspace(0.0, 600e3, 6001)
    rho = earth.density(h)
    assert np.all(np.isfinite(rho)) and np.all(np.diff(rho) < 0)
    # US76 Table I at 86 km (6.958e-6 kg/m^3): the blend to MSIS starts above it
    assert float(earth.density(86e3)) == pytest.approx(6.958e-6, rel=1e-3)


def test_earth_solar_activity_matters():
    lo = EarthUS76MSIS(f107_sfu=70, f107a_sfu=70)
    hi = EarthUS76MSIS(f107_sfu=220, f107a_sfu=220)
    assert float(hi.density(400e3) / lo.density(400e3)) > 5.0  # textbook solar-cycle swing
    assert float(hi.density(50e3)) == float(lo.density(50e3))


def test_earth_bad_indices():
    with pytest.raises(ConfigError, match="ap="):
        EarthUS76MSIS(ap=-1.0)
    with pytest.raises(ConfigError, match="f107_sfu"):
        EarthUS76MSIS(f107_sfu=0.0)


CSV_OK = """# test profile
alt_km,density_kg_m3,temperature_k,wind_east_m_s,wind_north_m_s,density_kg_m3_1,density_kg_m3_2
0,0.020,210,5,0,0.021,0.019
10,0.0081,200,10,2,0.0085,0.0079
20,0.0033,190,20,4,0.0034,0.0031
"""


def test_table_roundtrip(tmp_path):
    p = tmp_path / "prof.csv"
    p.write_text(CSV_OK)
    atm = TableAtmosphere.from_csv(p)
    assert atm.n_profiles == 2
    # log-linear interpolation is exact for an exponential layer between rows
    assert float(atm.density(5e3)) == pytest.approx(np.sqrt(0.020 * 0.0081), rel=1e-12)
    assert float(atm.profile(2).density(10e3)) == pytest.approx(0.0079)
    assert float(atm.sound_speed(0.0)) == pytest.approx(np.sqrt(1.29 * 192.1 * 210.0))
    e, n = atm.wind.at(15e3)
    assert (float(e), float(n)) == pytest.approx((15.0, 3.0))
    grid = tabulate(atm, alt_max_m=20e3, alt_min_m=0.0, step_m=100.0)
    assert float(grid.density(10e3)) == pytest.approx(0.0081, rel=1e-9)


@pytest.mark.parametrize("text, match", [
    ("alt_km,density_kg_m3\n0,0.02\n10,0.01\n5,0.005\n", "not strictly increasing at row 3"),
    ("alt_km,density_kg_m3\n0,0.02\n10,-0.01\n", "density_kg_m3 at altitude 10 km"),
    ("alt_km,rho\n0,0.02\n10,0.01\n", "missing column 'density_kg_m3'"),
    ("alt_km,density_kg_m3\n0,0.02\n10,abc\n", "'abc' is not a number"),
    ("alt_km,density_kg_m3\n0,0.02\n", "needs a header and >= 2 data rows"),
    ("alt_km,density_kg_m3,wind_east_m_s\n0,0.02,1\n10,0.01,2\n", "both wind"),
])
def test_malformed_table(tmp_path, text, match):
    p = tmp_path / "bad.csv"
    p.write_text(text)
    with pytest.raises(DataError, match=match) as ei:
        TableAtmosphere.from_csv(p)
    assert "\n" not in str(ei.value)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=3, max_size=8))
def test_wind_profile_validation(vals):
    alt = np.cumsum(np.abs(vals)) * 1.0
    east = np.zeros_like(alt)
    if np.all(np.diff(alt) > 0):
        w = WindProfile(alt, east, east)
        assert float(w.at(alt[0])[0]) == 0.0
    else:
        with pytest.raises(ConfigError, match="not strictly increasing"):
            WindProfile(alt, east, east)
