#include "ticket/config.h"

#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

#include "ticket/text.h"

extern char** environ;

namespace ticket {
namespace {

constexpr size_t kMaxConfigBytes = 1 << 20;

// One configuration key: how to set it from text or TOML, how to show it.
struct KeyDef {
  const char* section;
  const char* name;
  enum Type { kString, kInt } type;
  int64_t min = 0;
  int64_t max = 0;
  std::function<std::string*(Config&)> str;
  std::function<int*(Config&)> num;
  // Extra check of a string value; returns an explanation when it is bad.
  std::function<std::optional<std::string>(const std::string&)> check;
  // A comma-separated list, which a file may also give as an array.
  bool list = false;
};

std::optional<std::string> check_host(const std::string& v) {
  if (v.empty() || v.size() > 255 || !is_printable_utf8(v) || v.find(' ') != std::string::npos)
    return "expected a host name or address";
  return std::nullopt;
}

std::optional<std::string> check_identifier(const std::string& v) {
  if (v.empty() || v.size() > 64) return "expected 1 to 64 letters, digits or underscores";
  for (char c : v) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      return "expected 1 to 64 letters, digits or underscores";
  }
  return std::nullopt;
}

std::optional<std::string> check_prefix(const std::string& v) {
  if (v.empty() || v.size() > 32) return "expected 1 to 32 letters, digits, '_', '-' or '.'";
  for (char c : v) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
      return "expected 1 to 32 letters, digits, '_', '-' or '.'";
  }
  return std::nullopt;
}

std::optional<std::string> check_path(const std::string& v) {
  if (v.size() > 4096 || !is_printable_utf8(v)) return "expected a file path";
  return std::nullopt;
}

std::optional<std::string> check_listen(const std::string& v) {
  if (!parse_listen_address(v))
    return "expected HOST:PORT (an IPv4 address, an IPv6 address in brackets or a host name, and a "
           "port from 1 "
           "to 65535), such as 127.0.0.1:9464";
  return std::nullopt;
}

// Comma-separated origins, each scheme://host[:port] as a browser sends it.
std::optional<std::string> check_origins(const std::string& v) {
  for (const std::string& origin : split_list(v)) {
    const bool scheme = origin.rfind("http://", 0) == 0 || origin.rfind("https://", 0) == 0;
    const size_t host = origin.find("://") + 3;
    if (!scheme || origin.size() <= host || origin.size() > 255 ||
        origin.find_first_of("/?# \t", host) != std::string::npos || !is_printable_utf8(origin))
      return "expected origins such as https://box.example.com, comma-separated";
  }
  return std::nullopt;
}

// Comma-separated HOST:PORT seed nodes of a Redis Cluster.
std::optional<std::string> check_nodes(const std::string& v) {
  for (const std::string& node : split_list(v)) {
    const auto address = parse_listen_address(node);
    if (!address) return "expected HOST:PORT items such as 10.0.0.5:7000, comma-separated";
  }
  return std::nullopt;
}

std::optional<std::string> check_level(const std::string& v) {
  static const char* levels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  for (const char* l : levels) {
    if (v == l) return std::nullopt;
  }
  return "expected one of trace, debug, info, warn, error, critical, off";
}

#define TL_STR(sec, key, field, chk)                                                   \
  KeyDef {                                                                             \
    sec, #key, KeyDef::kString, 0, 0, [](Config& c) { return &c.field; }, nullptr, chk \
  }
#define TL_LIST(sec, key, field, chk)                                                        \
  KeyDef {                                                                                   \
    sec, #key, KeyDef::kString, 0, 0, [](Config& c) { return &c.field; }, nullptr, chk, true \
  }
#define TL_INT(sec, key, field, lo, hi)                                                   \
  KeyDef {                                                                                \
    sec, #key, KeyDef::kInt, lo, hi, nullptr, [](Config& c) { return &c.field; }, nullptr \
  }

