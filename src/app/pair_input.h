// Reading (query, document) pairs for `rerankd score` / `rerankd tokenize`: JSONL with
// {"query": ..., "document": ...} per line, or TSV with query<TAB>document per line.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"

namespace rerankd::app {

enum class PairFormat { kAuto, kJsonl, kTsv };

struct InputPair {
  std::string query;
  std::string document;
  std::size_t line = 0;  // 1-based line number in the input, for error messages
};

// Parses the whole text; the first bad line fails the call with InvalidArgument naming
// `source`, the line number and the problem (invalid JSON, invalid UTF-8, missing or
// non-string field, wrong number of TSV fields). Blank lines are skipped.
Result<std::vector<InputPair>> parse_pairs(const std::string& text, PairFormat format,
                                           const std::string& source);

// Reads `path` ("-" = standard input) and parses it; kAuto picks by extension (.jsonl/.json,
// .tsv) and otherwise by whether the first non-blank line starts with '{'.
Result<std::vector<InputPair>> read_pairs(const std::filesystem::path& path, PairFormat format);

// Reads all of standard input, or the file.
Result<std::string> read_input_text(const std::filesystem::path& path);

}  // namespace rerankd::app
