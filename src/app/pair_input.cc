#include "app/pair_input.h"

#include <simdjson.h>

#include <algorithm>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string_view>

#include "common/file.h"

namespace rerankd::app {
namespace {

Status line_error(const std::string& source, std::size_t line, const std::string& problem) {
  return invalid_argument(source + " line " + std::to_string(line) + ": " + problem);
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

std::string_view json_type_name(simdjson::dom::element_type type) {
  using simdjson::dom::element_type;
  switch (type) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return "a number";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "something else";
}

Result<std::string> string_field(const simdjson::dom::object& object, std::string_view name) {
  simdjson::dom::element value;
  if (object[name].get(value) != simdjson::SUCCESS) {
    return invalid_argument("missing field \"" + std::string(name) + "\"");
  }
  std::string_view text;
  if (value.get(text) != simdjson::SUCCESS) {
    return invalid_argument("field \"" + std::string(name) + "\" must be a string, got " +
                            std::string(json_type_name(value.type())));
  }
  return std::string(text);
}

// One JSONL line. simdjson validates UTF-8 while parsing.
Result<InputPair> parse_jsonl_line(simdjson::dom::parser& parser, std::string_view line) {
  simdjson::dom::element root;
  if (const auto error = parser.parse(line.data(), line.size()).get(root); error) {
    return invalid_argument(std::string("invalid JSON: ") + simdjson::error_message(error));
  }
  simdjson::dom::object object;
  if (root.get(object) != simdjson::SUCCESS) {
    return invalid_argument("expected a JSON object with \"query\" and \"document\", got " +
                            std::string(json_type_name(root.type())));
  }
  InputPair pair;
  RERANKD_ASSIGN_OR_RETURN(pair.query, string_field(object, "query"));
  RERANKD_ASSIGN_OR_RETURN(pair.document, string_field(object, "document"));
  return pair;
}

Result<InputPair> parse_tsv_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!simdjson::validate_utf8(line.data(), line.size())) {
    return invalid_argument("invalid UTF-8");
  }
  const auto fields = 1 + static_cast<std::size_t>(std::count(line.begin(), line.end(), '\t'));
  if (fields != 2) {
    return invalid_argument("expected 2 tab-separated fields (query, document), found " +
                            std::to_string(fields));
  }
  const auto tab = line.find('\t');
  return InputPair{std::string(line.substr(0, tab)), std::string(line.substr(tab + 1)), 0};
}

PairFormat sniff_format(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (is_blank(line)) continue;
    const auto first = line.find_first_not_of(" \t");
    return line[first] == '{' ? PairFormat::kJsonl : PairFormat::kTsv;
  }
  return PairFormat::kJsonl;
}

}  // namespace

Result<std::vector<InputPair>> parse_pairs(const std::string& text, PairFormat format,
                                           const std::string& source) {
  if (format == PairFormat::kAuto) format = sniff_format(text);
  simdjson::dom::parser parser;
  std::vector<InputPair> pairs;
  std::size_t line_number = 0;
  std::size_t begin = 0;
  while (begin < text.size()) {
    auto end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + begin, end - begin);
    begin = end + 1;
    ++line_number;
    if (is_blank(line)) continue;
    auto pair =
        format == PairFormat::kJsonl ? parse_jsonl_line(parser, line) : parse_tsv_line(line);
    if (!pair.ok()) return line_error(source, line_number, pair.status().message());
    pair->line = line_number;
    pairs.push_back(std::move(pair).value());
  }
  return pairs;
}

Result<std::string> read_input_text(const std::filesystem::path& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  return read_file(path);
}

Result<std::vector<InputPair>> read_pairs(const std::filesystem::path& path, PairFormat format) {
  RERANKD_ASSIGN_OR_RETURN(const std::string text, read_input_text(path));
  if (format == PairFormat::kAuto) {
    const auto extension = path.extension();
    if (extension == ".jsonl" || extension == ".json") format = PairFormat::kJsonl;
    if (extension == ".tsv") format = PairFormat::kTsv;
  }
  return parse_pairs(text, format, path == "-" ? "<stdin>" : path.string());
}

}  // namespace rerankd::app
