#include "bench/plot.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <fstream>
#include <stdexcept>

#include "bench/bitmap_font.h"
#include "bench/png_encoder.h"
#include "support/test_env.h"

namespace rerankd::bench {
namespace {

// ---- a small inflater (stored and fixed-Huffman blocks: all encode_png emits), written
// independently of the encoder so the test checks the stream against RFC 1951 itself.
class Inflater {
 public:
  explicit Inflater(std::span<const std::uint8_t> in) : in_(in) {}

  std::vector<std::uint8_t> run() {
    bool last = false;
    while (!last) {
      last = bits(1) == 1;
      const std::uint32_t type = bits(2);
      if (type == 0) {
        stored();
      } else if (type == 1) {
        fixed();
      } else {
        throw std::runtime_error("unexpected block type");
      }
    }
    return out_;
  }
  std::size_t consumed() const { return (bit_ + 7) / 8; }

 private:
  std::uint32_t bits(int n) {
    std::uint32_t v = 0;
    for (int i = 0; i < n; ++i, ++bit_) {
      if (bit_ / 8 >= in_.size()) throw std::runtime_error("out of input");
      v |= static_cast<std::uint32_t>((in_[bit_ / 8] >> (bit_ % 8)) & 1) << i;
    }
    return v;
  }
  std::uint32_t huffman_bits(int n) {  // most significant bit first
    std::uint32_t v = 0;
    for (int i = 0; i < n; ++i) v = v << 1 | bits(1);
    return v;
  }
  void stored() {
    bit_ = (bit_ + 7) / 8 * 8;
    const std::uint32_t len = bits(16), nlen = bits(16);
    if ((len ^ 0xFFFF) != nlen) throw std::runtime_error("bad stored length");
    for (std::uint32_t i = 0; i < len; ++i) out_.push_back(static_cast<std::uint8_t>(bits(8)));
  }
  std::uint32_t fixed_symbol() {
    std::uint32_t code = huffman_bits(7);
    if (code <= 0x17) return code + 256;
    code = code << 1 | bits(1);
    if (code >= 0x30 && code <= 0xBF) return code - 0x30;
    if (code >= 0xC0 && code <= 0xC7) return code - 0xC0 + 280;
    code = code << 1 | bits(1);
    return code - 0x190 + 144;
  }
  void fixed() {
    static constexpr std::array<int, 29> kLen = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                                 15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                                 67, 83, 99, 115, 131, 163, 195, 227, 258};
    static constexpr std::array<int, 30> kDist = {
        1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
        193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    while (true) {
      const std::uint32_t sym = fixed_symbol();
      if (sym < 256) {
        out_.push_back(static_cast<std::uint8_t>(sym));
        continue;
      }
      if (sym == 256) return;
      const int l = static_cast<int>(sym) - 257;
      const int lextra = l < 8 || l == 28 ? 0 : (l - 4) / 4;
      const std::size_t length = kLen[l] + bits(lextra);
      const int d = static_cast<int>(huffman_bits(5));
      const int dextra = d < 4 ? 0 : (d - 2) / 2;
      const std::size_t dist = kDist[d] + bits(dextra);
      if (dist > out_.size()) throw std::runtime_error("distance before start");
      for (std::size_t i = 0; i < length; ++i) out_.push_back(out_[out_.size() - dist]);
    }
  }

  std::span<const std::uint8_t> in_;
  std::size_t bit_ = 0;
  std::vector<std::uint8_t> out_;
};

std::uint32_t be32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

struct Chunk {
  std::string type;
  std::vector<std::uint8_t> data;
};

// Splits a PNG into chunks, checking the signature and every CRC.
std::vector<Chunk> chunks(const std::vector<std::uint8_t>& png) {
  static constexpr std::uint8_t kSig[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  EXPECT_TRUE(png.size() > 8 && std::equal(std::begin(kSig), std::end(kSig), png.begin()));
  std::vector<Chunk> out;
  for (std::size_t pos = 8; pos + 12 <= png.size();) {
    const std::uint32_t len = be32(&png[pos]);
    Chunk c{std::string(png.begin() + pos + 4, png.begin() + pos + 8),
            {png.begin() + pos + 8, png.begin() + pos + 8 + len}};
    EXPECT_EQ(be32(&png[pos + 8 + len]), png::crc32(std::span(png).subspan(pos + 4, len + 4)))
        << c.type;
    out.push_back(std::move(c));
    pos += 12 + len;
  }
  return out;
}

Image gradient(int w, int h) {
  Image image{w, h, std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h * 3, 255)};
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w / 2; ++x) {
      std::uint8_t* p = &image.rgb[(static_cast<std::size_t>(y) * w + x) * 3];
      p[0] = static_cast<std::uint8_t>(x * 7), p[1] = static_cast<std::uint8_t>(y * 13), p[2] = 9;
    }
  }
  return image;
}

