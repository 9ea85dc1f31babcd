#include "http/codecs/truncate_field.h"

#include "http/codecs/json_input.h"

namespace rerankd::http::codecs {

Result<bool> decode_truncate(const simdjson::dom::object& object, const DecodeLimits& limits) {
  return optional_bool(object, "truncate", limits.auto_truncate);
}

Result<engine::TruncationChoice> decode_tei_truncation(const simdjson::dom::object& object,
                                                       const DecodeLimits& limits) {
  engine::TruncationChoice choice;
  RERANKD_ASSIGN_OR_RETURN(choice.enabled, decode_truncate(object, limits));
  std::optional<simdjson::dom::element> element = find_field(object, "truncation_direction");
  if (!element || element->is_null()) return choice;
  RERANKD_ASSIGN_OR_RETURN(std::string_view direction, as_string(*element, "truncation_direction"));
  if (direction == "right" || direction == "Right") return choice;
  if (direction == "left" || direction == "Left") {
    choice.side = text::TruncationSide::kLeft;
    return choice;
  }
  return invalid_argument("truncation_direction: expected \"right\" or \"left\"");
}

}  // namespace rerankd::http::codecs
