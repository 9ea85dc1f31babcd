#include "text/vocab.h"

#include "common/file.h"

namespace rerankd::text {

Result<Vocab> Vocab::from_vocab_txt(const std::filesystem::path& path) {
  RERANKD_ASSIGN_OR_RETURN(const std::string content, read_file(path));
  Vocab vocab;
  std::size_t line_start = 0;
  std::int32_t id = 0;
  while (line_start < content.size()) {
    std::size_t line_end = content.find('\n', line_start);
    if (line_end == std::string::npos) line_end = content.size();
    std::string_view line(content.data() + line_start, line_end - line_start);
    // Rust str::trim_end (HF) drops trailing Unicode whitespace; vocab lines only ever end in
    // ASCII whitespace (\r from Windows files, spaces), so trimming those is the same.
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t' ||
                             line.back() == '\v' || line.back() == '\f')) {
      line.remove_suffix(1);
    }
    RERANKD_RETURN_IF_ERROR(vocab.add(line, id));
    ++id;
    line_start = line_end + 1;
  }
  if (vocab.size() == 0) return invalid_argument(path.string() + ": empty vocabulary");
  return vocab;
}

Status Vocab::add(std::string_view token, std::int32_t id) {
  if (id < 0) {
    return invalid_argument("vocab token '" + std::string(token) + "' has negative id " +
                            std::to_string(id));
  }
  ids_.insert(token, id);
  if (static_cast<std::size_t>(id) >= tokens_.size())
    tokens_.resize(static_cast<std::size_t>(id) + 1);
  tokens_[static_cast<std::size_t>(id)] = std::string(token);
  return Status::ok_status();
}

std::string_view Vocab::token(std::int32_t id) const {
  if (id < 0 || id >= size()) return {};
  return tokens_[static_cast<std::size_t>(id)];
}

}  // namespace rerankd::text
