// A text drawn as a QR code: on the terminal, as a PNG and as an SVG image.
//
// The code is at error-correction level M, of the smallest version that holds
// the text, at most version 8 (a pass of up to 200 characters of the QR
// alphanumeric set fits it). Images have the standard quiet zone of 4 light
// modules on every side (docs/design.md, "QR codes").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ticket/error.h"

namespace ticket {

inline constexpr int kQrMaxVersion = 8;
inline constexpr int kQrQuietZone = 4;
inline constexpr int kQrDefaultScale = 8;

struct QrCode {
  int version = 0;
  int width = 0;           // modules per side, without the quiet zone
  std::vector<bool> dark;  // width * width modules, row-major; true = dark

  bool is_dark(int x, int y) const { return dark[static_cast<size_t>(y) * width + x]; }
};

// The QR code of `text` (case kept; numeric, alphanumeric and byte segments
// chosen by libqrencode to make it smallest). kInvalid for an empty text, a
// text with a NUL byte, or one that needs more than version 8 at level M.
Result<QrCode> encode_qr(std::string_view text);

// The code as lines of Unicode half blocks (U+2580, U+2584, U+2588 and space),
// two module rows a line, quiet zone included, each line ending in '\n'.
// Like `qrencode -t UTF8`, it is drawn for a terminal with light text on a
// dark background: light modules are blocks, dark modules are blanks.
// (width + 9) / 2 lines of width + 8 characters.
std::string qr_terminal(const QrCode& code);

// Writes the code as an 8-bit grayscale PNG, `scale` pixels a module (1-64),
// black on white, quiet zone included. The file is written beside `path`
// under a temporary name and renamed over it, mode 0644. kInvalid when
// `path` cannot be written, naming it and the system's reason.
Status write_qr_png(const QrCode& code, const std::string& path, int scale = kQrDefaultScale);

// Writes the code as a self-contained SVG image: a white background and one
// path of the dark modules, in a viewBox of width + 8 modules (quiet zone
// included), shown at 8 pixels a module. Same file rules as write_qr_png.
Status write_qr_svg(const QrCode& code, const std::string& path);

}  // namespace ticket
