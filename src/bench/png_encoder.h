// The pieces of encode_png (plot.h), exposed so tests can check each one: PNG scanline
// filtering, a DEFLATE compressor (fixed-Huffman codes with LZ77 matches) in a zlib stream,
// and the two checksums. Follows RFC 1950 (zlib), RFC 1951 (DEFLATE) and the PNG spec (ISO/IEC
// 15948) for the formats; the matcher is our own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "bench/plot.h"

namespace rerankd::bench::png {

// CRC-32 (IEEE, reflected, as PNG chunks use), continuing from `crc` (0 to start).
std::uint32_t crc32(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0);
std::uint32_t adler32(std::span<const std::uint8_t> bytes);

// The image's scanlines, each a filter-type byte (1 = Sub or 2 = Up, whichever leaves smaller
// residuals) followed by the filtered row: what the IDAT stream holds once inflated.
std::vector<std::uint8_t> filter_scanlines(const Image& image);

// A zlib stream (header, one final fixed-Huffman DEFLATE block, Adler-32) of `data`.
// `row_bytes`: the scanline length with its filter byte, tried as a match distance so that a
// row repeating the one above costs a few bytes.
std::vector<std::uint8_t> zlib_compress(std::span<const std::uint8_t> data, std::size_t row_bytes);

}  // namespace rerankd::bench::png
