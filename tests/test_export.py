"""Files other tools read: CCSDS OEM ephemerides checked by an independent reader (the
``oem`` package), whose interpolated states must match ours, and landing GeoJSON/KML parsed
by shapely and fastkml."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from conftest import require_peer
from msrsim.cli import main
from report_support import small_plan, small_run

OEM_META_ORDER = ["OBJECT_NAME", "OBJECT_ID", "CENTER_NAME", "REF_FRAME", "TIME_SYSTEM", "START_TIME",
                  "USEABLE_START_TIME", "USEABLE_STOP_TIME", "STOP_TIME", "INTERPOLATION",
                  "INTERPOLATION_DEGREE"]


@pytest.fixture(scope="module")
def segments():
    from msrsim.export.trajectories import nominal_segments

    return nominal_segments(small_plan())


@pytest.fixture(scope="module")
def oem_files(segments, tmp_path_factory):
    from msrsim.export.oem import oem_text

    d = tmp_path_factory.mktemp("oem")
    paths = {}
    for stem, segs in segments.items():
        p = d / f"{stem}.oem"
        p.write_text(oem_text(segs, "2026-01-01T00:00:00"))
        paths[stem] = p
    return paths


def _astropy_tdb(t_tdb_s):
    from astropy.time import Time

    return Time(2451545.0, np.asarray(t_tdb_s) / 86400.0, format="jd", scale="tdb")


def test_every_file_is_written_and_ordered_per_ccsds_502(oem_files):
    assert set(oem_files) == {"srl_cruise", "ero_cruise", "mav_ascent", "os_orbit", "ees_approach"}
    for p in oem_files.values():
        text = p.read_text()
        assert "\t" not in text
        assert text.startswith("CCSDS_OEM_VERS = 3.0\n")
        head = text.split("META_START")[0]
        assert head.index("CREATION_DATE") < head.index("ORIGINATOR")
        for block in re.findall(r"META_START\n(.*?)META_STOP", text, re.S):
            keys = [ln.split("=")[0].strip() for ln in block.strip().splitlines()]
            assert keys == OEM_META_ORDER
    centres = {k: re.findall(r"CENTER_NAME = (\w+)", p.read_text()) for k, p in oem_files.items()}
    # the ERO's solar-electric cruise is one segment per thrust segment (20), then the return
    assert centres == {"srl_cruise": ["SUN"], "ero_cruise": ["SUN"] * 21, "mav_ascent": ["MARS"],
                       "os_orbit": ["MARS"], "ees_approach": ["EARTH"]}


def test_oem_reader_interpolates_our_states(oem_files, segments):
    """The oem package parses every file; between written epochs its interpolated states match
    our two-body propagation (cruises, OS orbit, EES approach) to < 50 m and < 1 mm/s."""
    require_peer("oem")
    from oem import OrbitEphemerisMessage

    from msrsim.constants import GM_EARTH_KM3_S2, GM_MARS_KM3_S2, GM_SUN_KM3_S2
    from msrsim.kernels.kepler import propagate

    mu = {"SUN": GM_SUN_KM3_S2, "MARS": GM_MARS_KM3_S2, "EARTH": GM_EARTH_KM3_S2}
    for stem, path in oem_files.items():
        msg = OrbitEphemerisMessage.open(str(path))
        parsed = list(msg)
        assert len(parsed) == len(segments[stem])
        if stem == "mav_ascent":
            continue  # powered flight: checked in its own test
        for seg, ours in zip(parsed, segments[stem], strict=True):
            assert seg.metadata["CENTER_NAME"] == ours.center_name
            assert seg.metadata["REF_FRAME"] == "ICRF" and seg.metadata["TIME_SYSTEM"] == "TDB"
            if _powered(ours):
                continue  # the ERO's thrusting cruise: checked in its own test
            t = ours.epochs_tdb_s
            mid = 0.5 * (t[1:] + t[:-1])[:: max(1, t.size // 40)]
            mid = mid[(mid > t[4]) & (mid < t[-5])]  # away from the ends (one-sided stencils)
            r, v = propagate(ours.r_km[0], ours.v_km_s[0], mid - t[0], mu[ours.center_name])
            for k, tm in enumerate(mid):
                st = msg(_astropy_tdb(tm))
                assert np.linalg.norm(np.asarray(st.position) - r[k]) < 0.05, stem
                assert np.linalg.norm(np.asarray(st.velocity) - v[k]) < 1e-6, stem


def _powered(seg) -> bool:
    return any("solar-electric" in c for c in seg.comments)


def test_ero_electric_cruise_is_the_plans_solved_trajectory(segments):
    """The ERO's outbound OEM segments are the plan's solved solar-electric cruise: they tile
    the cruise's dates without gaps (each segment starts where the last ended, same state),
    start at DE421's Earth and end at DE421's Mars within the solver's 10 km; the states are
    not a Kepler orbit (the thrust moves them km to 10^5 km away from one)."""
    from msrsim.constants import GM_SUN_KM3_S2
    from msrsim.ephemeris import load_ephemeris
    from msrsim.kernels.kepler import propagate

    plan = small_plan()
    cruise = plan.ero_cruise_solutions[0]
    assert cruise is not None and plan.ero_cruise[0]["cruise_model"] == "electric"
    segs = [s for s in segments["ero_cruise"] if _powered(s)]
    assert len(segs) == cruise.control.shape[0] == 20
    assert segs[0].epochs_tdb_s[0] == pytest.approx(cruise.depart_tdb_s, abs=1e-3)
    assert segs[-1].epochs_tdb_s[-1] == pytest.approx(cruise.arrive_tdb_s, abs=1e-3)
    for a, b in zip(segs[:-1], segs[1:], strict=True):
        assert b.epochs_tdb_s[0] == a.epochs_tdb_s[-1]
        np.testing.assert_array_equal(b.r_km[0], a.r_km[-1])
    eph = load_ephemeris()
    assert np.linalg.norm(segs[0].r_km[0] - eph.state("earth", cruise.depart_tdb_s)[0]) < 1e-6
    rm, vm = eph.state("mars", cruise.arrive_tdb_s)
    assert np.linalg.norm(segs[-1].r_km[-1] - rm) < 10.0
    np.testing.assert_allclose(segs[-1].v_km_s[-1] - vm, cruise.arrival_vinf_km_s, atol=1e-3)
    s = next(x for x in segs if "throttle 1.000" in x.comments[1])  # a full-thrust segment
    r, _ = propagate(s.r_km[0], s.v_km_s[0], s.epochs_tdb_s[-1] - s.epochs_tdb_s[0], GM_SUN_KM3_S2)
    assert np.linalg.norm(r - s.r_km[-1]) > 1.0


def test_oem_reader_interpolates_the_electric_cruise(segments):
    """The electric cruise written at every other integrator step, read back by the oem
    package and interpolated at the steps left out (3.5 days apart), gives their states within
    50 m and 1 mm/s (measured 1.3 m, 0.6 mm/s; the thrust is smooth inside a segment, and
    segments end where it changes)."""
    require_peer("oem")
    import tempfile

    from oem import OrbitEphemerisMessage

    from msrsim.export.oem import OEMSegment, oem_text

    segs = [s for s in segments["ero_cruise"] if _powered(s)]
    half = [OEMSegment("ERO", "TEST", "SUN", "ICRF", s.epochs_tdb_s[::2], s.r_km[::2], s.v_km_s[::2],
                       "HERMITE", 7) for s in segs]
    with tempfile.NamedTemporaryFile("w", suffix=".oem", delete=False) as fh:
        fh.write(oem_text(half, "2026-01-01T00:00:00"))
    msg = OrbitEphemerisMessage.open(fh.name)
    err_r, err_v = [], []
    for s in segs[::3]:
        for i in range(3, s.epochs_tdb_s.size - 3, 2):
            st = msg(_astropy_tdb(s.epochs_tdb_s[i]))
            err_r.append(np.linalg.norm(np.asarray(st.position) - s.r_km[i]))
            err_v.append(np.linalg.norm(np.asarray(st.velocity) - s.v_km_s[i]))
    assert max(err_r) < 0.05 and max(err_v) < 1e-6, (max(err_r), max(err_v))


def test_oem_reader_interpolates_the_ascent():
    """Ascent: an OEM of every other integrator step, read back and interpolated at the steps
    left out, gives the steps' states to within 1 m; velocity to within 5 mm/s at the median
    step and 2 m/s where a motor ignites or burns out (the acceleration jumps there, which no
    polynomial through the neighbours follows)."""
    require_peer("oem")
    from oem import OrbitEphemerisMessage

    from msrsim.export.oem import OEMSegment, oem_text
    from msrsim.export.trajectories import ascent_states
    from msrsim.report.campaign import nominal_trial

    plan = small_plan()
    t, r, v = ascent_states(plan, nominal_trial(plan)["mav_launch_tdb_s"])
    seg = OEMSegment("MAV", "TEST", "MARS", "ICRF", t[::2], r[::2], v[::2], "HERMITE", 3)
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".oem", delete=False) as fh:
        fh.write(oem_text([seg], "2026-01-01T00:00:00"))
    msg = OrbitEphemerisMessage.open(fh.name)
    odd = np.arange(5, t.size - 5, 2)[::7]
    states = [msg(_astropy_tdb(t[i])) for i in odd]
    pairs = list(zip(states, odd, strict=True))
    err_r = np.array([np.linalg.norm(np.asarray(st.position) - r[i]) for st, i in pairs])
    err_v = np.array([np.linalg.norm(np.asarray(st.velocity) - v[i]) for st, i in pairs])
    assert err_r.max() < 1e-3, err_r.max()
    assert np.median(err_v) < 5e-6 and err_v.max() < 2e-3, (np.median(err_v), err_v.max())


def test_trajectories_meet_their_ends(segments):
    """Cruises start at the departure planet and end at the arrival planet (DE421); the EES
    reaches the 125 km interface at the entry preset's flight-path angle; the ascent leaves
    from the Martian surface and delivers the plan's designed orbit."""
    from msrsim.bodies import EARTH, MARS, icrf_to_equator_matrix
    from msrsim.constants import GM_MARS_KM3_S2
    from msrsim.entry import load_preset
    from msrsim.ephemeris import load_ephemeris

    eph = load_ephemeris()
    # the ERO's outbound cruise is checked end to end in its own test: its return leg here
    ero_return = [s for s in segments["ero_cruise"] if not _powered(s)]
    legs = ((segments["srl_cruise"], [("earth", "mars")]), (ero_return, [("mars", "earth")]))
    for segs, bodies in legs:
        for seg, (a, b) in zip(segs, bodies, strict=True):
            ra = eph.state(a, seg.epochs_tdb_s[0])[0]
            rb = eph.state(b, seg.epochs_tdb_s[-1])[0]
            assert np.linalg.norm(seg.r_km[0] - ra) < 1.0
            assert np.linalg.norm(seg.r_km[-1] - rb) < 50.0  # Lambert + Kepler closure, km
    ees = segments["ees_approach"][0]
    r, v = ees.r_km[-1], ees.v_km_s[-1]
    assert np.linalg.norm(r) - EARTH.r_eq_m / 1e3 == pytest.approx(125.0, abs=1e-3)
    fpa = math.degrees(math.asin(np.dot(r, v) / (np.linalg.norm(r) * np.linalg.norm(v))))
    assert fpa == pytest.approx(load_preset("ees-uttr").entry.fpa_deg, abs=1e-4)
    assert (ees.epochs_tdb_s[-1] - ees.epochs_tdb_s[0]) / 86400.0 == pytest.approx(3.0)  # release 3 d before
    mav = segments["mav_ascent"][0]
    assert abs(np.linalg.norm(mav.r_km[0]) - MARS.r_eq_m / 1e3) < 25.0  # on the ground
    r, v = mav.r_km[-1], mav.v_km_s[-1]
    en = 0.5 * np.dot(v, v) - GM_MARS_KM3_S2 / np.linalg.norm(r)
    a = -GM_MARS_KM3_S2 / (2 * en)
    h = np.cross(r, v)
    e = math.sqrt(max(0.0, 1 - np.dot(h, h) / (GM_MARS_KM3_S2 * a)))
    nom = small_plan().ascent_nominal
    rq = MARS.r_eq_m / 1e3
    assert a * (1 - e) - rq == pytest.approx(float(nom["periapsis_alt_km"]), abs=2.0)
    assert a * (1 + e) - rq == pytest.approx(float(nom["apoapsis_alt_km"]), abs=2.0)
    h_eq = icrf_to_equator_matrix("mars", mav.epochs_tdb_s[0]) @ h
    inc = math.degrees(math.acos(h_eq[2] / np.linalg.norm(h_eq)))
    assert inc == pytest.approx(float(nom["inclination_deg"]), abs=0.05)


