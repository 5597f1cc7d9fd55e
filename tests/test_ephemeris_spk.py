"""A user-supplied SPK kernel gives the same states as the packaged DE421.

The SPK file is written here (CSPICE ``spkw02`` through spiceypy) from the very Chebyshev
coefficients the ``de421`` package ships, so the two readers must agree to round-off: this
checks the SPK reader's segment chaining (Earth = EMB + (Earth - EMB)), its time
arguments and its units, independently of our own Chebyshev evaluation.
"""

import os

import numpy as np
import pytest

from conftest import require_peer
from msrsim.constants import J2000_JD, SECONDS_PER_DAY
from msrsim.ephemeris import PackagedDE421, SpkEphemeris, load_ephemeris
from msrsim.errors import ConfigError, EphemerisRangeError
from msrsim.timescales import utc_to_tdb

spice = require_peer("spiceypy")


def _write_spk(path, t0_s, t1_s):
    import de421

    eph = PackagedDE421()
    folder = os.path.dirname(de421.__file__)
    jalpha = eph.constants["jalpha"]
    span_days = eph.constants["jomega"] - jalpha
    earth_share = 1.0 / (1.0 + eph.constants["EMRAT"])
    # (target, centre, series, scale): Earth and Moon relative to the Earth-Moon barycentre
    segments = [(10, 0, "sun", 1.0), (3, 0, "earthmoon", 1.0), (4, 0, "mars", 1.0),
                (399, 3, "moon", -earth_share), (301, 3, "moon", 1.0 - earth_share)]
    handle = spice.spkopn(str(path), "msrsim test", 0)
    try:
        for target, centre, series, scale in segments:
            coeffs = np.load(os.path.join(folder, f"jpl-{series}.npy"))
            nsets, _, ncoef = coeffs.shape
            step_s = span_days / nsets * SECONDS_PER_DAY
            base_s = (jalpha - J2000_JD) * SECONDS_PER_DAY
            i0 = int((t0_s - base_s) // step_s)
            i1 = int((t1_s - base_s) // step_s) + 1
            data = (scale * coeffs[i0:i1]).reshape(i1 - i0, 3 * ncoef)
            first = base_s + i0 * step_s
            last = base_s + i1 * step_s
            spice.spkw02(handle, target, centre, "J2000", first, last, f"{series}->{target}",
                         step_s, i1 - i0, ncoef - 1, data.ravel(), first)
    finally:
        spice.spkcls(handle)


@pytest.fixture(scope="module")
def spk_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("spk") / "de421_excerpt.bsp"
    _write_spk(path, utc_to_tdb("2029-06-01"), utc_to_tdb("2031-06-01"))
    return str(path)


@pytest.mark.parametrize("body", ["mars", "earth", "moon"])
def test_spk_reader_matches_packaged_de421(spk_file, body):
    t = np.linspace(utc_to_tdb("2029-08-01"), utc_to_tdb("2031-04-01"), 97)
    r_spk, v_spk = SpkEphemeris(spk_file).state(body, t)
    r_pkg, v_pkg = PackagedDE421().state(body, t)
    # float64 epochs resolve ~1e-6 s near 1e9 s; at ~30 km/s that is ~1 cm between readers
    np.testing.assert_allclose(r_spk, r_pkg, rtol=0, atol=2e-5)  # 2 cm
    np.testing.assert_allclose(v_spk, v_pkg, rtol=0, atol=1e-9)  # 1 µm/s


def test_spk_span_is_enforced_and_named(spk_file):
    eph = load_ephemeris(spk_file)
    with pytest.raises(EphemerisRangeError, match="de421_excerpt.bsp ephemeris span"):
        eph.state("mars", utc_to_tdb("2035-01-01"))


def test_spk_missing_body_and_bad_files(spk_file, tmp_path):
    with pytest.raises(ConfigError, match="no segment for NAIF id 5"):
        SpkEphemeris(spk_file).state("jupiter", utc_to_tdb("2030-01-01"))
    with pytest.raises(ConfigError, match="does not exist"):
        SpkEphemeris(str(tmp_path / "nope.bsp"))
    junk = tmp_path / "junk.bsp"
    junk.write_bytes(b"not a DAF file at all" * 100)
    with pytest.raises(ConfigError, match="not a readable SPK file"):
        SpkEphemeris(str(junk))


def test_porkchop_runs_on_a_user_spk(spk_file):
    from msrsim.windows import porkchop

    dep = utc_to_tdb("2030-01-01") + np.arange(0, 60, 10.0) * SECONDS_PER_DAY
    arr = utc_to_tdb("2030-09-01") + np.arange(0, 60, 10.0) * SECONDS_PER_DAY
    a = porkchop("earth", "mars", dep, arr, ephemeris_path=spk_file)
    b = porkchop("earth", "mars", dep, arr)
    np.testing.assert_allclose(a.c3_km2_s2, b.c3_km2_s2, rtol=1e-9)
