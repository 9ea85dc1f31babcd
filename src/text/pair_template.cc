#include "text/pair_template.h"

#include <utility>

namespace rerankd::text {

PairTemplate::PairTemplate(std::vector<TemplatePiece> pieces) : pieces_(std::move(pieces)) {
  for (const TemplatePiece& piece : pieces_) {
    if (piece.kind == TemplatePiece::Kind::kSpecial) special_count_ += piece.ids.size();
  }
}

PairTemplate PairTemplate::bert(std::int32_t cls_id, std::int32_t sep_id) {
  using Kind = TemplatePiece::Kind;
  return PairTemplate({{Kind::kSpecial, {cls_id}, 0},
                       {Kind::kFirst, {}, 0},
                       {Kind::kSpecial, {sep_id}, 0},
                       {Kind::kSecond, {}, 1},
                       {Kind::kSpecial, {sep_id}, 1}});
}

PairTemplate PairTemplate::roberta(std::int32_t cls_id, std::int32_t sep_id) {
  using Kind = TemplatePiece::Kind;
  return PairTemplate({{Kind::kSpecial, {cls_id}, 0},
                       {Kind::kFirst, {}, 0},
                       {Kind::kSpecial, {sep_id, sep_id}, 0},
                       {Kind::kSecond, {}, 0},
                       {Kind::kSpecial, {sep_id}, 0}});
}

void PairTemplate::apply(const std::int32_t* first, std::size_t first_size,
                         const std::int32_t* second, std::size_t second_size, Encoding& out) const {
  out.clear();
  const std::size_t total = special_count_ + first_size + second_size;
  out.input_ids.reserve(total);
  out.token_type_ids.reserve(total);
  for (const TemplatePiece& piece : pieces_) {
    const std::int32_t* ids = piece.ids.data();
    std::size_t count = piece.ids.size();
    if (piece.kind == TemplatePiece::Kind::kFirst) {
      ids = first;
      count = first_size;
    } else if (piece.kind == TemplatePiece::Kind::kSecond) {
      ids = second;
      count = second_size;
    }
    out.input_ids.insert(out.input_ids.end(), ids, ids + count);
    out.token_type_ids.insert(out.token_type_ids.end(), count, piece.type_id);
  }
}

}  // namespace rerankd::text