TEST(Png, ChecksumsMatchKnownValues) {
  const std::string text = "123456789";
  const std::span bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  EXPECT_EQ(png::crc32(bytes), 0xCBF43926u);    // the CRC-32 check value
  EXPECT_EQ(png::adler32(bytes), 0x091E01DEu);  // Adler-32 of the same
}

TEST(Png, StructureAndDataInflateToTheFilteredScanlines) {
  const Image image = gradient(37, 23);
  const std::vector<std::uint8_t> png = encode_png(image);
  const std::vector<Chunk> parts = chunks(png);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].type, "IHDR");
  EXPECT_EQ(parts[1].type, "IDAT");
  EXPECT_EQ(parts[2].type, "IEND");
  const auto& h = parts[0].data;
  ASSERT_EQ(h.size(), 13u);
  EXPECT_EQ(be32(&h[0]), 37u);
  EXPECT_EQ(be32(&h[4]), 23u);
  EXPECT_EQ(std::vector<std::uint8_t>(h.begin() + 8, h.end()),
            (std::vector<std::uint8_t>{8, 2, 0, 0, 0}));
  const auto& z = parts[1].data;
  ASSERT_GT(z.size(), 6u);
  EXPECT_EQ(z[0] & 0x0F, 8);               // CM = deflate
  EXPECT_EQ((z[0] * 256 + z[1]) % 31, 0);  // FCHECK
  Inflater inflater{std::span(z).subspan(2)};
  const std::vector<std::uint8_t> raw = inflater.run();
  EXPECT_EQ(raw, png::filter_scanlines(image));
  ASSERT_EQ(2 + inflater.consumed() + 4, z.size());
  EXPECT_EQ(be32(&z[z.size() - 4]), png::adler32(raw));
}

TEST(Png, FilteredScanlinesUndoToTheImage) {
  const Image image = gradient(16, 9);
  const std::vector<std::uint8_t> f = png::filter_scanlines(image);
  const std::size_t stride = 16 * 3;
  ASSERT_EQ(f.size(), (stride + 1) * 9);
  std::vector<std::uint8_t> back;
  for (std::size_t y = 0; y < 9; ++y) {
    const std::uint8_t type = f[y * (stride + 1)];
    ASSERT_TRUE(type == 1 || type == 2);
    for (std::size_t i = 0; i < stride; ++i) {
      const std::uint8_t prior = type == 1 ? (i >= 3 ? back[y * stride + i - 3] : 0)
                                           : (y > 0 ? back[(y - 1) * stride + i] : 0);
      back.push_back(static_cast<std::uint8_t>(f[y * (stride + 1) + 1 + i] + prior));
    }
  }
  EXPECT_EQ(back, image.rgb);
}

PlotSpec two_series() {
  PlotSpec spec;
  spec.title = "05_batch: throughput";
  spec.x_label = "Batch";
  spec.y_label = "pairs/s";
  spec.log2_x = true;
  spec.series = {{"rerankd", {8, 16, 32, 64, 128}, {200, 330, 500, 690, 725}},
                 {"onnxruntime", {8, 64}, {150, 400}}};
  return spec;
}

TEST(Plot, PaintsSeriesPointsAndLeavesCornersWhite) {
  const Image image = draw_plot(two_series());
  ASSERT_EQ(image.width, 800);
  ASSERT_EQ(image.height, 500);
  const auto at = [&](int x, int y) {
    const std::uint8_t* p = &image.rgb[(static_cast<std::size_t>(y) * image.width + x) * 3];
    return std::array<int, 3>{p[0], p[1], p[2]};
  };
  EXPECT_EQ(at(image.width - 2, image.height - 2), (std::array<int, 3>{255, 255, 255}));
  EXPECT_EQ(at(1, 1), (std::array<int, 3>{255, 255, 255}));
  // The last rerankd point: x = 128 at the right end of a 8..128 log2 axis, y = 725 of 0..800.
  const int plot_x1 = 800 - 24, plot_y0 = 44, plot_y1 = 500 - 56;
  const int y = plot_y1 - static_cast<int>(725.0 / 800.0 * (plot_y1 - plot_y0) + 0.5);
  EXPECT_NE(at(plot_x1, y), (std::array<int, 3>{255, 255, 255}));
  EXPECT_NE(at(plot_x1 - 2, y + 2), (std::array<int, 3>{255, 255, 255}));
}

