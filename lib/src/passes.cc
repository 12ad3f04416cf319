#include "ticket/passes.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "ticket/config.h"
#include "ticket/text.h"

namespace ticket {
namespace {

constexpr std::string_view kVersion = "TL1";
constexpr size_t kSeedBytes = 32, kPublicBytes = 32, kSignatureBytes = 64;
constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kQrAlphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Error bad(const std::string& why) { return invalid("not a valid pass: " + why); }

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  for (size_t from = 0;;) {
    const size_t at = text.find(sep, from);
    out.push_back(
        text.substr(from, at == std::string_view::npos ? std::string_view::npos : at - from));
    if (at == std::string_view::npos) return out;
    from = at + 1;
  }
}

std::string base32(std::string_view bytes) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += kBase32[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kBase32[(buffer << (5 - bits)) & 31];
  return out;
}

// nullopt for a character outside the alphabet or bits left over that are
// not zero (one text per byte string).
std::optional<std::string> unbase32(std::string_view text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const size_t v = kBase32.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  if (bits >= 5 || (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// The 32 bytes of a public key written in base64 (44 characters).
std::optional<std::string> unbase64_key(std::string_view text) {
  if (text.size() != 44 || text.back() != '=' || text[42] == '=') return std::nullopt;
  std::string out(33, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), 44);
  if (n != 33) return std::nullopt;
  out.resize(kPublicBytes);
  return out;
}

std::optional<uint64_t> digits(std::string_view text, size_t max_len) {
  if (text.empty() || text.size() > max_len || (text.size() > 1 && text[0] == '0'))
    return std::nullopt;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

// "A" -> 0, "Z" -> 25, "AA" -> 26: the inverse of row_letters.
std::optional<int> row_of(std::string_view letters) {
  if (letters.empty() || letters.size() > 3) return std::nullopt;
  int row = 0;
  for (char c : letters) {
    if (c < 'A' || c > 'Z') return std::nullopt;
    row = row * 26 + (c - 'A' + 1);
  }
  return row - 1;
}

std::string seats_text(Zone zone, const std::vector<Seat>& seats) {
  std::string out;
  size_t i = 0;
  while (i < seats.size()) {
    const int row = seats[i].row;
    if (!out.empty()) out += '+';
    if (zone == Zone::kBuy) out += row_letters(row);
    bool first_run = true;
    while (i < seats.size() && seats[i].row == row) {
      size_t j = i;
      while (j + 1 < seats.size() && seats[j + 1].row == row &&
             seats[j + 1].number == seats[j].number + 1)
        ++j;
      if (!first_run) out += '.';
      first_run = false;
      out += std::to_string(seats[i].number);
      if (j > i) out += "/" + std::to_string(seats[j].number);
      i = j + 1;
    }
  }
  return out;
}

std::optional<std::vector<Seat>> parse_seats(Zone zone, std::string_view text) {
  std::vector<Seat> out;
  if (text.empty()) return std::nullopt;
  for (std::string_view group : split(text, '+')) {
    size_t letters = 0;
    while (letters < group.size() && group[letters] >= 'A' && group[letters] <= 'Z') ++letters;
    int row = 0;
    if (zone == Zone::kBuy) {
      auto r = row_of(group.substr(0, letters));
      if (!r) return std::nullopt;
      row = *r;
    } else if (letters != 0) {
      return std::nullopt;
    }
    const std::string_view runs = group.substr(letters);
    if (runs.empty()) return std::nullopt;
    for (std::string_view run : split(runs, '.')) {
      const size_t slash = run.find('/');
      auto first = digits(run.substr(0, slash), 6);
      auto last = slash == std::string_view::npos ? first : digits(run.substr(slash + 1), 6);
      if (!first || !last || *first < 1) return std::nullopt;
      if (slash != std::string_view::npos && (*last <= *first || *last - *first >= 1000))
        return std::nullopt;
      for (uint64_t n = *first; n <= *last; ++n)
        out.push_back(Seat{zone, row, static_cast<int>(n)});
    }
  }
  return out;
}

Result<Pkey> private_key(const SigningKey& key) {
  Pkey k(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                      reinterpret_cast<const unsigned char*>(key.seed.data()),
                                      key.seed.size()));
  if (!k) return internal("OpenSSL refused the pass signing key " + key.id);
  return k;
}

Result<std::string> sign(const SigningKey& key, std::string_view message) {
  TL_ASSIGN_OR_RETURN(Pkey k, private_key(key));
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  std::string sig(kSignatureBytes, '\0');
  size_t len = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, k.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      len != kSignatureBytes)
    return internal("OpenSSL could not sign a pass");
  return sig;
}

// The public key as OpenSSL's object, made once per thread and key: making
// it decodes the curve point, a good part of a verification's cost.
EVP_PKEY* public_pkey(const std::string& public_key) {
  thread_local std::map<std::string, Pkey> made;
  auto it = made.find(public_key);
  if (it != made.end()) return it->second.get();
  Pkey k(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                     reinterpret_cast<const unsigned char*>(public_key.data()),
                                     public_key.size()));
  if (!k) return nullptr;
  if (made.size() >= 64) made.clear();
  return made.emplace(public_key, std::move(k)).first->second.get();
}

bool signature_holds(const std::string& public_key, std::string_view message,
                     const std::string& sig) {
  EVP_PKEY* k = public_pkey(public_key);
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  return k && ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, k) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

bool is_code(std::string_view code) {
  if (code.size() != 11 || (code.substr(0, 3) != "TB-" && code.substr(0, 3) != "TF-")) return false;
  for (char c : code.substr(3))
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return false;
  return true;
}

// Writes `text` to a new file `path` with `mode`; refuses an existing file.
Status write_new_file(const std::string& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) return invalid(path + " exists; remove it or choose another key id");
    return config_error("cannot write " + path + ": " + std::strerror(errno));
  }
  const bool ok = ::fchmod(fd, mode) == 0 &&
                  ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const int err = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return config_error("cannot write " + path + ": " + std::strerror(err));
  }
  return {};
}

}  // namespace

