#!/usr/bin/python3
"""Follows a concert's live seat feed as a client would, and keeps its map.

live_follow.py URL TOKEN SECONDS [--until-file PATH]

Connects to the WebSocket URL (ws://HOST:PORT/api/v1/concerts/C/live) with
"Authorization: Bearer TOKEN" (none when TOKEN is "-"), applies the snapshot
and every change in order, and stops after SECONDS, or once the file PATH
holds a generation N and it has applied N. It writes "ready" on stderr once
it has its first snapshot. Prints one JSON object: the map it holds ("buy",
"free": one character per seat as /seats gives them), its generation, how
many snapshots and changes it received, and any generation it saw out of
order.
"""
import asyncio
import json
import sys

import websockets

MARK = {"held": "o", "sold": "X", "granted": "X",
        "released": ".", "expired": ".", "cancelled": "."}


def index_of(label, concert):
    if label.startswith("FREE-"):
        return "free", int(label[5:]) - 1
    letters = label.rstrip("0123456789")
    row = 0
    for ch in letters:
        row = row * 26 + (ord(ch) - ord("A") + 1)
    row -= 1
    return "buy", row * concert["seats_per_row"] + int(label[len(letters):]) - 1


def wanted_gen(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


async def follow(url, token, seconds, until_file):
    headers = {} if token == "-" else {"Authorization": "Bearer " + token}
    state = {"buy": [], "free": [], "gen": None, "snapshots": 0, "changes": 0,
             "out_of_order": []}
    concert = None
    async with websockets.connect(url, extra_headers=headers, max_size=None) as ws:
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while loop.time() < end:
            if until_file is not None:
                want = wanted_gen(until_file)
                if want is not None and state["gen"] is not None and state["gen"] >= want:
                    break
            try:
                text = await asyncio.wait_for(ws.recv(), timeout=0.1)
            except asyncio.TimeoutError:
                continue
            m = json.loads(text)
            if m["type"] == "snapshot":
                concert = m["concert"]
                state["buy"], state["free"] = list(m["buy"]), list(m["free"])
                state["gen"] = m["gen"]
                state["snapshots"] += 1
                if state["snapshots"] == 1:
                    print("ready", file=sys.stderr, flush=True)
            elif m["type"] == "change":
                if state["gen"] is not None and m["gen"] != state["gen"] + 1:
                    state["out_of_order"].append([state["gen"], m["gen"]])
                state["gen"] = m["gen"]
                state["changes"] += 1
                for label in m["seats"]:
                    zone, i = index_of(label, concert)
                    state[zone][i] = MARK[m["event"]]
    state["buy"] = "".join(state["buy"])
    state["free"] = "".join(state["free"])
    return state


def main():
    url, token, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    until_file = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "--until-file" else None
    print(json.dumps(asyncio.run(follow(url, token, seconds, until_file))), flush=True)


if __name__ == "__main__":
    main()
