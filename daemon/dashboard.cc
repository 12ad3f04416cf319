#include "dashboard.h"

namespace ticketlemond {

// One page, no external asset. It asks for the API token once (or takes it
// from #token=... in its address) and keeps it in the tab's sessionStorage;
// every request it makes carries it. The concert's seat map follows the
// live feed; the report is the page `tl-admin report --format html` writes,
// fetched again every 30 s. The map element carries what the page shows as
// data-map (one character per paid seat), data-gen and data-changes, so
// that a program can read the page too.
const char* dashboard_page() {
  return R"HTML(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TicketLemon</title>
<style>
body{font-family:sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .5em}
nav button{margin:0 .4em .4em 0}
nav button.on{font-weight:bold}
#counts span{margin-right:1.2em}
#live{color:#777;font-size:.9em}
canvas{border:1px solid #ccc;image-rendering:pixelated;max-width:100%}
.legend i{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 .8em;vertical-align:middle}
iframe{width:100%;height:1400px;border:0;margin-top:1em}
#error{color:#b00}
</style></head><body>
<h1>TicketLemon</h1>
<form id="login" hidden>
<label>API token <input id="token" type="password" autocomplete="off" size="40"></label>
<button>Open</button></form>
<p id="error"></p>
<nav id="concerts"></nav>
<section id="concert" hidden>
<h2 id="title"></h2>
<p id="counts"></p>
<p class="legend"><i style="background:#e8e8f0"></i>free<i style="background:#ff7f0e"></i>held<i
 style="background:#1f3fb4"></i>sold <span id="live"></span></p>
<canvas id="map" data-map="" data-gen="" data-changes="0"></canvas>
<iframe id="report" title="Sales report"></iframe>
</section>
<script>
"use strict";
const COLOUR = {".": "#e8e8f0", "o": "#ff7f0e", "X": "#1f3fb4"};
const MARK = {held: "o", sold: "X", granted: "X", released: ".", expired: ".", cancelled: "."};
let token = sessionStorage.getItem("tl-token") || "";
let ws = null, concert = null, seats = [], free = [], reportTimer = null;

function params() {
  const p = new URLSearchParams(location.hash.slice(1));
  if (p.get("token")) {
    token = p.get("token");
    sessionStorage.setItem("tl-token", token);
    p.delete("token");
    history.replaceState(null, "", "#" + p.toString());
  }
  return p;
}

function showError(text) { document.getElementById("error").textContent = text; }

async function api(path) {
  const r = await fetch(path, {headers: {"Authorization": "Bearer " + token}});
  if (r.status === 401) { askToken("That token is not the API's."); throw new Error("401"); }
  if (!r.ok) {
    let message = r.status + "";
    try { message = (await r.json()).error.message; } catch (e) {}
    throw new Error(message);
  }
  return r;
}

function askToken(why) {
  sessionStorage.removeItem("tl-token");
  token = "";
  showError(why || "");
  document.getElementById("login").hidden = false;
}

document.getElementById("login").addEventListener("submit", (e) => {
  e.preventDefault();
  token = document.getElementById("token").value.trim();
  sessionStorage.setItem("tl-token", token);
  document.getElementById("login").hidden = true;
  start();
});

function labelIndex(label) {
  if (label.startsWith("FREE-")) return ["free", parseInt(label.slice(5), 10) - 1];
  const letters = label.match(/^[A-Z]+/)[0];
  let row = 0;
  for (const ch of letters) row = row * 26 + (ch.charCodeAt(0) - 64);
  return ["buy", (row - 1) * concert.seats_per_row + parseInt(label.slice(letters.length), 10) - 1];
}

function cellSize() {
  return Math.max(2, Math.min(18, Math.floor(900 / Math.max(1, concert.seats_per_row))));
}

function draw(i) {
  const c = document.getElementById("map"), g = c.getContext("2d"), s = cellSize();
  const paint = (k) => {
    g.fillStyle = COLOUR[seats[k]] || "#000";
    const x = (k % concert.seats_per_row) * s, y = Math.floor(k / concert.seats_per_row) * s;
    g.fillRect(x, y, s > 4 ? s - 1 : s, s > 4 ? s - 1 : s);
  };
  if (i === undefined) {
    g.clearRect(0, 0, c.width, c.height);
    for (let k = 0; k < seats.length; ++k) paint(k);
  } else {
    paint(i);
  }
}

function counts(gen) {
  let n = {".": 0, "o": 0, "X": 0};
  for (const ch of seats) n[ch]++;
  const granted = free.filter((ch) => ch === "X").length;
  document.getElementById("counts").innerHTML =
    "<span>paid seats: " + seats.length + "</span><span>free " + n["."] + "</span><span>held " +
    n["o"] + "</span><span>sold " + n["X"] + "</span><span>free zone: " + granted + " of " +
    free.length + " granted</span>";
  const map = document.getElementById("map");
  map.dataset.map = seats.join("");
  map.dataset.gen = gen;
}

function follow(c) {
  if (ws) ws.close();
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  ws = new WebSocket(scheme + "//" + location.host + "/api/v1/concerts/" +
                     encodeURIComponent(c.slug) + "/live?access_token=" + encodeURIComponent(token));
  const live = document.getElementById("live");
  ws.onopen = () => { live.textContent = "live"; };
  ws.onclose = () => {
    live.textContent = "not live: connecting again";
    setTimeout(() => { if (concert && concert.slug === c.slug) follow(c); }, 2000);
  };
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    const map = document.getElementById("map");
    if (m.type === "snapshot") {
      concert = Object.assign(concert, m.concert);
      seats = Array.from(m.buy);
      free = Array.from(m.free);
      const s = cellSize();
      map.width = concert.seats_per_row * s;
      map.height = concert.rows * s;
      draw();
    } else if (m.type === "change") {
      for (const label of m.seats) {
        const [zone, i] = labelIndex(label);
        (zone === "buy" ? seats : free)[i] = MARK[m.event];
        if (zone === "buy") draw(i);
      }
      map.dataset.changes = parseInt(map.dataset.changes, 10) + 1;
    }
    counts(m.gen);
  };
}

async function report(c) {
  try {
    const r = await api("/api/v1/concerts/" + encodeURIComponent(c.slug) + "/report?format=html");
    document.getElementById("report").srcdoc = await r.text();
  } catch (e) { showError("report: " + e.message); }
}

function open(c, button) {
  concert = Object.assign({}, c);
  for (const b of document.querySelectorAll("nav button")) b.classList.remove("on");
  button.classList.add("on");
  document.getElementById("concert").hidden = false;
  document.getElementById("title").textContent = c.name + " (" + c.slug + ")";
  document.getElementById("map").dataset.changes = "0";
  const p = new URLSearchParams(location.hash.slice(1));
  p.set("concert", c.slug);
  history.replaceState(null, "", "#" + p.toString());
  follow(c);
  report(c);
  clearInterval(reportTimer);
  reportTimer = setInterval(() => report(c), 30000);
}

async function start() {
  const p = params();
  if (!token) {
    try { await fetch("/api/v1/concerts").then((r) => { if (r.status === 401) throw 0; }); }
    catch (e) { return askToken(); }
  }
  try {
    const list = (await (await api("/api/v1/concerts")).json()).concerts;
    const nav = document.getElementById("concerts");
    nav.textContent = "";
    for (const c of list) {
      const b = document.createElement("button");
      b.textContent = c.name + " (" + c.slug + ")";
      b.onclick = () => open(c, b);
      nav.appendChild(b);
      if (c.slug === p.get("concert")) open(c, b);
    }
    if (!list.length) showError("No concerts yet: tl-admin concert create.");
  } catch (e) { if (e.message !== "401") showError(e.message); }
}

start();
</script>
</body></html>
)HTML";
}

}  // namespace ticketlemond
