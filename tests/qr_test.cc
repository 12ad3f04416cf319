#include "ticket/qr.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/process.h"
#include "support/servers.h"

namespace ticket {
namespace {

using testing::read_file;
using testing::TempDir;

constexpr std::string_view kAlphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

// `n` characters of the QR alphanumeric set, every one of them when n >= 45.
std::string alphanumeric_text(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += kAlphanumeric[(i * 7) % kAlphanumeric.size()];
  return s;
}

bool have_zbarimg() { return access("/usr/bin/zbarimg", X_OK) == 0; }

// What zbarimg reads from the image: the text and a newline, or "" with
// its exit code and message.
std::string zbar_read(const std::string& path) {
  const testing::ToolRun r = testing::run({"/usr/bin/zbarimg", "--raw", "-q", path});
  if (r.exit_code != 0) return "exit " + std::to_string(r.exit_code) + ": " + r.err;
  return r.out;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The glyphs of one terminal line, each a UTF-8 string.
std::vector<std::string> glyphs(const std::string& line) {
  std::vector<std::string> out;
  for (size_t i = 0; i < line.size();) {
    const size_t n = (static_cast<unsigned char>(line[i]) & 0x80) == 0 ? 1 : 3;
    out.push_back(line.substr(i, n));
    i += n;
  }
  return out;
}

TEST(Qr, PassOf200AlphanumericCharactersFitsVersion8) {
  const std::string text = alphanumeric_text(200);
  Result<QrCode> code = encode_qr(text);
  ASSERT_TRUE(code.ok()) << code.error().message();
  // In byte mode 200 characters would need version 10: this is alphanumeric.
  EXPECT_EQ(code->version, 8);
  EXPECT_EQ(code->width, 17 + 4 * code->version);
  EXPECT_EQ(code->dark.size(), static_cast<size_t>(code->width * code->width));
}

TEST(Qr, ShortTextIsSmallestVersion) {
  Result<QrCode> code = encode_qr("TB-7K2Q");
  ASSERT_TRUE(code.ok()) << code.error().message();
  EXPECT_EQ(code->version, 1);
  EXPECT_EQ(code->width, 21);
}

TEST(Qr, TextBeyondVersion8IsInvalid) {
  // 221 alphanumeric characters are the most that version 8-M holds.
  Result<QrCode> most = encode_qr(alphanumeric_text(221));
  ASSERT_TRUE(most.ok());
  EXPECT_EQ(most->version, 8);
  Result<QrCode> code = encode_qr(alphanumeric_text(222));
  ASSERT_FALSE(code.ok());
  EXPECT_EQ(code.error().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(code.error().message(),
            "a text of 222 bytes does not fit a QR code of version 8 at level M");
  Result<QrCode> huge = encode_qr(std::string(5000, 'A'));
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().message(),
            "a text of 5000 bytes does not fit a QR code of version 8 at level M");
}

TEST(Qr, EmptyTextOrNulByteIsInvalid) {
  Result<QrCode> empty = encode_qr("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(empty.error().message(), "an empty text has no QR code");
  Result<QrCode> nul = encode_qr(std::string_view("AB\0C", 4));
  ASSERT_FALSE(nul.ok());
  EXPECT_EQ(nul.error().message(), "a text with a NUL byte cannot be drawn as a QR code");
}

TEST(Qr, PngDecodesBackToTheTextWithZbarimg) {
  if (!have_zbarimg())
    GTEST_SKIP() << "zbarimg is not installed (scripts/deps installs zbar-tools)";
  TempDir dir;
  const std::vector<std::string> texts = {"TB-7K2Q", std::string(kAlphanumeric),
                                          alphanumeric_text(200), "Mixed case: tb-7k2q TB-7K2Q"};
  for (const std::string& text : texts) {
    Result<QrCode> code = encode_qr(text);
    ASSERT_TRUE(code.ok()) << code.error().message();
    const std::string path = dir.path() + "/pass.png";
    ASSERT_TRUE(write_qr_png(*code, path).ok());
    EXPECT_EQ(zbar_read(path), text + "\n") << "version " << code->version;
  }
}

TEST(Qr, PngIsMode0644AtItsScale) {
  TempDir dir;
  Result<QrCode> code = encode_qr("TB-7K2Q");
  ASSERT_TRUE(code.ok());
  const std::string path = dir.path() + "/pass.png";
  ASSERT_TRUE(write_qr_png(*code, path, 3).ok());
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  const std::string png = read_file(path);
  ASSERT_GT(png.size(), 24u);
  EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");
  // IHDR: width and height, big-endian, then 8-bit grayscale.
  const auto u32 = [&](size_t at) {
    return (static_cast<unsigned char>(png[at]) << 24) |
           (static_cast<unsigned char>(png[at + 1]) << 16) |
           (static_cast<unsigned char>(png[at + 2]) << 8) | static_cast<unsigned char>(png[at + 3]);
  };
  EXPECT_EQ(u32(16), (21u + 8u) * 3u);
  EXPECT_EQ(u32(20), (21u + 8u) * 3u);
  EXPECT_EQ(png[24], 8);
  EXPECT_EQ(png[25], 0);
  Status bad = write_qr_png(*code, path, 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "the scale of a QR image is 1 to 64 pixels a module, not 0");
}

TEST(Qr, UnwritablePathIsInvalidWithOneLine) {
  Result<QrCode> code = encode_qr("TB-7K2Q");
  ASSERT_TRUE(code.ok());
  Status png = write_qr_png(*code, "/nonexistent/dir/x.png");
  ASSERT_FALSE(png.ok());
  EXPECT_EQ(png.error().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(png.error().message(),
            "cannot write '/nonexistent/dir/x.png': No such file or directory");
  Status svg = write_qr_svg(*code, "/nonexistent/dir/x.svg");
  ASSERT_FALSE(svg.ok());
  EXPECT_EQ(svg.error().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(svg.error().message(),
            "cannot write '/nonexistent/dir/x.svg': No such file or directory");
  TempDir dir;
  Status onto_dir = write_qr_png(*code, dir.path());
  ASSERT_FALSE(onto_dir.ok());
  EXPECT_EQ(onto_dir.error().message().find('\n'), std::string::npos);
}

TEST(Qr, TerminalDrawingIsHalfBlocksWithQuietZone) {
  for (const std::string& text : {std::string("TB-7K2Q"), alphanumeric_text(200)}) {
    Result<QrCode> code = encode_qr(text);
    ASSERT_TRUE(code.ok());
    const std::string drawn = qr_terminal(*code);
    ASSERT_EQ(drawn.back(), '\n');
    const std::vector<std::string> lines = split_lines(drawn);
    ASSERT_EQ(lines.size(), static_cast<size_t>((code->width + 8 + 1) / 2));
    for (const std::string& line : lines) {
      const std::vector<std::string> g = glyphs(line);
      ASSERT_EQ(g.size(), static_cast<size_t>(code->width + 8));
      for (const std::string& c : g) {
        EXPECT_TRUE(c == " " || c == "\u2580" || c == "\u2584" || c == "\u2588") << "'" << c << "'";
      }
    }
  }
}

TEST(Qr, TerminalDrawingShowsLightModulesAsBlocks) {
  // Read back as a terminal shows it (blocks in light text colour on a dark
  // background), the drawing is the code, dark on light, in its quiet zone;
  // zbarimg reads that picture.
  Result<QrCode> code = encode_qr(alphanumeric_text(200));
  ASSERT_TRUE(code.ok());
  const std::vector<std::string> lines = split_lines(qr_terminal(*code));
  const int side = code->width + 8;
  QrCode seen;
  seen.width = side;
  seen.dark.assign(static_cast<size_t>(side) * side, false);
  for (size_t row = 0; row < lines.size(); ++row) {
    const std::vector<std::string> g = glyphs(lines[row]);
    for (int x = 0; x < side; ++x) {
      const bool upper_light = g[x] == "\u2588" || g[x] == "\u2580";
      const bool lower_light = g[x] == "\u2588" || g[x] == "\u2584";
      const int y = static_cast<int>(row) * 2;
      seen.dark[static_cast<size_t>(y) * side + x] = !upper_light;
      if (y + 1 < side) seen.dark[static_cast<size_t>(y + 1) * side + x] = !lower_light;
    }
  }
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x) {
      const bool inside = x >= 4 && y >= 4 && x < side - 4 && y < side - 4;
      const bool want = inside && code->is_dark(x - 4, y - 4);
      ASSERT_EQ(seen.is_dark(x, y), want) << "module " << x << "," << y;
    }
  }
  if (!have_zbarimg())
    GTEST_SKIP() << "zbarimg is not installed (scripts/deps installs zbar-tools)";
  TempDir dir;
  ASSERT_TRUE(write_qr_png(seen, dir.path() + "/terminal.png").ok());
  EXPECT_EQ(zbar_read(dir.path() + "/terminal.png"), alphanumeric_text(200) + "\n");
}

TEST(Qr, SvgIsXmlInAViewBoxWithTheQuietZone) {
  TempDir dir;
  const std::string text = alphanumeric_text(200);
  Result<QrCode> code = encode_qr(text);
  ASSERT_TRUE(code.ok());
  const std::string path = dir.path() + "/pass.svg";
  ASSERT_TRUE(write_qr_svg(*code, path).ok());
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  const std::string svg = read_file(path);
  const std::string side = std::to_string(code->width + 8);
  EXPECT_NE(svg.find("viewBox=\"0 0 " + side + " " + side + "\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("shape-rendering=\"crispEdges\""), std::string::npos);
  EXPECT_EQ(svg.find("<path"), svg.rfind("<path"));
  if (access("/usr/bin/xmllint", X_OK) == 0) {
    const testing::ToolRun lint = testing::run({"/usr/bin/xmllint", "--noout", path});
    EXPECT_EQ(lint.exit_code, 0) << lint.err;
  }
  if (!have_zbarimg())
    GTEST_SKIP() << "zbarimg is not installed (scripts/deps installs zbar-tools)";
  EXPECT_EQ(zbar_read(path), text + "\n");
}

}  // namespace
}  // namespace ticket