const std::vector<KeyDef>& key_table() {
  static const std::vector<KeyDef> keys = {
      TL_STR("mysql", host, mysql.host, check_host),
      TL_INT("mysql", port, mysql.port, 1, 65535),
      TL_STR("mysql", user, mysql.user, check_identifier),
      TL_STR("mysql", password_file, mysql.password_file, check_path),
      TL_STR("mysql", database, mysql.database, check_identifier),
      TL_INT("mysql", connect_timeout_ms, mysql.connect_timeout_ms, 100, 600000),
      TL_STR("redis", host, redis.host, check_host),
      TL_INT("redis", port, redis.port, 1, 65535),
      TL_STR("redis", password_file, redis.password_file, check_path),
      TL_INT("redis", db, redis.db, 0, 1023),
      TL_STR("redis", key_prefix, redis.key_prefix, check_prefix),
      TL_INT("redis", connect_timeout_ms, redis.connect_timeout_ms, 100, 600000),
      TL_INT("redis", command_timeout_ms, redis.command_timeout_ms, 100, 600000),
      TL_LIST("redis", cluster_nodes, redis.cluster_nodes, check_nodes),
      TL_STR("security", secret_file, security.secret_file, check_path),
      TL_STR("daemon", listen, daemon.listen, check_listen),
      TL_STR("daemon", api_token_file, daemon.api_token_file, check_path),
      TL_INT("daemon", max_connections, daemon.max_connections, 1, 100000),
      TL_LIST("daemon", allowed_origins, daemon.allowed_origins, check_origins),
      TL_INT("daemon", reconcile_interval_s, daemon.reconcile_interval_s, 0, 86400),
      TL_INT("daemon", sweep_interval_s, daemon.sweep_interval_s, 1, 3600),
      TL_INT("daemon", max_nap_ms, daemon.max_nap_ms, 10, 60000),
      TL_INT("daemon", expire_batch, daemon.expire_batch, 1, 10000),
      TL_STR("log", level, log.level, check_level),
      TL_STR("passes", signing_key_file, passes.signing_key_file, check_path),
      TL_STR("passes", verify_keys_file, passes.verify_keys_file, check_path),
  };
  return keys;
}

#undef TL_STR
#undef TL_INT
#undef TL_LIST

const KeyDef* find_key(std::string_view section, std::string_view name) {
  for (const auto& k : key_table()) {
    if (section == k.section && name == k.name) return &k;
  }
  return nullptr;
}

bool is_section(std::string_view section) {
  for (const auto& k : key_table()) {
    if (section == k.section) return true;
  }
  return false;
}

std::string int_range(const KeyDef& k) {
  return "expected a whole number from " + std::to_string(k.min) + " to " + std::to_string(k.max);
}

// Sets `k` from text (environment or flag). `where` prefixes errors.
Status set_from_text(Config& c, const KeyDef& k, const std::string& value,
                     const std::string& where) {
  const std::string key = std::string("[") + k.section + "] " + k.name;
  if (k.type == KeyDef::kInt) {
    const auto v = parse_int(value, k.min, k.max);
    if (!v) return config_error(where + ": " + key + ": " + int_range(k) + ", got " + quote(value));
    *k.num(c) = static_cast<int>(*v);
    return {};
  }
  if (k.check) {
    if (auto why = k.check(value))
      return config_error(where + ": " + key + ": " + *why + ", got " + quote(value));
  }
  *k.str(c) = value;
  return {};
}

std::string line_of(const toml::source_region& r) { return std::to_string(r.begin.line); }

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "a value";
  }
}

Status set_from_toml(Config& c, const KeyDef& k, const toml::node& node, const std::string& file) {
  const std::string where = file + ":" + line_of(node.source());
  const std::string key = std::string("[") + k.section + "] " + k.name;
  if (k.type == KeyDef::kInt) {
    const auto* v = node.as_integer();
    if (!v)
      return config_error(where + ": " + key + ": " + int_range(k) + ", got " + type_name(node));
    if (v->get() < k.min || v->get() > k.max)
      return config_error(where + ": " + key + ": " + int_range(k) + ", got " +
                          std::to_string(v->get()));
    *k.num(c) = static_cast<int>(v->get());
    return {};
  }
  std::string text;
  if (const auto* list = node.as_array(); list && k.list) {
    // A list key may be a TOML array of strings, kept joined by commas.
    for (const toml::node& item : *list) {
      const auto* s = item.as_string();
      if (!s)
        return config_error(where + ": " + key + ": expected strings in the list, got " +
                            type_name(item));
      // Each item checked alone, so that an error names it, and one holding
      // a comma is not taken for two.
      if (k.check) {
        if (auto why = k.check(s->get()); why || s->get().find(',') != std::string::npos)
          return config_error(where + ": " + key + ": " +
                              why.value_or("expected items without commas") + ", got " +
                              quote(s->get()));
      }
      text += (text.empty() ? "" : ", ") + s->get();
    }
  } else if (const auto* v = node.as_string()) {
    text = v->get();
  } else {
    return config_error(where + ": " + key + ": expected " +
                        (k.list ? "a list of strings" : "a string") + ", got " + type_name(node));
  }
  if (k.check) {
    if (auto why = k.check(text))
      return config_error(where + ": " + key + ": " + *why + ", got " + quote(text));
  }
  *k.str(c) = std::move(text);
  return {};
}