def test_landing_geojson_and_kml_parse_and_agree_with_the_trials():
    """shapely reads the GeoJSON; its UTTR polygon test agrees with the trial table's in_uttr,
    and its 99 % ellipse holds the same landings as msrsim.entry.run.landing_ellipse's."""
    shapely_geometry = require_peer("shapely.geometry")
    fastkml = require_peer("fastkml")
    from msrsim.entry import load_preset
    from msrsim.entry.run import landing_ellipse
    from msrsim.export.geo import landing_files

    res, _ = small_run()
    tab, arch = res.trials, res.architecture
    srl_t = load_preset(arch.lander.entry_preset).target
    ees_t = load_preset(arch.ees.entry_preset).target
    files = landing_files(tab, srl_t, ees_t)
    ut = json.loads(files["uttr_landings.geojson"])
    feats = {f["properties"]["name"]: shapely_geometry.shape(f["geometry"]) for f in ut["features"]}
    pts = feats["EES landings"]
    landed = np.isfinite(tab["earth_landing_lat_deg"])
    assert len(pts.geoms) == int(landed.sum()) > 10
    assert feats["UTTR outline"].is_valid and feats["EES 99 % ellipse"].is_valid
    inside = np.array([feats["UTTR outline"].contains(p) for p in pts.geoms])
    assert np.array_equal(inside, np.asarray(tab["in_uttr"], bool)[landed])
    jz = json.loads(files["jezero_landings.geojson"])
    assert jz["crs"]["properties"]["name"] == "IAU2000:49900" and "areocentric" in jz["coordinate_system"]
    jf = {f["properties"]["name"]: shapely_geometry.shape(f["geometry"]) for f in jz["features"]}
    ell = jf["SRL 99 % ellipse"]
    n_in = sum(ell.contains(p) for p in jf["SRL landings"].geoms)
    ref = landing_ellipse(tab["landing_lat_deg"], tab["landing_lon_deg"], 0.0, 3389.5e3)
    assert abs(n_in - ref["contained99"] * ref["n_landed"]) <= 1
    # fastkml reads the KML: the same placemarks, the target where the entry preset puts it
    k = fastkml.KML.from_string(files["jezero_landings.kml"].encode())
    doc = next(iter(k.features))
    marks = {pm.name: pm for pm in doc.features}
    assert set(marks) == set(jf)
    tgt = marks["SRL target"].geometry
    assert (tgt.x, tgt.y) == pytest.approx((srl_t.lon_deg, srl_t.lat_deg), abs=1e-6)


def test_export_bad_input_is_one_line(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for argv, want in (
        (["export", "oem", "--out", str(blocker / "sub")], "cannot be written"),
        (["export", "oem", "--preset", "nosuch"], "preset='nosuch' is unknown"),
        (["export", "geo", "--run", str(tmp_path)], "has no results.json"),
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and want in err, err
