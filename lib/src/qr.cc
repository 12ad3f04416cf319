#include "ticket/qr.h"

#include <png.h>
#include <qrencode.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "ticket/files.h"
#include "ticket/text.h"

namespace ticket {

namespace {

struct QrcodeFree {
  void operator()(QRcode* code) const { QRcode_free(code); }
};

// The code with its quiet zone: true where a module of the image is dark.
bool dark_with_margin(const QrCode& code, int x, int y) {
  x -= kQrQuietZone;
  y -= kQrQuietZone;
  return x >= 0 && y >= 0 && x < code.width && y < code.width && code.is_dark(x, y);
}

int side_with_margin(const QrCode& code) { return code.width + 2 * kQrQuietZone; }

}  // namespace

Result<QrCode> encode_qr(std::string_view text) {
  if (text.empty()) return invalid("an empty text has no QR code");
  if (text.find('\0') != std::string_view::npos) {
    return invalid("a text with a NUL byte cannot be drawn as a QR code");
  }
  const std::string s(text);
  // Version 0: the smallest that holds the text. The 8-bit hint with case
  // kept lets libqrencode split the text into numeric, alphanumeric and byte
  // segments, so an alphanumeric text is encoded in alphanumeric mode.
  std::unique_ptr<QRcode, QrcodeFree> qr(
      QRcode_encodeString(s.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  const std::string too_long = "a text of " + std::to_string(text.size()) +
                               " bytes does not fit a QR code of version " +
                               std::to_string(kQrMaxVersion) + " at level M";
  if (!qr) {
    if (errno == ERANGE) return invalid(too_long);
    return internal(std::string("libqrencode cannot encode the text: ") + std::strerror(errno));
  }
  if (qr->version > kQrMaxVersion) return invalid(too_long);
  QrCode code;
  code.version = qr->version;
  code.width = qr->width;
  code.dark.resize(static_cast<size_t>(qr->width) * qr->width);
  for (size_t i = 0; i < code.dark.size(); ++i) code.dark[i] = (qr->data[i] & 1) != 0;
  return code;
}

std::string qr_terminal(const QrCode& code) {
  // Light modules are blocks: drawn in the terminal's (light) text colour on
  // its (dark) background, the code reads dark on light, as `qrencode -t UTF8`.
  static constexpr const char* kGlyph[4] = {
      "\u2588",  // both light
      "\u2580",  // upper light, lower dark
      "\u2584",  // upper dark, lower light
      " ",       // both dark
  };
  const int side = side_with_margin(code);
  std::string out;
  for (int y = 0; y < side; y += 2) {
    for (int x = 0; x < side; ++x) {
      const bool upper = dark_with_margin(code, x, y);
      const bool lower = y + 1 < side && dark_with_margin(code, x, y + 1);
      out += kGlyph[(upper ? 2 : 0) + (lower ? 1 : 0)];
    }
    out += '\n';
  }
  return out;
}

Status write_qr_png(const QrCode& code, const std::string& path, int scale) {
  if (scale < 1 || scale > 64) {
    return invalid("the scale of a QR image is 1 to 64 pixels a module, not " +
                   std::to_string(scale));
  }
  const int side = side_with_margin(code) * scale;
  std::string pixels(static_cast<size_t>(side) * side, '\xff');
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x) {
      if (dark_with_margin(code, x / scale, y / scale))
        pixels[static_cast<size_t>(y) * side + x] = 0;
    }
  }
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(side);
  image.height = static_cast<png_uint_32>(side);
  image.format = PNG_FORMAT_GRAY;
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), 0, nullptr)) {
    return internal(std::string("libpng cannot encode the QR image: ") + image.message);
  }
  std::string bytes(size, '\0');
  if (!png_image_write_to_memory(&image, bytes.data(), &size, 0, pixels.data(), 0, nullptr)) {
    return internal(std::string("libpng cannot encode the QR image: ") + image.message);
  }
  bytes.resize(size);
  return replace_file(path, bytes);
}

Status write_qr_svg(const QrCode& code, const std::string& path) {
  const std::string side = std::to_string(side_with_margin(code));
  const std::string pixels = std::to_string(side_with_margin(code) * kQrDefaultScale);
  std::string d;
  for (int y = 0; y < code.width; ++y) {
    for (int x = 0; x < code.width;) {
      if (!code.is_dark(x, y)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < code.width && code.is_dark(x + run, y)) ++run;
      d += "M" + std::to_string(x + kQrQuietZone) + " " + std::to_string(y + kQrQuietZone) + "h" +
           std::to_string(run) + "v1h-" + std::to_string(run) + "z";
      x += run;
    }
  }
  const std::string svg =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
      pixels + "\" height=\"" + pixels + "\" viewBox=\"0 0 " + side + " " + side +
      "\" shape-rendering=\"crispEdges\">\n"
      "<rect width=\"" +
      side + "\" height=\"" + side +
      "\" fill=\"#fff\"/>\n"
      "<path fill=\"#000\" d=\"" +
      d +
      "\"/>\n"
      "</svg>\n";
  return replace_file(path, svg);
}

}  // namespace ticket
