// Expected failures as values. Every operation of libticket returns a
// Result<T> (or Status); the kind of an Error is the exit code of docs/design.md §8.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ticket {

// The numeric value is the process exit code the tools use.
enum class ErrorKind {
  kInternal = 1,     // a bug, or something the server said that we do not understand
  kInvalid = 2,      // usage or invalid input
  kConflict = 3,     // seat taken, sold out, customer already has a ticket, reference used
  kNotFound = 4,     // no such concert, ticket, ...
  kExpired = 5,      // hold expired, sales closed, too late
  kDrift = 6,        // reconcile found drift and did not repair it
  kUnavailable = 7,  // Redis or MySQL cannot be reached or went away
  kConfig = 8,       // configuration or schema version problem
};

// A short lower-case name for JSON output ("conflict", "not_found", ...).
std::string_view kind_name(ErrorKind kind);

class Error {
 public:
  Error(ErrorKind kind, std::string message) : kind_(kind), message_(std::move(message)) {}

  ErrorKind kind() const { return kind_; }
  int exit_code() const { return static_cast<int>(kind_); }
  const std::string& message() const { return message_; }

  // "while doing X: <message>", keeping the kind.
  Error with_context(std::string_view context) const;

 private:
  ErrorKind kind_;
  std::string message_;
};

// Result<T> holds a T or an Error. Result<void> is spelled Status.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& {
    assert(!ok());
    return std::get<1>(v_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& {
    assert(!ok_);
    return error_;
  }
  Error&& error() && {
    assert(!ok_);
    return std::move(error_);
  }

 private:
  Error error_{ErrorKind::kInternal, ""};
  bool ok_ = true;
};

using Status = Result<void>;

inline Error invalid(std::string message) { return {ErrorKind::kInvalid, std::move(message)}; }
inline Error conflict(std::string message) { return {ErrorKind::kConflict, std::move(message)}; }
inline Error not_found(std::string message) { return {ErrorKind::kNotFound, std::move(message)}; }
inline Error expired(std::string message) { return {ErrorKind::kExpired, std::move(message)}; }
inline Error unavailable(std::string message) {
  return {ErrorKind::kUnavailable, std::move(message)};
}
inline Error config_error(std::string message) { return {ErrorKind::kConfig, std::move(message)}; }
inline Error internal(std::string message) { return {ErrorKind::kInternal, std::move(message)}; }

}  // namespace ticket

#define TL_CONCAT_INNER(a, b) a##b
#define TL_CONCAT(a, b) TL_CONCAT_INNER(a, b)

// TL_TRY(expr): return the error of a failed Status or Result.
#define TL_TRY(expr)                                         \
  do {                                                       \
    auto&& tl_try_result_ = (expr);                          \
    if (!tl_try_result_.ok()) return tl_try_result_.error(); \
  } while (0)

// TL_ASSIGN_OR_RETURN(decl, expr): `decl = *expr` or return its error.
#define TL_ASSIGN_OR_RETURN(decl, expr) \
  TL_ASSIGN_OR_RETURN_IMPL(TL_CONCAT(tl_result_, __LINE__), decl, expr)
#define TL_ASSIGN_OR_RETURN_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return std::move(tmp).error();   \
  decl = std::move(tmp).value()
