// The events of payment providers, posted to ticketlemond
// (`POST /api/v1/payments/{name}`, docs/design.md §12): a signature checked
// with the provider's secret, then the event taken exactly once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ticket/config.h"
#include "ticket/context.h"
#include "ticket/error.h"

namespace ticket {

// How far the signature's time may be from the clock, either way.
inline constexpr int64_t kWebhookToleranceS = 300;
// The largest body taken (413 beyond).
inline constexpr size_t kWebhookMaxBody = 64 * 1024;

// The TL-Signature header a provider sends for `body` at time `t`:
// "t=T,v1=HEX", HEX the HMAC-SHA256 under `secret` of "{t}.{body}".
std::string sign_webhook(std::string_view secret, std::string_view body, int64_t t);

// Ok when `header` ("t=UNIX_SECONDS,v1=HEX[,v1=HEX...]") has a time within
// kWebhookToleranceS of `now_s` and one v1 that is the signature of `body`
// under `secret` (several: a secret being rotated). kInvalid otherwise,
// saying why; the comparison takes the same time whatever the bytes.
Status verify_webhook_signature(std::string_view secret, std::string_view header,
                                std::string_view body, int64_t now_s);

// An answer to the provider: the HTTP status and a JSON body.
struct WebhookReply {
  unsigned status = 200;
  std::string body;  // {"result":"..."} or {"error":"..."}
};

// One POST of `provider`: 401 for a missing or wrong signature or a stale
// time (nothing written), 400 for a body that is not an event, 200 with
// {"result":"paid|duplicate|refund_due|review|refunded|noted"} once taken,
// 409 for a payment reference another payment has, 503 when MySQL or the
// provider's secret cannot be had (the provider delivers again later).
WebhookReply handle_payment_webhook(Context& ctx, const PaymentProvider& provider,
                                    std::string_view signature, std::string_view body);

}  // namespace ticket
