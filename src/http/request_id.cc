#include "http/request_id.h"

#include <atomic>
#include <cstdint>
#include <random>

namespace rerankd::http {

std::string generate_request_id() {
  static std::atomic<std::uint64_t> counter{0};
  thread_local const std::uint64_t prefix = std::random_device{}();
  const std::uint64_t value = (prefix << 32) ^ counter.fetch_add(1, std::memory_order_relaxed);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  for (int i = 0; i < 16; ++i) id[15 - i] = kHex[(value >> (4 * i)) & 0xF];
  return id;
}

std::string request_id_from(std::string_view client_id) {
  constexpr std::size_t kMaxLength = 128;
  if (client_id.empty() || client_id.size() > kMaxLength) return generate_request_id();
  for (char c : client_id) {
    if (c < 0x21 || c > 0x7E || c == '"' || c == '\\') return generate_request_id();
  }
  return std::string(client_id);
}

}  // namespace rerankd::http
