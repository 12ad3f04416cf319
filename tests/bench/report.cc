// The table tl-bench prints: each figure, its limit, the ratio and the
// target with whether this run met it.
#include <algorithm>
#include <cstdio>

#include "bench.h"

namespace tlbench {
namespace {

std::string number(const Figures& f, const char* key, int decimals) {
  if (!f.contains(key) || !f[key].is_number()) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, f[key].get<double>());
  return buf;
}

struct Row {
  std::string figure, value, limit, ratio, target, met;
};

std::string met(const Figures& f, const char* target) {
  const auto& t = f["targets"];
  if (!t.contains(target)) return "";
  return t[target]["met"].get<bool>() ? "met" : "MISSED";
}

// The release lag p99 for each number of holds expiring together, and its
// growth from --expire-holds to the largest.
std::vector<Row> lag_rows(const Figures& f) {
  std::vector<Row> rows;
  if (!f.contains("release_lag_p99_ms_by_holds")) return rows;
  for (const auto& [n, lag] : f["release_lag_p99_ms_by_holds"].items()) {
    char value[64];
    std::snprintf(value, sizeof value, "%.1f", lag.get<double>());
    rows.push_back({"release lag p99, " + n + " holds (ms)", value, "", "", "", ""});
  }
  if (f.contains("release_lag_p99_ms_with_a_stalled_live_client")) {
    char value[64];
    std::snprintf(value, sizeof value, "%.1f",
                  f["release_lag_p99_ms_with_a_stalled_live_client"].get<double>());
    rows.push_back({"release lag p99 with a stalled live client (ms)", value, "", "", "", ""});
  }
  rows.push_back({"release lag growth (x)", number(f, "release_lag_growth", 2), "", "",
                  "<= linear in the holds", met(f, "release_lag_growth")});
  return rows;
}

// Each figure of a run as a row, with its limit, ratio and target.
std::vector<Row> table_rows(const Figures& f) {
  std::vector<Row> rows = {
      {"figure", "value", "limit", "ratio", "target", ""},
      {"buys/s", number(f, "buys_per_s", 1), number(f, "limit_insert_commit_per_s", 1),
       number(f, "ratio_buys_to_insert_limit", 2), ">= 0.30 x insert+commit", met(f, "buys")},
      {"MySQL round trips per buy", number(f, "mysql_round_trips_per_buy", 2), "", "", "<= 2",
       met(f, "round_trips")},
      {"MySQL round trips per pay", number(f, "mysql_round_trips_per_pay", 2), "", "", "<= 2",
       met(f, "round_trips")},
      {"buy latency p50 (ms)", number(f, "buy_p50_ms", 2), "", "", "", ""},
      {"buy latency p99 (ms)", number(f, "buy_p99_ms", 2), "", "", "", ""},
      {"holds/s (Redis step)", number(f, "holds_per_s", 1), number(f, "limit_hold_per_s", 1),
       number(f, "ratio_holds_to_hold_limit", 2), ">= 0.90 x raw hold.lua", met(f, "holds")},
      {"seat-availability reads/s", number(f, "reads_per_s", 1), "", "", "", ""},
      {"release lag p50 (ms)", number(f, "release_lag_p50_ms", 1), "", "", "", ""},
      {"release lag p99 (ms)", number(f, "release_lag_p99_ms", 1), "", "",
       "<= 250, all released once", met(f, "release_lag")},
      {"reconcile " + number(f, "reconcile_seats", 0) + " seats (ms)",
       number(f, "reconcile_100k_ms", 1), "", "", "<= 100", met(f, "reconcile")},
      {"check-ins/s (verify and admit)", number(f, "checkins_per_s", 1),
       number(f, "limit_insert_commit_per_s", 1), number(f, "ratio_checkins_to_insert_limit", 2),
       ">= 0.50 x insert+commit", met(f, "checkins")},
      {"check-ins/s, MySQL step alone", number(f, "checkins_mysql_step_per_s", 1), "", "", "", ""},
      {"live fan-out p99, " + number(f, "live_clients", 0) + " clients (ms)",
       number(f, "live_fanout_p99_ms", 1), "", "", "< 50", met(f, "live_fanout")},
      {"  the same with a stalled client (ms)",
       number(f, "live_fanout_p99_ms_with_a_stalled_client", 1), "", "", "", ""},
      {"report of " + number(f, "report_tickets", 0) + " tickets (ms)",
       number(f, "report_1m_ms", 1), "", "", "< 2000", met(f, "report")},
      {"double bookings", number(f, "double_bookings", 0), "", "", "0", met(f, "double_bookings")},
  };
  const std::vector<Row> lags = lag_rows(f);
  auto after = std::find_if(rows.begin(), rows.end(),
                            [](const Row& r) { return r.figure == "release lag p99 (ms)"; });
  rows.insert(after + 1, lags.begin(), lags.end());
  return rows;
}

std::string render(const std::vector<Row>& rows) {
  size_t w[5] = {0, 0, 0, 0, 0};
  for (const Row& r : rows) {
    w[0] = std::max(w[0], r.figure.size());
    w[1] = std::max(w[1], r.value.size());
    w[2] = std::max(w[2], r.limit.size());
    w[3] = std::max(w[3], r.ratio.size());
    w[4] = std::max(w[4], r.target.size());
  }
  std::string out;
  for (const Row& r : rows) {
    char line[512];
    std::snprintf(line, sizeof line, "%-*s  %*s  %*s  %*s  %-*s  %s", static_cast<int>(w[0]),
                  r.figure.c_str(), static_cast<int>(w[1]), r.value.c_str(), static_cast<int>(w[2]),
                  r.limit.c_str(), static_cast<int>(w[3]), r.ratio.c_str(), static_cast<int>(w[4]),
                  r.target.c_str(), r.met.c_str());
    std::string s = line;
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out += s + "\n";
  }
  return out;
}

}  // namespace

std::string report_table(const Bench& b) { return render(table_rows(b.figures)); }

std::string beside_table(const Bench& first, const Bench& second) {
  std::vector<Row> rows = {{"figure", "first", "second", "second / first", "", ""}};
  const std::vector<Row> a = table_rows(first.figures), b = table_rows(second.figures);
  for (size_t i = 1; i < a.size(); ++i) {
    auto other =
        std::find_if(b.begin(), b.end(), [&](const Row& r) { return r.figure == a[i].figure; });
    if (other == b.end() || (a[i].value == "-" && other->value == "-")) continue;
    std::string ratio;
    const double x = std::atof(a[i].value.c_str()), y = std::atof(other->value.c_str());
    if (a[i].value != "-" && other->value != "-" && x != 0) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.2f", y / x);
      ratio = buf;
    }
    rows.push_back({a[i].figure, a[i].value, other->value, ratio, "", ""});
  }
  return render(rows);
}

}  // namespace tlbench
