#include "http/codecs/truncate_field.h"

#include "http/codecs/json_input.h"

namespace rerankd::http::codecs {

Result<bool> decode_truncate(const simdjson::dom::object& object, const DecodeLimits& limits) {
  return optional_bool(object, "truncate", limits.auto_truncate);
}

}  // namespace rerankd::http::codecs
