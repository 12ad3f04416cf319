#!/usr/bin/python3
"""Opens the dashboard in a headless Chromium and watches it, as a user would.

dashboard_watch.py CHROMIUM_PORT URL SECONDS SCREENSHOT

Chromium runs with --remote-debugging-port=CHROMIUM_PORT (started by the
caller). The page URL (with #token=...&concert=...) is opened in a new tab;
every half second for SECONDS the page's seat map is read from the DOM
(the map element's data-map, data-gen and data-changes), then a screenshot
of the whole page is saved as SCREENSHOT (PNG). Prints one JSON object:
{"samples": [{"map", "gen", "changes"}...], "report_charts": number of <svg
in the report frame, "counts": the counts line}.
"""
import asyncio
import base64
import json
import sys
import time
import urllib.request

import websockets


def http_json(url, method="GET"):
    request = urllib.request.Request(url, method=method)
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read().decode())


async def main():
    port, url, seconds, screenshot = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    deadline = time.time() + 30
    while True:
        try:
            http_json("http://127.0.0.1:%s/json/version" % port)
            break
        except OSError:
            if time.time() > deadline:
                raise
            await asyncio.sleep(0.2)
    target = http_json("http://127.0.0.1:%s/json/new?about:blank" % port, method="PUT")
    async with websockets.connect(target["webSocketDebuggerUrl"], max_size=None) as cdp:
        ids = iter(range(1, 1 << 30))

        async def call(method, **params):
            n = next(ids)
            await cdp.send(json.dumps({"id": n, "method": method, "params": params}))
            while True:
                m = json.loads(await cdp.recv())
                if m.get("id") == n:
                    if "error" in m:
                        raise RuntimeError(m["error"])
                    return m["result"]

        async def value(expression):
            r = await call("Runtime.evaluate", expression=expression, returnByValue=True)
            return r["result"].get("value")

        await call("Page.enable")
        await call("Emulation.setDeviceMetricsOverride", width=1100, height=1600,
                   deviceScaleFactor=1, mobile=False)
        await call("Page.navigate", url=url)
        samples = []
        end = time.time() + seconds
        while time.time() < end:
            await asyncio.sleep(0.5)
            sample = await value(
                "(() => { const m = document.getElementById('map');"
                " return m ? {map: m.dataset.map, gen: m.dataset.gen,"
                " changes: parseInt(m.dataset.changes, 10)} : null; })()")
            if sample:
                samples.append(sample)
        charts = await value(
            "(() => { const f = document.getElementById('report');"
            " return f && f.srcdoc ? (f.srcdoc.match(/<svg/g) || []).length : 0; })()")
        counts = await value("document.getElementById('counts').textContent")
        shot = await call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        with open(screenshot, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
    print(json.dumps({"samples": samples, "report_charts": charts, "counts": counts}))


asyncio.run(main())