// Refuses a file that group or others may read or write.
Status check_private(const std::string& path, const struct stat& st, const std::string& what) {
  if ((st.st_mode & 0066) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return config_error(what + " " + path + " is accessible by group or others (mode " + mode +
                        "); run: chmod 600 " + path);
  }
  return {};
}

Result<std::string> read_private_file(const std::string& path, const std::string& what,
                                      size_t limit) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return config_error("cannot read " + what + " " + path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return config_error("cannot read " + what + " " + path + ": not a regular file");
  TL_TRY(check_private(path, st, what));
  if (static_cast<size_t>(st.st_size) > limit)
    return config_error(what + " " + path + " is larger than " + std::to_string(limit) + " bytes");
  std::ifstream in(path, std::ios::binary);
  if (!in) return config_error("cannot read " + what + " " + path + ": " + std::strerror(errno));
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return config_error("cannot read " + what + " " + path + ": read failed");
  return out.str();
}

// Why `secret` is too weak to key an HMAC (the rule is read_secret's, in
// config.h), or nullopt when it is strong enough.
std::optional<std::string> secret_weakness(std::string_view secret) {
  bool seen[256] = {};
  int distinct = 0;
  bool hex = true, base64 = true, printable = true;
  for (char ch : secret) {
    const auto c = static_cast<unsigned char>(ch);
    if (!seen[c]) ++distinct;
    seen[c] = true;
    hex = hex && std::isxdigit(c);
    base64 =
        base64 && (std::isalnum(c) || c == '+' || c == '/' || c == '=' || c == '-' || c == '_');
    printable = printable && c >= 0x20 && c < 0x7f;
  }
  if (distinct < 10)
    return "only " + std::to_string(distinct) +
           (distinct == 1 ? " distinct byte" : " distinct bytes") + ", at least 10 needed";
  // The shortest pattern that, repeated at least twice, makes the secret.
  size_t period = secret.size();
  for (size_t p = 1; p <= secret.size() / 2; ++p) {
    if (secret.substr(p) == secret.substr(0, secret.size() - p)) {
      period = p;
      break;
    }
  }
  const double bits_per_char = hex ? 4.0 : base64 ? 6.0 : printable ? 6.5 : 8.0;
  const double bits = static_cast<double>(period) * bits_per_char;
  if (bits < 128.0)
    return "about " + std::to_string(static_cast<int>(std::floor(bits))) +
           " bits, at least 128 needed";
  return std::nullopt;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// The file to read, or empty for built-in defaults.
Result<std::string> find_config_file(const ConfigRequest& req) {
  if (req.path) {
    if (req.path->empty()) return config_error("--config needs a file path");
    return *req.path;
  }
  const auto env = [&](const char* name) -> std::string {
    auto it = req.env.find(name);
    return it == req.env.end() ? std::string() : it->second;
  };
  if (auto p = env("TL_CONFIG"); !p.empty()) return p;
  if (exists("ticketlemon.toml")) return std::string("ticketlemon.toml");
  std::string xdg = env("XDG_CONFIG_HOME");
  if (xdg.empty() && !env("HOME").empty()) xdg = env("HOME") + "/.config";
  if (!xdg.empty() && exists(xdg + "/ticketlemon/ticketlemon.toml"))
    return xdg + "/ticketlemon/ticketlemon.toml";
  if (exists("/etc/ticketlemon/ticketlemon.toml"))
    return std::string("/etc/ticketlemon/ticketlemon.toml");
  return std::string();
}

// `[[payments.provider]]` tables: name, platform and secret_file each, the
// names distinct. Nothing else is allowed under [payments].
Status apply_payments(Config& c, const toml::table& payments, const std::string& path) {
  c.payments.providers.clear();
  for (const auto& [key, node] : payments) {
    const std::string where = path + ":" + line_of(key.source());
    if (key.str() != "provider" || !node.is_array_of_tables())
      return config_error(where + ": [payments] holds only [[payments.provider]] tables");
    for (const auto& item : *node.as_array()) {
      const toml::table& t = *item.as_table();
      const std::string at = path + ":" + line_of(t.source());
      PaymentProvider p;
      for (const auto& [field, value] : t) {
        const std::string f(field.str());
        const std::string fat = path + ":" + line_of(field.source());
        if (f != "name" && f != "platform" && f != "secret_file")
          return config_error(fat + ": unknown key " + quote(f) +
                              " in [[payments.provider]] (name, platform, secret_file)");
        if (!value.is_string())
          return config_error(fat + ": " + f + " must be a string, not " + type_name(value));
        const std::string v = value.as_string()->get();
        if (f == "name") p.name = v;
        if (f == "platform") p.platform = to_upper(v);
        if (f == "secret_file") p.secret_file = v;
      }
      const bool name_ok =
          !p.name.empty() && p.name.size() <= 64 &&
          std::all_of(p.name.begin(), p.name.end(), [](char ch) {
            return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
          });
      if (!name_ok)
        return config_error(at +
                            ": [[payments.provider]] name must be 1 to 64 of a-z, 0-9, "
                            "'-' and '_', got " +
                            quote(p.name));
      if (p.platform != "QRCODE" && p.platform != "DIRECT" && p.platform != "PAYPLAT")
        return config_error(at + ": provider " + p.name +
                            ": platform must be QRCODE, DIRECT or PAYPLAT, got " +
                            quote(p.platform));
      if (p.secret_file.empty() || check_path(p.secret_file))
        return config_error(at + ": provider " + p.name + " needs secret_file, a file path");
      for (const PaymentProvider& other : c.payments.providers) {
        if (other.name == p.name)
          return config_error(at + ": provider " + p.name + " is configured twice");
        // A payment is known by its platform and the provider's reference.
        if (other.platform == p.platform)
          return config_error(at + ": providers " + other.name + " and " + p.name +
                              " both record their payments as " + p.platform +
                              "; each platform takes one provider");
      }
      c.payments.providers.push_back(std::move(p));
    }
  }
  return {};
}

Status apply_file(Config& c, const std::string& path) {
  TL_ASSIGN_OR_RETURN(std::string text, read_private_file(path, "config file", kMaxConfigBytes));
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return config_error(path + ":" + line_of(e.source()) + ": " + std::string(e.description()));
  }
  for (const auto& [section_key, section_node] : root) {
    const std::string section(section_key.str());
    const std::string where = path + ":" + line_of(section_key.source());
    if (!section_node.is_table()) {
      return config_error(
          where + ": unknown key " + quote(section) +
          " outside a section (sections are [mysql], [redis], [security], [daemon], [log], "
          "[passes], [[payments.provider]])");
    }
    if (section == "payments") {
      TL_TRY(apply_payments(c, *section_node.as_table(), path));
      continue;
    }
    if (!is_section(section)) {
      return config_error(where + ": unknown section [" + section +
                          "] (sections are [mysql], [redis], [security], [daemon], [log], "
                          "[passes], [[payments.provider]])");
    }
    for (const auto& [key, node] : *section_node.as_table()) {
      const KeyDef* k = find_key(section, key.str());
      if (!k) {
        return config_error(path + ":" + line_of(key.source()) + ": unknown key " +
                            quote(key.str()) + " in [" + section + "]");
      }
      TL_TRY(set_from_toml(c, *k, node, path));
    }
  }
  return {};
}

