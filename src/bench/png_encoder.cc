#include "bench/png_encoder.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string_view>

#include "common/file.h"

namespace rerankd::bench {
namespace png {
namespace {

constexpr std::size_t kWindow = 32768;  // DEFLATE's largest distance
constexpr std::size_t kMinMatch = 3;
constexpr std::size_t kMaxMatch = 258;
constexpr int kMaxChain = 16;  // hash-chain candidates tried per position: speed over ratio
constexpr int kHashBits = 15;

// RFC 1951 3.2.5: base value and extra bits of the length codes 257..285 and distance codes.
constexpr std::array<std::uint16_t, 29> kLengthBase = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                                       15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                                       67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::array<std::uint8_t, 29> kLengthExtra = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                       2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr std::array<std::uint16_t, 30> kDistBase = {
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr std::array<std::uint8_t, 30> kDistExtra = {0, 0, 0,  0,  1,  1,  2,  2,  3,  3,
                                                     4, 4, 5,  5,  6,  6,  7,  7,  8,  8,
                                                     9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

// Bits go out least significant first; Huffman codes most significant first (RFC 1951 3.1.1).
class BitWriter {
 public:
  explicit BitWriter(std::vector<std::uint8_t>& out) : out_(out) {}
  void bits(std::uint32_t value, int count) {
    acc_ |= static_cast<std::uint64_t>(value) << used_;
    used_ += count;
    while (used_ >= 8) {
      out_.push_back(static_cast<std::uint8_t>(acc_ & 0xFF));
      acc_ >>= 8;
      used_ -= 8;
    }
  }
  void code(std::uint32_t value, int length) {
    std::uint32_t reversed = 0;
    for (int i = 0; i < length; ++i) reversed |= ((value >> i) & 1u) << (length - 1 - i);
    bits(reversed, length);
  }
  void flush() {
    if (used_ > 0) out_.push_back(static_cast<std::uint8_t>(acc_ & 0xFF));
    acc_ = 0;
    used_ = 0;
  }

 private:
  std::vector<std::uint8_t>& out_;
  std::uint64_t acc_ = 0;
  int used_ = 0;
};

// The fixed literal/length code of RFC 1951 3.2.6.
void fixed_symbol(BitWriter& w, std::uint32_t symbol) {
  if (symbol < 144) {
    w.code(0x30 + symbol, 8);
  } else if (symbol < 256) {
    w.code(0x190 + symbol - 144, 9);
  } else if (symbol < 280) {
    w.code(symbol - 256, 7);
  } else {
    w.code(0xC0 + symbol - 280, 8);
  }
}

template <std::size_t N>
std::size_t code_index(const std::array<std::uint16_t, N>& base, std::size_t value) {
  std::size_t i = N - 1;
  while (base[i] > value) --i;
  return i;
}

void emit_match(BitWriter& w, std::size_t length, std::size_t distance) {
  const std::size_t l = code_index(kLengthBase, length);
  fixed_symbol(w, static_cast<std::uint32_t>(257 + l));
  w.bits(static_cast<std::uint32_t>(length - kLengthBase[l]), kLengthExtra[l]);
  const std::size_t d = code_index(kDistBase, distance);
  w.code(static_cast<std::uint32_t>(d), 5);
  w.bits(static_cast<std::uint32_t>(distance - kDistBase[d]), kDistExtra[d]);
}

// LZ77 over a 32 KiB window: the run (distance 1) and previous-row candidates first, then a
// short hash chain over 3-byte prefixes.
class Matcher {
 public:
  Matcher(std::span<const std::uint8_t> data, std::size_t row_bytes)
      : data_(data), row_bytes_(row_bytes), head_(1u << kHashBits, -1), prev_(kWindow, -1) {}

  // Longest match at `pos` as (length, distance); length 0 when none reaches kMinMatch.
  std::pair<std::size_t, std::size_t> find(std::size_t pos) const {
    std::pair<std::size_t, std::size_t> best{0, 0};
    try_distance(pos, 1, best);
    try_distance(pos, row_bytes_, best);
    std::int64_t candidate = pos + kMinMatch <= data_.size() ? head_[hash(pos)] : -1;
    // Entries older than the window may have been overwritten: stop at the first one.
    for (int i = 0; i < kMaxChain && candidate >= 0; ++i) {
      const std::size_t distance = pos - static_cast<std::size_t>(candidate);
      if (distance > kWindow) break;
      try_distance(pos, distance, best);
      candidate = prev_[static_cast<std::size_t>(candidate) % kWindow];
    }
    return best.first >= kMinMatch ? best : std::pair<std::size_t, std::size_t>{0, 0};
  }

  void insert(std::size_t pos) {
    if (pos + kMinMatch > data_.size()) return;
    const std::size_t h = hash(pos);
    prev_[pos % kWindow] = head_[h];
    head_[h] = static_cast<std::int64_t>(pos);
  }

 private:
  std::size_t hash(std::size_t pos) const {
    const std::uint32_t v = static_cast<std::uint32_t>(data_[pos]) << 16 |
                            static_cast<std::uint32_t>(data_[pos + 1]) << 8 | data_[pos + 2];
    return (v * 2654435761u) >> (32 - kHashBits);
  }

  void try_distance(std::size_t pos, std::size_t distance,
                    std::pair<std::size_t, std::size_t>& best) const {
    if (distance == 0 || distance > pos || distance > kWindow) return;
    const std::size_t limit = std::min(kMaxMatch, data_.size() - pos);
    std::size_t length = 0;
    while (length < limit && data_[pos + length] == data_[pos + length - distance]) ++length;
    if (length > best.first) best = {length, distance};
  }

  std::span<const std::uint8_t> data_;
  std::size_t row_bytes_;
  std::vector<std::int64_t> head_;
  std::vector<std::int64_t> prev_;
};

void append_be32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

void append_chunk(std::vector<std::uint8_t>& out, const char (&type)[5],
                  std::span<const std::uint8_t> data) {
  append_be32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  append_be32(out, crc32(std::span(out).subspan(start)));
}

}  // namespace

std::uint32_t crc32(std::span<const std::uint8_t> bytes, std::uint32_t crc) {
  static const std::array<std::uint32_t, 256> kTable = [] {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[n] = c;
    }
    return table;
  }();
  crc = ~crc;
  for (const std::uint8_t b : bytes) crc = kTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

std::uint32_t adler32(std::span<const std::uint8_t> bytes) {
  constexpr std::uint32_t kMod = 65521;
  std::uint32_t a = 1, b = 0;
  for (const std::uint8_t byte : bytes) {
    a = (a + byte) % kMod;
    b = (b + a) % kMod;
  }
  return b << 16 | a;
}

std::vector<std::uint8_t> filter_scanlines(const Image& image) {
  const std::size_t stride = static_cast<std::size_t>(image.width) * 3;
  std::vector<std::uint8_t> out;
  out.reserve((stride + 1) * static_cast<std::size_t>(image.height));
  std::vector<std::uint8_t> sub(stride), up(stride);
  for (std::size_t y = 0; y < static_cast<std::size_t>(image.height); ++y) {
    const std::uint8_t* row = image.rgb.data() + y * stride;
    const std::uint8_t* above = y > 0 ? row - stride : nullptr;
    long sub_cost = 0, up_cost = 0;  // sum of |residual| as signed bytes: the usual heuristic
    for (std::size_t i = 0; i < stride; ++i) {
      sub[i] = static_cast<std::uint8_t>(row[i] - (i >= 3 ? row[i - 3] : 0));
      up[i] = static_cast<std::uint8_t>(row[i] - (above ? above[i] : 0));
      sub_cost += std::abs(static_cast<std::int8_t>(sub[i]));
      up_cost += std::abs(static_cast<std::int8_t>(up[i]));
    }
    const bool use_up = up_cost < sub_cost;
    out.push_back(use_up ? 2 : 1);
    const std::vector<std::uint8_t>& chosen = use_up ? up : sub;
    out.insert(out.end(), chosen.begin(), chosen.end());
  }
  return out;
}

std::vector<std::uint8_t> zlib_compress(std::span<const std::uint8_t> data, std::size_t row_bytes) {
  std::vector<std::uint8_t> out = {0x78, 0x01};  // deflate, 32K window; (0x7801 % 31) == 0
  BitWriter w(out);
  w.bits(1, 1);  // BFINAL: one block holds everything
  w.bits(1, 2);  // BTYPE 01: fixed Huffman codes
  Matcher matcher(data, row_bytes);
  std::size_t pos = 0;
  while (pos < data.size()) {
    const auto [length, distance] = matcher.find(pos);
    if (length == 0) {
      fixed_symbol(w, data[pos]);
      matcher.insert(pos++);
      continue;
    }
    emit_match(w, length, distance);
    for (std::size_t end = pos + length; pos < end; ++pos) matcher.insert(pos);
  }
  fixed_symbol(w, 256);  // end of block
  w.flush();
  append_be32(out, adler32(data));
  return out;
}

}  // namespace png

std::vector<std::uint8_t> encode_png(const Image& image) {
  static constexpr std::uint8_t kSignature[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<std::uint8_t> out(std::begin(kSignature), std::end(kSignature));
  std::vector<std::uint8_t> header;
  png::append_be32(header, static_cast<std::uint32_t>(image.width));
  png::append_be32(header, static_cast<std::uint32_t>(image.height));
  header.insert(header.end(), {8, 2, 0, 0, 0});  // 8-bit, RGB, deflate, adaptive, no interlace
  png::append_chunk(out, "IHDR", header);
  const std::vector<std::uint8_t> scanlines = png::filter_scanlines(image);
  png::append_chunk(out, "IDAT",
                    png::zlib_compress(scanlines, static_cast<std::size_t>(image.width) * 3 + 1));
  png::append_chunk(out, "IEND", {});
  return out;
}

Status write_png(const Image& image, const std::filesystem::path& path) {
  if (image.width <= 0 || image.height <= 0 ||
      image.rgb.size() != static_cast<std::size_t>(image.width) * image.height * 3) {
    return invalid_argument(path.string() + ": image is " + std::to_string(image.width) + "x" +
                            std::to_string(image.height) + " with " +
                            std::to_string(image.rgb.size()) + " bytes of RGB");
  }
  const std::vector<std::uint8_t> bytes = encode_png(image);
  return write_file_atomically(
      path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace rerankd::bench
