#include "script_replies.h"

#include <cstdint>
#include <string_view>

#include "ticket/text.h"

#include "seat_map_scripts.h"

namespace ticket {
namespace {

// One script's reply, read element by element; every misfit is an Error
// that names the script and the element.
class Reply {
 public:
  Reply(const redisReply* r, std::string_view script) : r_(r), script_(script) {}

  // The first element of a list reply: "ok", "cold", "taken", ...
  std::string word() const {
    if (r_ == nullptr || r_->type != REDIS_REPLY_ARRAY || r_->elements == 0) return {};
    const redisReply* w = r_->element[0];
    if (w->type != REDIS_REPLY_STRING && w->type != REDIS_REPLY_STATUS) return {};
    return std::string(w->str, w->len);
  }
  size_t size() const { return r_ != nullptr && r_->type == REDIS_REPLY_ARRAY ? r_->elements : 0; }

  Error bad(const std::string& what) const {
    return internal("unexpected reply from " + std::string(script_) + ": " + what);
  }
  Error unknown() const {
    return bad(describe_reply(r_) + (word().empty() ? "" : " starting " + quote(word())));
  }

  Status expect_size(size_t n) const {
    if (size() != n)
      return bad(describe_reply(r_) + " where a list of " + std::to_string(n) + " was due");
    return {};
  }
  Status expect_at_least(size_t n) const {
    if (size() < n)
      return bad(describe_reply(r_) + " where a list of at least " + std::to_string(n) +
                 " was due");
    return {};
  }

  Result<long long> integer(size_t i) const {
    auto v = reply_integer(r_->element[i]);
    if (!v.ok()) return bad("element " + std::to_string(i + 1) + ": " + v.error().message());
    return v;
  }
  Result<int> index(size_t i) const {
    TL_ASSIGN_OR_RETURN(long long v, integer(i));
    if (v < 0 || v > INT32_MAX)
      return bad("element " + std::to_string(i + 1) + " is no seat index: " + std::to_string(v));
    return static_cast<int>(v);
  }
  Result<std::string> text(size_t i) const { return text_of(r_->element[i], i); }
  Result<const redisReply*> list(size_t i) const {
    const redisReply* e = r_->element[i];
    if (e->type != REDIS_REPLY_ARRAY)
      return bad("element " + std::to_string(i + 1) + " is " + describe_reply(e) + ", not a list");
    return e;
  }
  Result<std::string> text_of(const redisReply* e, size_t i) const {
    if (e->type != REDIS_REPLY_STRING && e->type != REDIS_REPLY_STATUS)
      return bad("element " + std::to_string(i + 1) + " is " + describe_reply(e) + ", not text");
    return std::string(e->str, e->len);
  }

 private:
  const redisReply* r_;
  std::string_view script_;
};

// {"field", "value", ...} of HGETALL or ZRANGE WITHSCORES, as pairs of text.
Result<std::vector<std::pair<std::string, std::string>>> pairs(const Reply& reply, size_t i) {
  TL_ASSIGN_OR_RETURN(const redisReply* list, reply.list(i));
  if (list->elements % 2 != 0)
    return reply.bad("element " + std::to_string(i + 1) + " has an odd length");
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t k = 0; k < list->elements; k += 2) {
    TL_ASSIGN_OR_RETURN(std::string field, reply.text_of(list->element[k], i));
    TL_ASSIGN_OR_RETURN(std::string value, reply.text_of(list->element[k + 1], i));
    out.emplace_back(std::move(field), std::move(value));
  }
  return out;
}

Result<std::vector<std::pair<Zone, int>>> seat_fields(const Reply& reply, size_t i) {
  TL_ASSIGN_OR_RETURN(const redisReply* list, reply.list(i));
  std::vector<std::pair<Zone, int>> out;
  for (size_t k = 0; k < list->elements; ++k) {
    TL_ASSIGN_OR_RETURN(std::string field, reply.text_of(list->element[k], i));
    auto seat = parse_owner_field(field);
    if (!seat)
      return reply.bad("element " + std::to_string(i + 1) + " names no seat: " + quote(field));
    out.push_back(*seat);
  }
  return out;
}

// {"ok", gen, held, ...}: the counts every view starts with.
Result<SeatCounts> view_head(const Reply& reply, size_t size) {
  if (reply.word() != "ok") return reply.unknown();
  TL_TRY(reply.expect_at_least(size));
  SeatCounts c;
  TL_ASSIGN_OR_RETURN(c.generation, reply.integer(1));
  TL_ASSIGN_OR_RETURN(c.held, reply.integer(2));
  return c;
}

}  // namespace

bool is_cold(const redisReply* r) { return Reply(r, "").word() == "cold"; }

Result<HoldReply> decode_hold(const redisReply* r) {
  const Reply reply(r, "hold.lua");
  const std::string word = reply.word();
  HoldReply out;
  size_t first = 0;
  if (word == "ok") {
    TL_TRY(reply.expect_at_least(2));
    TL_TRY(reply.integer(1));
    first = 2;
  } else if (word == "taken") {
    TL_TRY(reply.expect_at_least(2));
    out.outcome = HoldReply::Outcome::kTaken;
    first = 1;
  } else if (word == "none") {
    TL_TRY(reply.expect_size(1));
    out.outcome = HoldReply::Outcome::kNoRow;
    return out;
  } else {
    return reply.unknown();
  }
  for (size_t i = first; i < reply.size(); ++i) {
    TL_ASSIGN_OR_RETURN(int seat, reply.index(i));
    out.seats.push_back(seat);
  }
  return out;
}

