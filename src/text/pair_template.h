// The post-processor: where the special tokens go around a pair and which type id each part
// gets (HF TemplateProcessing / BertProcessing). For BERT: [CLS] A [SEP] B [SEP], types 0 0 0 1 1.
#pragma once

#include <cstdint>
#include <vector>

#include "text/tokenizer.h"

namespace rerankd::text {

struct TemplatePiece {
  enum class Kind { kSpecial, kFirst, kSecond };
  Kind kind = Kind::kSpecial;
  std::vector<std::int32_t> ids;  // kSpecial only
  std::int32_t type_id = 0;
};

class PairTemplate {
 public:
  PairTemplate() = default;
  explicit PairTemplate(std::vector<TemplatePiece> pieces);
  // [CLS] A [SEP] B [SEP] with type ids 0 0 0 1 1.
  static PairTemplate bert(std::int32_t cls_id, std::int32_t sep_id);
  // RoBERTa's <s> A </s> </s> B </s>, every type id 0.
  static PairTemplate roberta(std::int32_t cls_id, std::int32_t sep_id);

  // Special tokens added around a pair.
  std::size_t special_count() const { return special_count_; }
  const std::vector<TemplatePiece>& pieces() const { return pieces_; }

  // Writes the pair into `out` (cleared first).
  void apply(const std::int32_t* first, std::size_t first_size, const std::int32_t* second,
             std::size_t second_size, Encoding& out) const;

 private:
  std::vector<TemplatePiece> pieces_;
  std::size_t special_count_ = 0;
};

}  // namespace rerankd::text
