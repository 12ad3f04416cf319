#include "concert_cache.h"

#include <map>
#include <mutex>
#include <string>

namespace ticket::concert_cache {
namespace {

// More concerts than any process sells at once; past it the cache starts
// over rather than grow.
constexpr size_t kMaxEntries = 1024;

std::mutex mutex;
std::map<std::string, Concert, std::less<>> entries;

// One database, then what the caller named: ids and slugs of different
// servers or databases never meet.
std::string key(const Context& ctx, std::string_view id_or_slug) {
  const MysqlConfig& m = ctx.config().mysql;
  return m.host + ":" + std::to_string(m.port) + "/" + m.database + "/" + std::string(id_or_slug);
}

}  // namespace

std::optional<Concert> get(const Context& ctx, std::string_view id_or_slug) {
  const std::string k = key(ctx, id_or_slug);
  std::lock_guard lock(mutex);
  auto it = entries.find(k);
  if (it == entries.end()) return std::nullopt;
  return it->second;
}

void put(const Context& ctx, std::string_view id_or_slug, const Concert& concert) {
  std::string k = key(ctx, id_or_slug);
  std::lock_guard lock(mutex);
  if (entries.size() >= kMaxEntries) entries.clear();
  entries.insert_or_assign(std::move(k), concert);
}

void drop(const Context& ctx, std::string_view id_or_slug) {
  const std::string k = key(ctx, id_or_slug);
  std::lock_guard lock(mutex);
  entries.erase(k);
}

bool sells_alike(const Concert& a, const Concert& b) {
  return a.id == b.id && a.slug == b.slug && a.layout == b.layout && a.price == b.price &&
         a.currency == b.currency && a.hold_seconds == b.hold_seconds &&
         a.max_seats_per_ticket == b.max_seats_per_ticket && a.open == b.open;
}

}  // namespace ticket::concert_cache
