#include "logit_fixture.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "model/bert_model.h"
#include "support/test_env.h"
#include "text/tokenizer.h"

namespace rerankd::testing {
namespace {

// SHA-256 (FIPS 180-4), written out here so the test needs no crypto library: it only checks
// that the model on disk is the one the fixture was computed from.
class Sha256 {
 public:
  void update(const unsigned char* data, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) {
      block_[block_used_++] = data[i];
      if (block_used_ == 64) {
        compress();
        block_used_ = 0;
      }
    }
    bytes_ += size;
  }

  std::string hex_digest() {
    const std::uint64_t bits = bytes_ * 8;
    const unsigned char one = 0x80;
    const unsigned char zero = 0;
    update(&one, 1);
    while (block_used_ != 56) update(&zero, 1);
    unsigned char length[8];
    for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(bits >> (56 - 8 * i));
    update(length, 8);
    std::string hex;
    char buffer[9];
    for (const std::uint32_t word : state_) {
      std::snprintf(buffer, sizeof(buffer), "%08x", word);
      hex += buffer;
    }
    return hex;
  }

 private:
  static std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

  void compress() {
    static constexpr std::array<std::uint32_t, 64> kRound = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    std::array<std::uint32_t, 64> w{};
    for (int i = 0; i < 16; ++i) {
      w[i] = (std::uint32_t{block_[4 * i]} << 24) | (std::uint32_t{block_[4 * i + 1]} << 16) |
             (std::uint32_t{block_[4 * i + 2]} << 8) | std::uint32_t{block_[4 * i + 3]};
    }
    for (int i = 16; i < 64; ++i) {
      const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    auto [a, b, c, d, e, f, g, h] = state_;
    for (int i = 0; i < 64; ++i) {
      const std::uint32_t t1 =
          h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kRound[i] + w[i];
      const std::uint32_t t2 =
          (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    const std::array<std::uint32_t, 8> add = {a, b, c, d, e, f, g, h};
    for (int i = 0; i < 8; ++i) state_[i] += add[i];
  }

  std::array<std::uint32_t, 8> state_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<unsigned char, 64> block_{};
  std::size_t block_used_ = 0;
  std::uint64_t bytes_ = 0;
};

}  // namespace

std::filesystem::path logit_fixture_path() {
  return testing::fixtures_dir() / "logits" / "minilm_l6_random.jsonl";
}

std::filesystem::path xlmr_logit_fixture_path() {
  return testing::fixtures_dir() / "logits" / "xlmr_random.jsonl";
}

std::filesystem::path xlmr_model_dir() { return testing::test_models_dir() / "xlmr-random"; }

std::filesystem::path xlmr_long_logit_fixture_path() {
  return testing::fixtures_dir() / "logits" / "xlmr_long.jsonl";
}

std::filesystem::path xlmr_long_model_dir() { return testing::test_models_dir() / "xlmr-long"; }

std::filesystem::path BackendLogitsTest::model_dir() const {
  return testing::conformance_model_dir();
}

std::string sha256_of_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  Sha256 hash;
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    hash.update(reinterpret_cast<const unsigned char*>(buffer.data()),
                static_cast<std::size_t>(in.gcount()));
  }
  return hash.hex_digest();
}

Fixture load_logit_fixture(const std::filesystem::path& path) {
  Fixture fixture;
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot open " << path;
  simdjson::dom::parser parser;
  std::string line;
  for (int line_number = 1; std::getline(in, line); ++line_number) {
    if (line.empty()) continue;
    const std::string where = path.string() + ":" + std::to_string(line_number);
    simdjson::dom::element row;
    EXPECT_EQ(parser.parse(line).get(row), simdjson::SUCCESS) << where;
    if (line_number == 1) {
      std::string_view sha;
      EXPECT_EQ(row["model_sha256"].get(sha), simdjson::SUCCESS) << where;
      fixture.model_sha256 = std::string(sha);
      std::int64_t max_length = 0;
      if (row["max_length"].get(max_length) == simdjson::SUCCESS) fixture.max_length = max_length;
      continue;
    }
    FixturePair pair;
    std::string_view text;
    bool ok = row["source"].get(text) == simdjson::SUCCESS;
    pair.source = std::string(text);
    ok = ok && row["query"].get(text) == simdjson::SUCCESS;
    pair.query = std::string(text);
    ok = ok && row["document"].get(text) == simdjson::SUCCESS;
    pair.document = std::string(text);
    ok = ok && row["index"].get(pair.index) == simdjson::SUCCESS;
    ok = ok && row["first_segment_length"].get(pair.first_segment_length) == simdjson::SUCCESS;
    ok = ok && row["logit"].get(pair.logit) == simdjson::SUCCESS;
    simdjson::dom::array ids;
    ok = ok && row["input_ids"].get(ids) == simdjson::SUCCESS;
    if (ok) {
      for (const auto id : ids) pair.input_ids.push_back(static_cast<std::int32_t>(id.get_int64()));
    }
    EXPECT_TRUE(ok) << where << ": missing or mistyped field";
    fixture.pairs.push_back(std::move(pair));
  }
  return fixture;
}

std::vector<std::int32_t> type_ids_for(const FixturePair& pair) {
  std::vector<std::int32_t> types(pair.input_ids.size(), 1);
  for (std::int64_t i = 0; i < pair.first_segment_length; ++i) types[i] = 0;
  return types;
}

void BackendLogitsTest::SetUp() {
  fixture_ = load_logit_fixture(fixture_path());
  ASSERT_GE(fixture_.pairs.size(), min_fixture_pairs()) << fixture_path();
  const auto dir = model_dir();
  ASSERT_EQ(sha256_of_file(dir / "model.safetensors"), fixture_.model_sha256)
      << dir / "model.safetensors"
      << " is not the model the fixture was computed from: the random-model generator "
         "changed. Regenerate the fixture with tools/make_logit_fixtures.py.";
  auto model = model::BertModel::load(dir);
  ASSERT_TRUE(model.ok()) << model.status().to_string();
  auto backend = backend::create_backend(backend_options(), *model);
  ASSERT_TRUE(backend.ok()) << backend.status().to_string();
  backend_ = std::move(*backend);
}

void BackendLogitsTest::expect_logits_match(const backend::PackedBatch& batch, double tolerance) {
  const auto start = std::chrono::steady_clock::now();
  auto logits = backend_->run(batch);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(logits.ok()) << logits.status().to_string();
  ASSERT_EQ(logits->size(), fixture_.pairs.size());

  double worst = -1.0;
  std::size_t worst_pair = 0;
  std::size_t skipped = 0;
  for (std::size_t i = 0; i < logits->size(); ++i) {
    if (!comparable(fixture_.pairs[i])) {
      ++skipped;
      continue;
    }
    const double diff = std::abs(double{(*logits)[i]} - fixture_.pairs[i].logit);
    if (!(diff <= worst)) {  // also catches NaN
      worst = diff;
      worst_pair = i;
    }
  }
  const FixturePair& pair = fixture_.pairs[worst_pair];
  std::printf(
      "%s: %zu pairs, %zu tokens, %.2f s (%.1f pairs/s, %d threads); max |logit - HF| = %.3g"
      " at %s %lld (%zu pairs not compared)\n",
      backend_->info().name.c_str(), batch.num_pairs(), batch.num_tokens(), seconds,
      static_cast<double>(batch.num_pairs()) / seconds, backend_->info().threads, worst,
      pair.source.c_str(), static_cast<long long>(pair.index), skipped);
  EXPECT_LE(worst, tolerance) << "worst pair: " << pair.source << " " << pair.index << " query '"
                              << pair.query.substr(0, 80) << "' (" << pair.input_ids.size()
                              << " tokens): expected " << pair.logit << ", got "
                              << (*logits)[worst_pair];
}

void BackendLogitsTest::check_from_fixture_token_ids() {
  backend::PackedBatch batch;
  for (const auto& pair : fixture_.pairs) batch.add(pair.input_ids, type_ids_for(pair));
  expect_logits_match(batch);
}

void BackendLogitsTest::check_from_text() {
  auto tokenizer = text::Tokenizer::from_directory(model_dir());
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().to_string();
  const text::TokenizeOptions options{.max_length = static_cast<int>(fixture_.max_length),
                                      .truncation = text::Truncation::kLongestFirst};
  backend::PackedBatch batch;
  int mismatched_ids = 0;
  for (const auto& pair : fixture_.pairs) {
    auto encoding = tokenizer->encode_pair(pair.query, pair.document, options);
    ASSERT_TRUE(encoding.ok()) << pair.source << " " << pair.index << ": "
                               << encoding.status().to_string();
    if (encoding->input_ids != pair.input_ids && ++mismatched_ids <= 3) {
      ADD_FAILURE() << pair.source << " " << pair.index
                    << ": rerankd's token ids differ from transformers' for query '"
                    << pair.query.substr(0, 80) << "'";
    }
    batch.add(encoding->input_ids, encoding->token_type_ids);
  }
  EXPECT_EQ(mismatched_ids, 0);
  expect_logits_match(batch);
}

void BackendLogitsTest::check_in_batches(std::size_t batch_size, double tolerance) {
  double worst = -1.0;
  for (std::size_t first = 0; first < fixture_.pairs.size(); first += batch_size) {
    const std::size_t last = std::min(first + batch_size, fixture_.pairs.size());
    backend::PackedBatch batch;
    for (std::size_t i = first; i < last; ++i) {
      batch.add(fixture_.pairs[i].input_ids, type_ids_for(fixture_.pairs[i]));
    }
    const auto logits = backend_->run(batch);
    ASSERT_TRUE(logits.ok()) << logits.status().to_string();
    ASSERT_EQ(logits->size(), last - first);
    for (std::size_t i = first; i < last; ++i) {
      if (!comparable(fixture_.pairs[i])) continue;
      const double diff = std::abs(double{(*logits)[i - first]} - fixture_.pairs[i].logit);
      EXPECT_LE(diff, tolerance) << fixture_.pairs[i].source << " " << fixture_.pairs[i].index;
      if (!(diff <= worst)) worst = diff;
    }
  }
  const auto info = backend_->info();
  std::printf("%s %s, batches of %zu: max |logit - HF| = %.3g\n", info.name.c_str(),
              info.dtype.c_str(), batch_size, worst);
}

}  // namespace rerankd::testing