TEST(Plot, EmptyAndDegenerateSpecsStillDraw) {
  PlotSpec spec;
  spec.series = {{"one", {4}, {0}}};
  const Image one = draw_plot(spec);
  EXPECT_EQ(one.rgb.size(), 800u * 500u * 3u);
  spec.series.clear();
  spec.log2_x = true;
  EXPECT_EQ(draw_plot(spec).rgb.size(), 800u * 500u * 3u);
  // Values that have no place on the plot are skipped, not drawn to wherever they cast.
  spec.series = {{"bad", {0, -1, 2, 4, 8}, {1, 2, std::nan(""), HUGE_VAL, 3}}};
  EXPECT_EQ(draw_plot(spec).rgb.size(), 800u * 500u * 3u);
}

TEST(Plot, WritesAFileAndRejectsABadImage) {
  const auto dir = rerankd::testing::make_temp_dir("plot");
  ASSERT_TRUE(write_png(draw_plot(two_series()), dir / "t.png").ok());
  std::ifstream in(dir / "t.png", std::ios::binary);
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(chunks(bytes).size(), 3u);
  EXPECT_LT(bytes.size(), 100000u);  // compressed: raw scanlines would be 1.2 MB
  EXPECT_FALSE(std::filesystem::exists(dir / "t.png.tmp"));
  const Status bad = write_png(Image{2, 2, {1, 2, 3}}, dir / "bad.png");
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("bad.png"), std::string::npos);
}

TEST(Font, CoversPrintableAscii) {
  const auto& question = font::glyph('?');
  for (int c = 33; c <= 126; ++c) {
    const auto& g = font::glyph(static_cast<char>(c));
    int lit = 0;
    for (const std::uint8_t row : g) lit += __builtin_popcount(row);
    EXPECT_GT(lit, 0) << "glyph " << static_cast<char>(c) << " is empty";
    if (c != '?') {
      EXPECT_NE(&g, &question) << static_cast<char>(c);
    }
  }
  for (const std::uint8_t row : font::glyph(' ')) EXPECT_EQ(row, 0);
  EXPECT_NE(font::glyph('0'), font::glyph('O'));
  EXPECT_EQ(font::text_width("ab", 2), 22);
}

TEST(ExperimentPlots, OneSeriesPerSystemAndOtherParams) {
  ExperimentResult r;
  r.experiment = "07";
  r.x_key = "batching.max_batch_size";
  for (const char* clients : {"4", "8"}) {
    for (const char* batch : {"64", "8", "32"}) {
      ResultPoint p;
      p.params = {{"batching.max_batch_size", batch}, {"load.clients", clients}};
      p.pairs_per_s = std::stod(batch) * 10;
      p.latency_ms.p50 = std::stod(clients);
      r.points.push_back(p);
    }
  }
  r.points.back().status = PointStatus::kFailed;
  const std::vector<PlotSpec> plots = experiment_plots(r);
  ASSERT_EQ(plots.size(), 2u);
  EXPECT_TRUE(plots[0].log2_x);
  EXPECT_EQ(plots[0].x_label, "Batch");
  ASSERT_EQ(plots[0].series.size(), 2u);
  EXPECT_EQ(plots[0].series[0].name, "rerankd Clients=4");
  EXPECT_EQ(plots[0].series[0].x, (std::vector<double>{8, 32, 64}));
  EXPECT_EQ(plots[0].series[0].y, (std::vector<double>{80, 320, 640}));
  EXPECT_EQ(plots[0].series[1].x, (std::vector<double>{8, 64}));  // the failed point left out
  EXPECT_EQ(plots[1].series[1].y, (std::vector<double>{8, 8}));
  r.points[0].params[0].second = "auto";
  EXPECT_TRUE(experiment_plots(r).empty());
  r.x_key.clear();
  EXPECT_TRUE(experiment_plots(r).empty());
}

}  // namespace
}  // namespace rerankd::bench
