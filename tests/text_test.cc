#include "ticket/text.h"

#include <gtest/gtest.h>

namespace ticket {
namespace {

TEST(Text, QuotedEscapesControlCharactersAndCutsLongInput) {
  EXPECT_EQ(quote("abc"), "'abc'");
  EXPECT_EQ(quote("a\nb\x01"), "'a\\x0Ab\\x01'");
  EXPECT_EQ(quote("it's"), "'it\\'s'");
  const std::string huge(10 * 1024 * 1024, 'x');
  const std::string q = quote(huge);
  EXPECT_LT(q.size(), 80u);
  EXPECT_NE(q.find("(10485760 bytes)"), std::string::npos);
  EXPECT_EQ(quote("\xff\xfe"), "'\\xFF\\xFE'");
}

TEST(Text, PrintableUtf8) {
  EXPECT_TRUE(is_printable_utf8("Zoë Müller-Łukasz 李"));
  EXPECT_FALSE(is_printable_utf8("tab\there"));
  EXPECT_FALSE(is_printable_utf8(std::string("a\0b", 3)));
  EXPECT_FALSE(is_printable_utf8("\x7f"));
  EXPECT_FALSE(is_printable_utf8("\xc0\xaf"));      // overlong
  EXPECT_FALSE(is_printable_utf8("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(is_printable_utf8("\xc2\x85"));      // C1 control (NEL)
  EXPECT_EQ(utf8_length("Zoë"), 3u);
}

TEST(Text, PrintableEscapesWhatCouldDriveATerminal) {
  EXPECT_EQ(printable("Zoë Müller-Łukasz 李"), "Zoë Müller-Łukasz 李");
  EXPECT_EQ(printable("a\x1b[2Jb"), "a\\x1B[2Jb");
  EXPECT_EQ(printable("\x1b]0;pwned\x07"), "\\x1B]0;pwned\\x07");
  EXPECT_EQ(printable(std::string("a\0b\x7f", 4)), "a\\x00b\\x7F");
  EXPECT_EQ(printable("two\nlines\r\tx"), "two\\x0Alines\\x0D\\x09x");
  EXPECT_EQ(printable("two\nlines\r", "\n"), "two\nlines\\x0D");
  EXPECT_EQ(printable("\xc2\x9b"
                      "31m \xc2\x85"),
            "\\u{9B}31m \\u{85}");                               // C1: CSI, NEL
  EXPECT_EQ(printable("\xc2\xa0\xc2\xa9"), "\xc2\xa0\xc2\xa9");  // NBSP and (c) are text
  EXPECT_EQ(printable("abc\xe2\x80\xae"
                      "fdp.exe \xe2\x81\xa6x\xe2\x81\xa9"),
            "abc\\u{202E}fdp.exe \\u{2066}x\\u{2069}");
  EXPECT_EQ(printable("\xe2\x80\xa9"), "\xe2\x80\xa9");  // U+2029 is not an override
  EXPECT_EQ(printable("\xff\xfe ok \xc0\xaf \xed\xa0\x80 \xe2\x80"),
            "\\xFF\\xFE ok \\xC0\\xAF \\xED\\xA0\\x80 \\xE2\\x80");
  for (const std::string s : {"a\x1b[2Jb\n\xc2\x9b\xe2\x80\xae\xff", "plain \\x1B text"}) {
    EXPECT_EQ(printable(printable(s)), printable(s)) << s;
    EXPECT_TRUE(is_printable_utf8(printable(s))) << s;
  }
}

TEST(Text, ParseIntTakesDigitsOnly) {
  EXPECT_EQ(parse_int("42", 0, 100), 42);
  EXPECT_EQ(parse_int("0", 0, 100), 0);
  EXPECT_FALSE(parse_int("-1", 0, 100));
  EXPECT_FALSE(parse_int("+1", 0, 100));
  EXPECT_FALSE(parse_int("1e3", 0, 10000));
  EXPECT_FALSE(parse_int(" 1", 0, 100));
  EXPECT_FALSE(parse_int("", 0, 100));
  EXPECT_FALSE(parse_int("101", 0, 100));
  EXPECT_FALSE(parse_int("12345678901234567890", 0, INT64_MAX));
}

}  // namespace
}  // namespace ticket