Status apply_environment(Config& c, const std::map<std::string, std::string>& env) {
  for (const auto& [name, value] : env) {
    if (name.rfind("TL_", 0) != 0 || name == "TL_CONFIG") continue;
    const std::string rest = to_lower(name.substr(3));
    const auto underscore = rest.find('_');
    if (underscore == std::string::npos) continue;
    const std::string section = rest.substr(0, underscore);
    const std::string key = rest.substr(underscore + 1);
    if (!is_section(section)) continue;
    const std::string where = "environment variable " + name;
    if (section == "mysql" && key == "password") {
      c.mysql.password = value;
      continue;
    }
    if (section == "redis" && key == "password") {
      c.redis.password = value;
      continue;
    }
    const KeyDef* k = find_key(section, key);
    if (!k) return config_error(where + ": unknown key " + quote(key) + " in [" + section + "]");
    TL_TRY(set_from_text(c, *k, value, where));
  }
  return {};
}

Status apply_overrides(Config& c, const std::vector<ConfigOverride>& overrides) {
  for (const auto& o : overrides) {
    const auto dot = o.key.find('.');
    const KeyDef* k =
        dot == std::string::npos ? nullptr : find_key(o.key.substr(0, dot), o.key.substr(dot + 1));
    if (!k) return internal("no configuration key " + o.key);
    TL_TRY(set_from_text(c, *k, o.value, o.origin));
  }
  return {};
}

