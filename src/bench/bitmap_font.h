// A 5x7 bitmap font for the plots' text (ASCII 32..126), drawn onto an Image at an integer
// scale, left to right or (for a y-axis label) bottom to top. The glyphs are rerankd's own.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "bench/plot.h"

namespace rerankd::bench::font {

inline constexpr int kGlyphWidth = 5;
inline constexpr int kGlyphHeight = 7;
inline constexpr int kAdvance = 6;  // glyph width plus one column of space

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
};

// Seven rows, top first; bit 4 is the leftmost column. Characters outside 32..126 get '?'.
const std::array<std::uint8_t, kGlyphHeight>& glyph(char c);

// Width and height in pixels of `text` drawn at `scale`.
int text_width(std::string_view text, int scale);
inline int text_height(int scale) { return kGlyphHeight * scale; }

// Draws `text` with its top-left corner at (x, y); pixels outside the image are skipped.
void draw_text(Image& image, int x, int y, std::string_view text, Rgb color, int scale = 1);
// Draws `text` turned 90 degrees anticlockwise (read bottom to top), its bottom-left corner at
// (x, y).
void draw_text_up(Image& image, int x, int y, std::string_view text, Rgb color, int scale = 1);

}  // namespace rerankd::bench::font