Result<std::vector<int>> decode_release(const redisReply* r) {
  const Reply reply(r, "release.lua");
  const std::string word = reply.word();
  std::vector<int> freed;
  if (word == "cold") return freed;
  if (word != "ok") return reply.unknown();
  TL_TRY(reply.expect_at_least(2));
  TL_TRY(reply.integer(1));
  for (size_t i = 2; i < reply.size(); ++i) {
    TL_ASSIGN_OR_RETURN(int index, reply.index(i));
    freed.push_back(index);
  }
  return freed;
}

Status decode_confirm(const redisReply* r) {
  const Reply reply(r, "confirm.lua");
  const std::string word = reply.word();
  if (word == "cold" || word == "ended") return {};
  if (word == "pending") return conflict("the release of the ended ticket has not run yet");
  if (word != "ok") return reply.unknown();
  TL_TRY(reply.expect_size(2));
  TL_TRY(reply.integer(1));
  return {};
}

Result<bool> decode_rebuild(const redisReply* r) {
  const Reply reply(r, "rebuild.lua");
  const std::string word = reply.word();
  if (word == "lost") return false;
  if (word != "ok") return reply.unknown();
  TL_TRY(reply.expect_size(2));
  TL_TRY(reply.integer(1));
  return true;
}

Result<SeatCounts> decode_view_counts(const redisReply* r) {
  const Reply reply(r, "view.lua");
  TL_TRY(reply.expect_size(5));
  TL_ASSIGN_OR_RETURN(SeatCounts c, view_head(reply, 5));
  TL_ASSIGN_OR_RETURN(c.buy_taken, reply.integer(3));
  TL_ASSIGN_OR_RETURN(c.free_taken, reply.integer(4));
  return c;
}

Result<SeatGrid> decode_view_map(const redisReply* r, const Layout& layout) {
  const Reply reply(r, "view.lua");
  SeatGrid g;
  TL_ASSIGN_OR_RETURN(g.counts, view_head(reply, 5));
  TL_ASSIGN_OR_RETURN(const std::string buy_bits, reply.text(3));
  TL_ASSIGN_OR_RETURN(const std::string free_bits, reply.text(4));
  g.buy.resize(static_cast<size_t>(layout.paid_seats()), SeatState::kFree);
  g.free.resize(static_cast<size_t>(layout.free_seats), SeatState::kFree);
  for (int i = 0; i < layout.paid_seats(); ++i) {
    if (get_bit(buy_bits, i)) {
      g.buy[static_cast<size_t>(i)] = SeatState::kTaken;
      ++g.counts.buy_taken;
    }
  }
  for (int i = 0; i < layout.free_seats; ++i) {
    if (get_bit(free_bits, i)) {
      g.free[static_cast<size_t>(i)] = SeatState::kTaken;
      ++g.counts.free_taken;
    }
  }
  for (size_t e = 5; e < reply.size(); ++e) {
    TL_ASSIGN_OR_RETURN(const std::string list, reply.text(e));
    for (int idx : parse_indexes(list)) {
      if (idx < layout.paid_seats() && g.buy[static_cast<size_t>(idx)] == SeatState::kTaken)
        g.buy[static_cast<size_t>(idx)] = SeatState::kHeld;
    }
  }
  return g;
}

Result<SeatSnapshot> decode_view_full(const redisReply* r) {
  const Reply reply(r, "view.lua");
  TL_TRY(reply.expect_size(9));
  TL_ASSIGN_OR_RETURN(SeatCounts head, view_head(reply, 9));
  SeatSnapshot s;
  s.generation = head.generation;
  TL_ASSIGN_OR_RETURN(s.buy_bits, reply.text(3));
  TL_ASSIGN_OR_RETURN(s.free_bits, reply.text(4));
  TL_ASSIGN_OR_RETURN(s.releases, reply.text(5));
  TL_ASSIGN_OR_RETURN(auto holds, pairs(reply, 6));
  for (auto& [code, list] : holds) s.hold_seats[code] = parse_indexes(list);
  TL_ASSIGN_OR_RETURN(auto owners, pairs(reply, 7));
  for (auto& [field, code] : owners) s.owners[field] = code;
  TL_ASSIGN_OR_RETURN(auto deadlines, pairs(reply, 8));
  for (auto& [code, deadline] : deadlines) {
    auto ms = parse_int(deadline, 0, INT64_MAX / 2);
    if (!ms)
      return reply.bad("element 9: the deadline of " + quote(code) +
                       " is no whole number: " + quote(deadline));
    s.hold_deadlines[code] = *ms;
  }
  return s;
}

Result<RepairReply> decode_reconcile(const redisReply* r) {
  const Reply reply(r, "reconcile.lua");
  const std::string word = reply.word();
  RepairReply out;
  if (word == "cold") {
    out.cold = true;
    return out;
  }
  if (word != "ok") return reply.unknown();
  TL_TRY(reply.expect_size(3));
  TL_ASSIGN_OR_RETURN(out.taken, seat_fields(reply, 1));
  TL_ASSIGN_OR_RETURN(out.freed, seat_fields(reply, 2));
  return out;
}

}  // namespace ticket
