"""Builds counties.json and townships.json (run once; see SOURCE.md) from g0v/twgeojson's TopoJSON:
decodes the arcs, renames the pieces to today's Ministry of the Interior codes (the 2010 and 2014
mergers), projects them (equirectangular at 23.7°N, Kinmen and Matsu moved into boxes at the top
left), simplifies each arc (Douglas-Peucker) and writes one SVG path per place plus the borders
between places as one path.

    python feedback/map_data/build_maps.py TWGEOJSON_GIT_DIR PLACES_CSV"""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
WIDTH = 400.0
COS = math.cos(math.radians(23.7))
LON0, LAT1 = 119.15, 26.0
SCALE = 115.0
EAST = (122.2 - LON0) * COS * SCALE
TOLERANCE = 0.8  # in drawn units
MERGED = {
    "10001": "65000",
    "10006": "66000",
    "10019": "66000",
    "10011": "67000",
    "10021": "67000",
    "10012": "64000",
    "10003": "68000",
}
OLD_NAME = {
    "台北縣": "新北市",
    "台中縣": "臺中市",
    "台中市": "臺中市",
    "台南縣": "臺南市",
    "台南市": "臺南市",
    "高雄縣": "高雄市",
    "桃園縣": "桃園市",
}
RENAMED = {("高雄市", "三民區"): "那瑪夏區", ("彰化縣", "員林鎮"): "員林市", ("苗栗縣", "頭份鎮"): "頭份市"}
MOVED = {"09020": (1.1, 0.75), "09007": (-0.55, -0.35)}  # Kinmen, Matsu: degrees added to lon, lat


def _topology(git_dir: str, path: str) -> dict:
    return json.loads(
        subprocess.run(["git", "--git-dir", git_dir, "show", f"HEAD:{path}"], capture_output=True, check=True).stdout
    )


def _arcs(topo: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    decoded = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _project(lon: float, lat: float, code: str) -> tuple[float, float]:
    dlon, dlat = MOVED.get(code[:5], (0.0, 0.0))
    return ((lon + dlon - LON0) * COS * SCALE, (LAT1 - lat - dlat) * SCALE)


def _simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    if len(points) < 3:
        return points
    if points[0] == points[-1]:  # a closed ring: cut it at its point farthest from the start
        x0, y0 = points[0]
        cut = max(range(len(points)), key=lambda i: math.hypot(points[i][0] - x0, points[i][1] - y0))
        return _simplify(points[: cut + 1], tolerance)[:-1] + _simplify(points[cut:], tolerance)
    (x1, y1), (x2, y2) = points[0], points[-1]
    length = math.hypot(x2 - x1, y2 - y1) or 1e-9
    far, index = 0.0, 0
    for i, (x, y) in enumerate(points[1:-1], 1):
        distance = abs((x2 - x1) * (y1 - y) - (x1 - x) * (y2 - y1)) / length
        if distance > far:
            far, index = distance, i
    if far <= tolerance:
        return [points[0], points[-1]]
    return _simplify(points[: index + 1], tolerance)[:-1] + _simplify(points[index:], tolerance)


def _ring(arc_ids: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for i in arc_ids:
        arc = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        points.extend(arc if not points else arc[1:])
    return points


def _d(points: list[tuple[float, float]], close: bool) -> str:
    out = "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return out + ("Z" if close else "")


def _polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["arcs"])
    return []


def build(topo: dict, code_of: dict[int, str]) -> dict:
    raw = _arcs(topo)
    geometries = topo["objects"]["layer1"]["geometries"]
    owners: dict[int, set[str]] = {}
    for n, geometry in enumerate(geometries):
        for polygon in _polygons(geometry) if n in code_of else []:
            for ring in polygon:
                for i in ring:
                    owners.setdefault(i if i >= 0 else ~i, set()).add(code_of[n])
    arcs: list[list[tuple[float, float]]] = []
    for i, arc in enumerate(raw):
        code = next(iter(owners.get(i, {""})))
        arcs.append(_simplify([_project(lon, lat, code) for lon, lat in arc], TOLERANCE))
    pieces: dict[str, list[tuple[float, list[str]]]] = {}
    for n, geometry in enumerate(geometries):
        for polygon in _polygons(geometry) if n in code_of else []:
            outer = _ring(polygon[0], arcs)
            xs, ys = [p[0] for p in outer], [p[1] for p in outer]
            size = (max(xs) - min(xs)) * (max(ys) - min(ys))
            if min(xs) > EAST:  # the Diaoyutai islets, far out at sea
                continue
            pieces.setdefault(code_of[n], []).append((size, [_d(_ring(r, arcs), True) for r in polygon]))
    areas: dict[str, list[str]] = {}
    for code, found in pieces.items():  # islets smaller than a dot go, unless they are all there is
        biggest = max(size for size, _d in found)
        areas[code] = [d for size, ds in found if size >= 1.5 or size == biggest for d in ds]
    borders = [_d(arcs[i], False) for i, codes in sorted(owners.items()) if len(codes) > 1]
    xs = [
        float(v)
        for d in areas.values()
        for part in d
        for v in part.replace("M", " ").replace("L", " ").replace("Z", " ").replace(",", " ").split()
    ]
    width, height = max(xs[0::2]), max(xs[1::2])
    return {
        "width": round(width + 2),
        "height": round(height + 2),
        "areas": {c: "".join(d) for c, d in sorted(areas.items())},
        "borders": "".join(borders),
    }


def main(git_dir: str, places_csv: str) -> None:
    with open(places_csv, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    county_code = {r["name"]: r["code"] for r in rows if r["level"] == "county"}
    township_code = {}
    for r in rows:
        if r["level"] == "township":
            county = next(c["name"] for c in rows if c["code"] == r["parent_code"])
            township_code[(county, r["name"])] = r["code"]
    counties = _topology(git_dir, "json/twCounty2010.topo.json")
    codes = {}
    for n, g in enumerate(counties["objects"]["layer1"]["geometries"]):
        old = g["properties"]["COUNTYSN"][:5]
        codes[n] = MERGED.get(old, old)
    assert set(codes.values()) == set(county_code.values()), set(county_code.values()) ^ set(codes.values())
    (HERE / "counties.json").write_text(json.dumps(build(counties, codes), ensure_ascii=False, separators=(",", ":")))
    towns = _topology(git_dir, "json/twTown1982.topo.json")
    codes, missing = {}, set()
    for n, g in enumerate(towns["objects"]["layer1"]["geometries"]):
        old_county, name = g["properties"]["COUNTYNAME"], g["properties"]["TOWNNAME"]
        county = OLD_NAME.get(old_county, old_county.replace("台", "臺"))
        if name.endswith("(海)"):  # harbour waters, not land
            continue
        name = name.replace("台", "臺")
        name = RENAMED.get((county, name), RENAMED.get((county, name[:-1] + "區"), name))
        found = township_code.get((county, name))
        if found is None and county != old_county.replace("台", "臺") and name[-1] in "市鎮鄉":
            found = township_code.get((county, name[:-1] + "區"))
        if found is None:
            missing.add((old_county, name))
        else:
            codes[n] = found
    print("townships not matched:", sorted(missing), file=sys.stderr)
    print("townships without a shape:", sorted(set(township_code.values()) - set(codes.values())), file=sys.stderr)
    (HERE / "townships.json").write_text(json.dumps(build(towns, codes), ensure_ascii=False, separators=(",", ":")))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
