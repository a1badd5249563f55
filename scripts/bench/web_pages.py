#!/usr/bin/env python3
"""Times the clinic pages over a running demo clinic (median of 3 requests each, signed in as the demo
investigator). Start the server first:  restora demo --folder /tmp/dm --port 8099
Usage: python3 scripts/bench/web_pages.py [--url http://127.0.0.1:8099] [--database /tmp/dm/restora-demo.sqlite]"""
import argparse
import http.cookiejar
import re
import sqlite3
import time
import urllib.parse
import urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("--url", default="http://127.0.0.1:8099")
parser.add_argument("--database", default="/tmp/dm/restora-demo.sqlite")
args = parser.parse_args()

jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
page = opener.open(args.url + "/sign-in").read().decode()
csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
opener.open(args.url + "/sign-in", urllib.parse.urlencode(
    {"_csrf": csrf, "username": "investigator", "password": "demo-investigator", "next": "/dashboard"}).encode())
for cookie in jar:
    cookie.secure = False  # the session cookie is Secure; this measurement talks plain HTTP on loopback

db = sqlite3.connect(args.database)
lot, cell_participant = db.execute("SELECT id, participant_id FROM cell_products ORDER BY lot LIMIT 1").fetchone()
iso_participant = db.execute("SELECT participant_id FROM observations WHERE code = '1742-6' LIMIT 1").fetchone()[0]
pages = [
    ("dashboard", "/dashboard"),
    ("participant page, cell therapy", f"/participants/{cell_participant}"),
    ("participant page, isotretinoin", f"/participants/{iso_participant}"),
    ("lot page", f"/cell-products/{lot}"),
    ("release tests form", f"/cell-products/{lot}/release-tests"),
    ("procedure form", f"/participants/{cell_participant}/procedures/new"),
    ("isotretinoin report", "/programs/demo-program-isotretinoin-noa/report"),
]
for name, path in pages:
    times = []
    for _ in range(3):
        start = time.time()
        response = opener.open(args.url + path)
        body = response.read()
        times.append(time.time() - start)
        assert b"sign-in-form" not in body, f"{path} answered the sign-in page"
    print(f"{name}: median {sorted(times)[1] * 1000:.0f} ms ({len(body) // 1024} KiB)")
