// Result<T>: a value or the Status that explains why there is none (std::expected is C++23).
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "common/status.h"

namespace rerankd {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(state_).ok() && "a Result holding a Status must hold an error");
  }

  bool ok() const { return std::holds_alternative<T>(state_); }

  // The error; only valid when !ok().
  const Status& status() const& { return std::get<Status>(state_); }
  Status status() && { return std::get<Status>(std::move(state_)); }

  // The value; only valid when ok().
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace rerankd

// Declares `lhs` from the value of `expr`, or returns its Status from the enclosing function.
#define RERANKD_ASSIGN_OR_RETURN(lhs, expr)                               \
  auto RERANKD_CONCAT(rerankd_result_, __LINE__) = (expr);                \
  if (!RERANKD_CONCAT(rerankd_result_, __LINE__).ok())                    \
    return std::move(RERANKD_CONCAT(rerankd_result_, __LINE__)).status(); \
  lhs = std::move(RERANKD_CONCAT(rerankd_result_, __LINE__)).value()
