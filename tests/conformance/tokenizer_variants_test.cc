// Unigram tokenizer.json components beyond XLM-R's own pipeline (NFC/NFD/NFKC/NFKD, Lowercase,
// Prepend, Strip, literal Replace, no pre-tokenizer, Metaspace's prepend schemes and split,
// WhitespaceSplit, Sequence, RobertaProcessing) against Hugging Face `tokenizers`. Fixtures from
// tools/make_tokenizer_variant_fixtures.py: variants.jsonl holds each variant's components, which
// are spliced into the committed XLM-R tokenizer.json here exactly as the tool spliced them, and
// unicode_forms.tsv hashes every code point through each Unicode form.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "encoding_hash.h"
#include "support/test_env.h"
#include "text/normalizer.h"
#include "text/tokenizer.h"
#include "text/utf8.h"

namespace rerankd::testing {
namespace {

std::filesystem::path fixture(const std::string& name) {
  return fixtures_dir() / "xlmr_tokenizer" / name;
}

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// The committed tokenizer.json with the variant's non-null components put in place.
std::string splice(simdjson::dom::element base, simdjson::dom::element variant) {
  const std::string charsmap(
      base["normalizer"]["normalizers"].at(0)["precompiled_charsmap"].get_string().value());
  std::map<std::string, std::string> replaced;
  if (!variant["normalizer"].is_null()) {
    std::string json = simdjson::minify(variant["normalizer"]);
    const std::string placeholder = "\"precompiled_charsmap\":\"BASE\"";
    for (std::size_t at; (at = json.find(placeholder)) != std::string::npos;) {
      json.replace(at, placeholder.size(), "\"precompiled_charsmap\":\"" + charsmap + "\"");
    }
    replaced["normalizer"] = json;
  }
  if (!variant["pre_tokenizer"].is_null()) {
    replaced["pre_tokenizer"] = simdjson::minify(variant["pre_tokenizer"]["value"]);
  }
  if (!variant["post_processor"].is_null()) {
    replaced["post_processor"] = simdjson::minify(variant["post_processor"]);
  }
  std::string out = "{";
  for (const auto field : base.get_object()) {
    if (out.size() > 1) out += ',';
    const std::string key(field.key);
    out += '"' + key + "\":";
    const auto found = replaced.find(key);
    out += found != replaced.end() ? found->second : simdjson::minify(field.value);
  }
  return out + "}";
}

TEST(TokenizerVariants, MatchHuggingFace) {
  simdjson::dom::parser base_parser;
  const simdjson::dom::element base = base_parser.load(fixture("tokenizer.json").string());

  simdjson::dom::parser case_parser;
  std::map<std::string, std::pair<std::string, std::string>> cases;  // name -> (query, document)
  for (const std::string& line : read_lines(fixture("hard_cases.jsonl"))) {
    const simdjson::dom::element input = case_parser.parse(line);
    cases[std::string(input["name"].get_string().value())] = {
        std::string(input["query"].get_string().value()),
        std::string(input["document"].get_string().value())};
  }

  const auto variants = read_lines(fixture("variants.jsonl"));
  ASSERT_GE(variants.size(), 15u) << "regenerate with tools/make_tokenizer_variant_fixtures.py";
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "variants";
  std::filesystem::create_directories(dir);
  simdjson::dom::parser variant_parser;
  for (std::size_t v = 0; v < variants.size(); ++v) {
    const simdjson::dom::element variant = variant_parser.parse(variants[v]);
    const std::string name(variant["name"].get_string().value());
    SCOPED_TRACE("variant " + name);
    const std::filesystem::path file = dir / ("tokenizer_" + std::to_string(v) + ".json");
    std::ofstream(file) << splice(base, variant);
    const auto tokenizer = text::Tokenizer::from_tokenizer_json(file);
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().to_string();

    int checked = 0;
    int failures = 0;
    text::Encoding encoding;
    for (const auto item : variant["expected"].get_array()) {
      const std::string case_name(item.at(0).get_string().value());
      const auto found = cases.find(case_name);
      ASSERT_NE(found, cases.end()) << case_name << " is not in hard_cases.jsonl";
      const Status status =
          tokenizer->encode_pair(found->second.first, found->second.second, {}, encoding);
      ASSERT_TRUE(status.ok()) << case_name << ": " << status.to_string();
      const auto want_size = static_cast<std::size_t>(item.at(1).get_int64().value());
      const std::string want_hash(item.at(2).get_string().value());
      ++checked;
      if (encoding.size() != want_size || hex16(fnv1a(encoding)) != want_hash) {
        std::ostringstream ids;
        for (const std::int32_t id : encoding.input_ids) ids << id << ' ';
        ADD_FAILURE() << case_name << ": ours " << encoding.size() << " tokens, hash "
                      << hex16(fnv1a(encoding)) << "; Hugging Face " << want_size
                      << " tokens, hash " << want_hash << "\n  ours: " << ids.str();
        if (++failures >= 5) break;
      }
    }
    EXPECT_GT(checked, 60) << "too few cases";
  }
}

text::Normalizer form_normalizer(const std::string& form) {
  if (form == "Lowercase") return text::Normalizer({text::LowercaseStep{}});
  const text::UnicodeForm unicode_form = form == "NFC"    ? text::UnicodeForm::kNfc
                                         : form == "NFD"  ? text::UnicodeForm::kNfd
                                         : form == "NFKC" ? text::UnicodeForm::kNfkc
                                                          : text::UnicodeForm::kNfkd;
  return text::Normalizer({text::UnicodeFormStep{unicode_form}});
}

TEST(TokenizerVariants, EveryCodePointThroughEachUnicodeFormMatchesHuggingFace) {
  const auto rows = read_lines(fixture("unicode_forms.tsv"));
  ASSERT_EQ(rows.size(), 5u * 272u) << "5 forms x 272 blocks of 4,096 code points";
  int failures = 0;
  std::string input;
  std::string output;
  for (const std::string& row : rows) {
    std::istringstream fields(row);
    std::string form, first_hex, want;
    std::getline(fields, form, '\t');
    std::getline(fields, first_hex, '\t');
    std::getline(fields, want);
    const text::Normalizer normalizer = form_normalizer(form);
    const auto first = static_cast<char32_t>(std::stoul(first_hex, nullptr, 16));
    std::uint64_t h = kFnvBasis;
    for (char32_t cp = first; cp < first + 4096; ++cp) {
      if (cp >= 0xD800 && cp <= 0xDFFF) continue;
      input.clear();
      text::append_utf8(cp, input);
      output.clear();
      normalizer.normalize(input, output);
      h = fnv1a_byte(fnv1a_bytes(h, output), 0xFF);
    }
    if (hex16(h) != want) {
      ADD_FAILURE() << form << " differs from Hugging Face in the block from U+" << first_hex
                    << " (run tokenizers.normalizers." << form
                    << "().normalize_str on each code point of it to see which)";
      if (++failures >= 10) return;
    }
  }
}

}  // namespace
}  // namespace rerankd::testing
