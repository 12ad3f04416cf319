#include "ticket/webhook.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "ticket/money.h"
#include "ticket/payments.h"
#include "ticket/text.h"
#include "ticket/timestamp.h"

namespace ticket {
namespace {

std::string hmac_hex(std::string_view secret, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

WebhookReply reply(unsigned status, const char* key, const std::string& value) {
  return {status, nlohmann::json{{key, value}}.dump(-1, ' ', false,
                                                    nlohmann::json::error_handler_t::replace)};
}

// A string field of the event, or kInvalid naming it.
Result<std::string> text_field(const nlohmann::json& event, const char* name, size_t max) {
  const auto it = event.find(name);
  if (it == event.end() || !it->is_string())
    return invalid(std::string("the event has no \"") + name + "\" string");
  std::string v = it->get<std::string>();
  if (v.empty() || v.size() > max || !is_printable_utf8(v))
    return invalid(std::string("\"") + name + "\" must be 1 to " + std::to_string(max) +
                   " printable characters");
  return v;
}

}  // namespace

std::string sign_webhook(std::string_view secret, std::string_view body, int64_t t) {
  const std::string ts = std::to_string(t);
  return "t=" + ts + ",v1=" + hmac_hex(secret, ts + "." + std::string(body));
}

Status verify_webhook_signature(std::string_view secret, std::string_view header,
                                std::string_view body, int64_t now_s) {
  if (header.empty()) return invalid("no TL-Signature header");
  std::optional<int64_t> t;
  std::vector<std::string> signatures;
  for (size_t start = 0; start <= header.size();) {
    size_t end = header.find(',', start);
    if (end == std::string_view::npos) end = header.size();
    std::string_view part = header.substr(start, end - start);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.substr(0, 2) == "t=") {
      t = parse_int(part.substr(2), 0, INT64_MAX / 2);
      if (!t) return invalid("TL-Signature has a malformed time");
    } else if (part.substr(0, 3) == "v1=") {
      if (signatures.size() < 8) signatures.emplace_back(to_lower(part.substr(3)));
    }
    start = end + 1;
  }
  if (!t) return invalid("TL-Signature has no time (t=)");
  if (signatures.empty()) return invalid("TL-Signature has no signature (v1=)");
  if (*t < now_s - kWebhookToleranceS || *t > now_s + kWebhookToleranceS)
    return invalid("TL-Signature's time is more than " + std::to_string(kWebhookToleranceS) +
                   " s from now");
  const std::string expected = hmac_hex(secret, std::to_string(*t) + "." + std::string(body));
  bool match = false;
  for (const std::string& s : signatures) {
    if (s.size() == expected.size() &&
        CRYPTO_memcmp(s.data(), expected.data(), expected.size()) == 0)
      match = true;
  }
  if (!match) return invalid("TL-Signature does not match the body under the provider's secret");
  return {};
}

WebhookReply handle_payment_webhook(Context& ctx, const PaymentProvider& provider,
                                    std::string_view signature, std::string_view body) {
  auto secret =
      read_secret_file(provider.secret_file, "secret of payment provider " + provider.name);
  if (!secret.ok()) return reply(503, "error", "the provider's secret cannot be read");
  if (Status s = verify_webhook_signature(*secret, signature, body, wall_clock_ms() / 1000);
      !s.ok())
    return reply(401, "error", s.error().message());
  if (body.size() > kWebhookMaxBody) return reply(413, "error", "the body is too large");
  const nlohmann::json event = nlohmann::json::parse(body, nullptr, false);
  if (event.is_discarded() || !event.is_object())
    return reply(400, "error", "the body is not a JSON object");

  Result<PaymentOutcome> outcome = [&]() -> Result<PaymentOutcome> {
    TL_ASSIGN_OR_RETURN(std::string id, text_field(event, "id", 128));
    for (char c : id)
      if (static_cast<unsigned char>(c) >= 0x80)
        return invalid("\"id\" must be ASCII, as providers' event ids are");
    TL_ASSIGN_OR_RETURN(std::string type, text_field(event, "type", 32));
    PaymentReceipt r;
    r.provider = provider.name;
    r.platform = provider.platform;
    r.event_id = id;
    if (type == "payment.failed") return note_event(ctx, r, type);
    TL_ASSIGN_OR_RETURN(r.reference, text_field(event, "reference", 128));
    if (type == "refund.succeeded") {
      // The ticket and amount, when given, are kept should the refund
      // match no payment on record.
      if (auto code = text_field(event, "ticket", 64); code.ok() && is_recordable_code(*code))
        r.code = *code;
      if (auto amount = text_field(event, "amount", 32); amount.ok()) {
        TL_ASSIGN_OR_RETURN(r.amount, parse_money(*amount));
      }
      if (auto currency = text_field(event, "currency", 8); currency.ok()) {
        TL_ASSIGN_OR_RETURN(r.currency, parse_currency(*currency));
      }
      return receive_refund(ctx, r);
    }
    if (type != "payment.succeeded")
      return invalid("\"type\" must be payment.succeeded, payment.failed or refund.succeeded");
    TL_ASSIGN_OR_RETURN(r.code, text_field(event, "ticket", 64));
    TL_ASSIGN_OR_RETURN(std::string amount, text_field(event, "amount", 32));
    TL_ASSIGN_OR_RETURN(r.amount, parse_money(amount));
    TL_ASSIGN_OR_RETURN(std::string currency, text_field(event, "currency", 8));
    TL_ASSIGN_OR_RETURN(r.currency, parse_currency(currency));
    return receive_payment(ctx, r);
  }();
  if (!outcome.ok()) {
    const Error& e = outcome.error();
    switch (e.kind()) {
      case ErrorKind::kInvalid: return reply(400, "error", e.message());
      case ErrorKind::kConflict: return reply(409, "error", e.message());
      case ErrorKind::kUnavailable: return reply(503, "error", e.message());
      default: return reply(500, "error", e.message());
    }
  }
  nlohmann::json answer = {{"result", payment_result_name(outcome->result)}};
  if (!outcome->why.empty()) answer["why"] = outcome->why;
  return {200, answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

}  // namespace ticket
