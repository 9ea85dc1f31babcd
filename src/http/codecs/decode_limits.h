// What the codecs check beyond the JSON shape: limits from the server's configuration.
#pragma once

#include <cstddef>
#include <string>

#include "common/status.h"

namespace rerankd::http::codecs {

struct DecodeLimits {
  std::size_t max_client_batch_size = 1000;  // documents or pairs per request; past it, 413
  bool auto_truncate = true;                 // what `truncate: null` (or absent) means
};

// The message an empty input list gets; TEI's dialect (error_map.h) calls it "Empty".
inline constexpr std::string_view kEmptyListMessage = ": must not be empty";

// 400 for an empty list, 413 (kOutOfRange) past max_client_batch_size.
inline Status check_batch_size(std::string_view field, std::size_t count,
                               const DecodeLimits& limits) {
  if (count == 0) return invalid_argument(std::string(field) + std::string(kEmptyListMessage));
  if (count > limits.max_client_batch_size) {
    return out_of_range(std::string(field) + ": " + std::to_string(count) +
                        " items is more than max_client_batch_size " +
                        std::to_string(limits.max_client_batch_size));
  }
  return Status::ok_status();
}

}  // namespace rerankd::http::codecs
