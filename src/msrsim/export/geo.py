"""Landing scatters and ellipses as GeoJSON and KML (QGIS, Google Earth).

Two places: the SRL's landings at Jezero, in Mars 2000 areocentric coordinates
(planetocentric latitude, east-positive longitude, degrees; IAU code 49900), and the EES's
landings at the Utah Test and Training Range, WGS-84. Each file holds the landing points of
every trial that landed (one MultiPoint), the 99 % ellipse of a Gaussian fitted to them
(a closed ring), the target, and for Utah the range outline. GeoJSON (RFC 7946) assumes
WGS-84, so the Mars file states its coordinate system in a ``crs`` member and in
``properties``; RFC 7946 rings run counter-clockwise.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

import numpy as np

from ..report.svg import ellipse99

MARS_CRS = "IAU2000:49900"
MARS_CRS_TEXT = ("Mars 2000 areocentric: planetocentric latitude, east-positive longitude, degrees "
                 "(IAU 2000 code 49900)")
EARTH_CRS_TEXT = "WGS-84 geodetic latitude and longitude, degrees (EPSG:4326)"


def _ring(lon, lat) -> list:
    """A closed counter-clockwise ring [[lon, lat], ...]."""
    pts = np.column_stack([lon, lat])
    if pts.shape[0] and np.any(pts[0] != pts[-1]):
        pts = np.vstack([pts, pts[:1]])
    x, y = pts[:, 0], pts[:, 1]
    if np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]) < 0:  # clockwise: reverse
        pts = pts[::-1]
    return [[round(float(a), 7), round(float(b), 7)] for a, b in pts]


def _lon180(lon):
    return (np.asarray(lon, dtype=float) + 180.0) % 360.0 - 180.0


def landing_features(lat_deg, lon_deg, target_lat_lon_deg, label: str, outline_lat_lon_deg=None,
                     places: dict | None = None) -> list:
    """GeoJSON features of one landing scatter (points, 99 % ellipse, target, outline, places)."""
    lat = np.asarray(lat_deg, dtype=float)
    lon = _lon180(lon_deg)
    ok = np.isfinite(lat) & np.isfinite(lon)
    lat, lon = lat[ok], lon[ok]
    feats = [{"type": "Feature", "properties": {"name": f"{label} landings", "count": int(lat.size)},
              "geometry": {"type": "MultiPoint",
                           "coordinates": [[round(float(a), 7), round(float(b), 7)] for a, b in zip(lon, lat,
                                                                                                  strict=True)]}}]
    # the 99 % ellipse in (lon, lat) degrees: affine-equivalent to the local east/north km one
    el = ellipse99(lon, lat)
    if el is not None:
        feats.append({"type": "Feature", "properties": {"name": f"{label} 99 % ellipse",
                                                         "basis": "Gaussian fit, chi-square(2) 0.99"},
                      "geometry": {"type": "Polygon", "coordinates": [_ring(el[0], el[1])]}})
    tlat, tlon = target_lat_lon_deg
    feats.append({"type": "Feature", "properties": {"name": f"{label} target"},
                  "geometry": {"type": "Point", "coordinates": [float(_lon180(tlon)), float(tlat)]}})
    if outline_lat_lon_deg is not None:
        poly = np.asarray(outline_lat_lon_deg, dtype=float)
        ring = _ring(_lon180(poly[:, 1]), poly[:, 0])
        feats.append({"type": "Feature", "properties": {"name": "UTTR outline"},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
    for name, (la, lo) in (places or {}).items():
        feats.append({"type": "Feature", "properties": {"name": name},
                      "geometry": {"type": "Point", "coordinates": [float(_lon180(lo)), float(la)]}})
    return feats


def geojson_text(features: list, body: str) -> str:
    """A FeatureCollection; Mars files name their coordinate system."""
    fc: dict = {"type": "FeatureCollection"}
    if body == "mars":
        fc["crs"] = {"type": "name", "properties": {"name": MARS_CRS}}
        fc["coordinate_system"] = MARS_CRS_TEXT
    else:
        fc["coordinate_system"] = EARTH_CRS_TEXT
    fc["features"] = features
    return json.dumps(fc, indent=1, allow_nan=False)


def kml_text(features: list, title: str, body: str) -> str:
    """KML 2.2 of the same features (Google Earth's Mars mode for Jezero)."""
    crs = MARS_CRS_TEXT if body == "mars" else EARTH_CRS_TEXT

    def coords(pts):
        return " ".join(f"{x:.7f},{y:.7f}" for x, y in pts)

    marks = []
    for f in features:
        g = f["geometry"]
        name = escape(f["properties"]["name"])
        if g["type"] == "Point":
            geo = f"<Point><coordinates>{coords([g['coordinates']])}</coordinates></Point>"
        elif g["type"] == "MultiPoint":
            geo = "<MultiGeometry>" + "".join(
                f"<Point><coordinates>{coords([p])}</coordinates></Point>" for p in g["coordinates"]
            ) + "</MultiGeometry>"
        else:
            geo = (f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{coords(g['coordinates'][0])}"
                   "</coordinates></LinearRing></outerBoundaryIs></Polygon>")
        marks.append(f"<Placemark><name>{name}</name>{geo}</Placemark>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">'
            f"<Document><name>{escape(title)}</name><description>{escape(crs)}</description>"
            + "".join(marks) + "</Document></kml>\n")


def landing_files(trials: dict, srl_target, ees_target, body_places: dict | None = None) -> dict:
    """GeoJSON and KML texts of both landing scatters of a trial table.

    Parameters
    ----------
    trials : dict of numpy.ndarray
        Columns ``landing_lat_deg``, ``landing_lon_deg``, ``earth_landing_lat_deg``,
        ``earth_landing_lon_deg``.
    srl_target, ees_target : entry targets (``lat_deg``, ``lon_deg``; the EES one may have
        ``polygon_lat_lon_deg``)
    body_places : dict, optional
        Extra named points at Jezero: name -> (lat_deg, lon_deg).

    Returns
    -------
    dict
        File name -> text.
    """
    out = {}
    jz = landing_features(trials["landing_lat_deg"], trials["landing_lon_deg"],
                          (srl_target.lat_deg, srl_target.lon_deg), "SRL", places=body_places)
    out["jezero_landings.geojson"] = geojson_text(jz, "mars")
    out["jezero_landings.kml"] = kml_text(jz, "SRL landings at Jezero", "mars")
    ut = landing_features(trials["earth_landing_lat_deg"], trials["earth_landing_lon_deg"],
                          (ees_target.lat_deg, ees_target.lon_deg), "EES",
                          outline_lat_lon_deg=getattr(ees_target, "polygon_lat_lon_deg", None))
    out["uttr_landings.geojson"] = geojson_text(ut, "earth")
    out["uttr_landings.kml"] = kml_text(ut, "EES landings at the Utah Test and Training Range", "earth")
    return out


__all__ = ["geojson_text", "kml_text", "landing_features", "landing_files"]