bool is_key_id(std::string_view id) {
  if (id.empty() || id.size() > 8 || id[0] == '-') return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '-')) return false;
  return true;
}

Result<std::string> make_pass(const SigningKey& key, const PassContent& content) {
  if (content.seats.empty()) return invalid("ticket " + content.code + " has no seat to pass");
  std::string payload =
      std::string(kVersion) + ":" + key.id + ":" + content.code + ":" +
      std::to_string(content.concert_id) + ":" + (content.zone == Zone::kBuy ? "B" : "F") + ":" +
      seats_text(content.zone, content.seats) + ":" + std::to_string(content.issued_s);
  TL_ASSIGN_OR_RETURN(std::string sig, sign(key, payload));
  std::string token = payload + ":" + base32(sig);
  if (token.size() > kMaxPassChars)
    return invalid("the seats of ticket " + content.code + " make a pass of " +
                   std::to_string(token.size()) + " characters, more than " +
                   std::to_string(kMaxPassChars));
  return token;
}

Result<PassContent> verify_pass(const VerifyKeys& keys, std::string_view token) {
  if (token.empty()) return bad("it is empty");
  if (token.size() > kMaxPassChars)
    return bad("it has " + std::to_string(token.size()) + " characters, a pass at most " +
               std::to_string(kMaxPassChars));
  for (char c : token) {
    if (c >= 'a' && c <= 'z') return bad("it has lower-case letters; a pass has none");
    if (kQrAlphanumeric.find(c) == std::string_view::npos)
      return bad("it has a character no pass has");
  }
  const std::vector<std::string_view> f = split(token, ':');
  if (f.size() != 8 || f[0] != kVersion) return bad("it does not have the fields of a pass");
  PassContent p;
  p.key_id = std::string(f[1]);
  if (!is_key_id(p.key_id)) return bad("its key id is not one");
  auto key = keys.find(p.key_id);
  if (key == keys.end()) return bad("its key " + p.key_id + " is not among the verify keys");
  const auto sig = unbase32(f[7]);
  if (!sig || sig->size() != kSignatureBytes) return bad("its signature is garbled");
  const std::string_view payload = token.substr(0, token.rfind(':'));
  if (!signature_holds(key->second, payload, *sig))
    return bad("its signature does not match (changed, or not made with key " + p.key_id + ")");
  // Signed by us: what follows only reads what we wrote.
  p.code = std::string(f[2]);
  const auto concert = digits(f[3], 19);
  const auto issued = digits(f[6], 12);
  if (!is_code(p.code) || !concert || !issued || (f[4] != "B" && f[4] != "F"))
    return bad("its fields are malformed");
  p.concert_id = *concert;
  p.issued_s = static_cast<int64_t>(*issued);
  p.zone = f[4] == "B" ? Zone::kBuy : Zone::kFree;
  auto seats = parse_seats(p.zone, f[5]);
  if (!seats) return bad("its seats are malformed");
  p.seats = std::move(*seats);
  return p;
}

