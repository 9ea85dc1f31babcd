#include "app/document_input.h"

#include <simdjson.h>

#include "app/pair_input.h"

namespace rerankd::app {
namespace {

Result<std::string> parse_json_document(simdjson::dom::parser& parser, std::string_view line) {
  simdjson::dom::element root;
  if (const auto error = parser.parse(line.data(), line.size()).get(root); error) {
    return invalid_argument(std::string("invalid JSON: ") + simdjson::error_message(error));
  }
  std::string_view text;
  if (root.get(text) == simdjson::SUCCESS) return std::string(text);
  simdjson::dom::object object;
  if (root.get(object) != simdjson::SUCCESS || object["text"].get(text) != simdjson::SUCCESS) {
    return invalid_argument("expected a JSON string or an object with a string \"text\"");
  }
  return std::string(text);
}

}  // namespace

Result<std::vector<std::string>> parse_documents(const std::string& text, bool jsonl,
                                                 const std::string& source) {
  simdjson::dom::parser parser;
  std::vector<std::string> documents;
  std::size_t line_number = 0;
  std::size_t begin = 0;
  while (begin < text.size()) {
    auto end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + begin, end - begin);
    begin = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    const auto where = source + " line " + std::to_string(line_number);
    if (jsonl) {
      auto document = parse_json_document(parser, line);
      if (!document.ok()) return document.status().with_context(where);
      documents.push_back(std::move(document).value());
    } else {
      if (!simdjson::validate_utf8(line.data(), line.size())) {
        return invalid_argument(where + ": invalid UTF-8");
      }
      documents.emplace_back(line);
    }
  }
  return documents;
}

Result<std::vector<std::string>> read_documents(const std::filesystem::path& path) {
  RERANKD_ASSIGN_OR_RETURN(const std::string text, read_input_text(path));
  const bool jsonl = path.extension() == ".jsonl";
  return parse_documents(text, jsonl, path == "-" ? "<stdin>" : path.string());
}

}  // namespace rerankd::app
