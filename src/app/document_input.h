// Reading the documents of `rerankd rank`: one document per line of plain text, or, for a
// .jsonl file, one JSON string or {"text": ...} object per line.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"

namespace rerankd::app {

// Errors name the source and line (invalid UTF-8, invalid JSON, missing "text"). Blank lines
// are skipped: a document list has no empty documents by accident.
Result<std::vector<std::string>> parse_documents(const std::string& text, bool jsonl,
                                                 const std::string& source);

Result<std::vector<std::string>> read_documents(const std::filesystem::path& path);

}  // namespace rerankd::app