Result<SigningKey> load_signing_key(const std::string& path) {
  if (path.empty())
    return config_error("no pass signing key is configured ([passes] signing_key_file)");
  const std::filesystem::path file(path);
  SigningKey key;
  key.id = file.stem().string();
  if (file.extension() != ".key" || !is_key_id(key.id))
    return config_error("pass signing key file " + path +
                        " must be named KEY-ID.key, KEY-ID of 1 to 8 upper-case letters, digits "
                        "and -, as tl-admin keys generate writes it");
  TL_ASSIGN_OR_RETURN(std::string pem, read_owner_only_file(path, "pass signing key", 16 * 1024));
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Pkey k(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!k || EVP_PKEY_id(k.get()) != EVP_PKEY_ED25519)
    return config_error("pass signing key file " + path + " holds no Ed25519 private key in PEM");
  key.seed.assign(kSeedBytes, '\0');
  size_t len = key.seed.size();
  if (EVP_PKEY_get_raw_private_key(k.get(), reinterpret_cast<unsigned char*>(key.seed.data()),
                                   &len) != 1 ||
      len != kSeedBytes)
    return config_error("pass signing key file " + path + " holds no Ed25519 private key in PEM");
  return key;
}

Result<VerifyKeys> load_verify_keys(const std::string& path) {
  if (path.empty())
    return config_error("no pass verify keys are configured ([passes] verify_keys_file)");
  std::ifstream in(path);
  if (!in)
    return config_error("cannot read pass verify keys " + path + ": " + std::strerror(errno));
  VerifyKeys keys;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    std::istringstream words(line);
    std::string id, key, extra;
    words >> id >> key >> extra;
    auto raw = unbase64_key(key);
    if (!is_key_id(id) || !raw || !extra.empty())
      return config_error("pass verify keys " + path + " line " + std::to_string(n) +
                          ": expected KEY-ID and an Ed25519 public key in base64");
    if (!keys.emplace(id, std::move(*raw)).second)
      return config_error("pass verify keys " + path + " line " + std::to_string(n) + ": key " +
                          id + " is listed twice");
    if (keys.size() > 1000)
      return config_error("pass verify keys " + path + " lists too many keys");
  }
  if (in.bad()) return config_error("cannot read pass verify keys " + path);
  return keys;
}

Result<std::string> public_key_line(const SigningKey& key) {
  TL_ASSIGN_OR_RETURN(Pkey k, private_key(key));
  std::string pub(kPublicBytes, '\0');
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(k.get(), reinterpret_cast<unsigned char*>(pub.data()), &len) !=
          1 ||
      len != kPublicBytes)
    return internal("OpenSSL gave no public key for pass key " + key.id);
  return key.id + " " + base64(pub);
}

Result<SigningKey> generate_key_pair(const std::string& id, const std::string& dir) {
  if (!is_key_id(id))
    return invalid("--key-id must be 1 to 8 upper-case letters, digits and -, got " + quote(id));
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return invalid("--out " + quote(dir) + " is not a directory");
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1)
    return internal("OpenSSL could not make an Ed25519 key");
  Pkey k(raw);
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), k.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return internal("OpenSSL could not write the key in PEM");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  const std::string pem(data, static_cast<size_t>(n));
  SigningKey key;
  key.id = id;
  key.seed.assign(kSeedBytes, '\0');
  size_t len = key.seed.size();
  if (EVP_PKEY_get_raw_private_key(k.get(), reinterpret_cast<unsigned char*>(key.seed.data()),
                                   &len) != 1)
    return internal("OpenSSL gave no private key bytes");
  TL_ASSIGN_OR_RETURN(std::string line, public_key_line(key));
  const std::string base = (std::filesystem::path(dir) / id).string();
  if (std::filesystem::exists(base + ".pub"))
    return invalid(base + ".pub exists; remove it or choose another key id");
  TL_TRY(write_new_file(base + ".key", pem, 0600));
  Status pub = write_new_file(base + ".pub", line + "\n", 0644);
  if (!pub.ok()) {
    ::unlink((base + ".key").c_str());
    return std::move(pub).error();
  }
  return key;
}

}  // namespace ticket