std::string show(const KeyDef& k, const Config& c) {
  auto& mc = const_cast<Config&>(c);
  return k.type == KeyDef::kInt ? std::to_string(*k.num(mc)) : quote(*k.str(mc));
}

}  // namespace

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at <= text.size()) {
    size_t comma = text.find(',', at);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(at, comma - at);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    at = comma + 1;
  }
  return out;
}

bool is_loopback_listen(std::string_view listen) {
  const auto address = parse_listen_address(listen);
  if (!address) return false;
  if (!address->literal) return address->host == "localhost";
  return address->host.rfind("127.", 0) == 0 || address->host == "::1";
}

Result<std::string> read_owner_only_file(const std::string& path, const std::string& what,
                                         size_t limit) {
  return read_private_file(path, what, limit);
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

Result<Config> load_config(const ConfigRequest& request) {
  Config c;
  TL_ASSIGN_OR_RETURN(c.source, find_config_file(request));
  if (!c.source.empty()) TL_TRY(apply_file(c, c.source));
  TL_TRY(apply_environment(c, request.env));
  TL_TRY(apply_overrides(c, request.overrides));
  return c;
}

std::vector<std::string> config_changes(const Config& before, const Config& after) {
  std::vector<std::string> out;
  for (const auto& k : key_table()) {
    const std::string a = show(k, before);
    const std::string b = show(k, after);
    if (a != b) out.push_back(std::string("[") + k.section + "] " + k.name + ": " + a + " -> " + b);
  }
  if (before.mysql.password != after.mysql.password) out.push_back("[mysql] password: changed");
  if (before.redis.password != after.redis.password) out.push_back("[redis] password: changed");
  auto providers = [](const Config& c) {
    std::string text;
    for (const auto& p : c.payments.providers)
      text += (text.empty() ? "" : ", ") + p.name + " (" + p.platform + ", " + p.secret_file + ")";
    return text.empty() ? std::string("none") : text;
  };
  if (providers(before) != providers(after))
    out.push_back("[[payments.provider]]: " + providers(before) + " -> " + providers(after));
  return out;
}

Result<std::string> read_secret_file(const std::string& path, const std::string& what) {
  if (path.empty()) return config_error("no file is configured for the " + what);
  TL_ASSIGN_OR_RETURN(std::string text, read_private_file(path, what + " file", 64 * 1024));
  const auto eol = text.find('\n');
  if (eol != std::string::npos) text.resize(eol);
  if (!text.empty() && text.back() == '\r') text.pop_back();
  if (text.find_first_not_of(" \t\v\f\r") == std::string::npos)
    return config_error(what + " file " + path + " holds no password on its first line");
  return text;
}

Result<std::string> read_secret(const std::string& path) {
  if (path.empty())
    return config_error("no file is configured for the secret ([security] secret_file)");
  TL_ASSIGN_OR_RETURN(std::string text, read_private_file(path, "secret file", 64 * 1024));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (auto why = secret_weakness(text))
    return config_error("the secret in " + path + " is too weak (" + *why +
                        "); make one with: openssl rand -hex 32");
  return text;
}

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
  ListenAddress out;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return std::nullopt;
    out.host = std::string(text.substr(1, close - 1));
    in6_addr a6{};
    if (inet_pton(AF_INET6, out.host.c_str(), &a6) != 1) return std::nullopt;
    out.literal = true;
    port = text.substr(close + 2);
  } else {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || text.find(':', colon + 1) != std::string_view::npos)
      return std::nullopt;
    out.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
    if (out.host.empty() || out.host.size() > 253) return std::nullopt;
    if (out.host.find_first_not_of("0123456789.") == std::string::npos) {
      in_addr a4{};
      if (inet_pton(AF_INET, out.host.c_str(), &a4) != 1) return std::nullopt;
      out.literal = true;
    } else {
      // Host name labels: 1 to 63 letters, digits or '-', not at either end.
      size_t start = 0;
      while (start <= out.host.size()) {
        auto end = out.host.find('.', start);
        if (end == std::string::npos) end = out.host.size();
        const std::string_view label = std::string_view(out.host).substr(start, end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
          return std::nullopt;
        for (char c : label) {
          if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return std::nullopt;
        }
        start = end + 1;
      }
    }
  }
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  out.port = std::stoi(std::string(port));
  if (out.port < 1 || out.port > 65535) return std::nullopt;
  return out;
}

}  // namespace ticket
