// Checking a customer as typed: above all the names that must not reach a
// ticket (blank, hiding themselves, reordering the text around them).
#include "ticket/customer.h"

#include <gtest/gtest.h>

namespace ticket {
namespace {

Result<Customer> with_name(const std::string& name) {
  return validate_customer({name, "30", "female", "AB1234"});
}

std::string refusal(const std::string& name) {
  auto c = with_name(name);
  if (c.ok()) return "accepted as '" + c->name + "'";
  EXPECT_EQ(c.error().kind(), ErrorKind::kInvalid);
  return c.error().message();
}

constexpr const char* kBlank = "--name must not be blank, got ";
constexpr const char* kInvisible =
    "--name must have a visible character, not only invisible ones or marks";

TEST(CustomerName, KeepsRealNamesAndTrimsTheSpacesAroundThem) {
  for (const char* name : {"Ada Lovelace", "Zoë O'Brien", "Łukasz Kowalski", "李小龍", "أحمد",
                           "Siobhán Ó Súilleabháin", "X"}) {
    auto c = with_name(name);
    ASSERT_TRUE(c.ok()) << name << ": " << c.error().message();
    EXPECT_EQ(c->name, name);
  }
  EXPECT_EQ(with_name("  Ada Lovelace ")->name, "Ada Lovelace");
  EXPECT_EQ(with_name("\xE3\x80\x80"
                      "Ada\xC2\xA0")
                ->name,
            "Ada");  // ideographic, no-break
  // Marks on a letter, a zero width joiner inside an emoji sequence and
  // direction marks beside visible text are part of real names.
  EXPECT_EQ(with_name("Zoe\xCC\x88")->name, "Zoe\xCC\x88");
  EXPECT_TRUE(with_name("Ana \xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x8E\xA4").ok());
  EXPECT_TRUE(with_name("\xE2\x80\x8F"
                        "أحمد Lee")
                  .ok());
}

TEST(CustomerName, BlankAfterTrimmingIsRefused) {
  EXPECT_EQ(refusal(" "), std::string(kBlank) + "' '");
  EXPECT_EQ(refusal("   "), std::string(kBlank) + "'   '");
  EXPECT_EQ(refusal("\xC2\xA0"), std::string(kBlank) + "'\xC2\xA0'");  // U+00A0
  EXPECT_EQ(refusal("\xE3\x80\x80 \xE2\x80\x83"),
            std::string(kBlank) + "'\xE3\x80\x80 \xE2\x80\x83'");
  EXPECT_EQ(refusal(""), "--name must be 1 to 255 printable characters, got ''");
  EXPECT_EQ(refusal("\t"), "--name must be 1 to 255 printable characters, got '\\x09'");
}

TEST(CustomerName, BidirectionalOverridesAndIsolatesAreRefused) {
  const std::pair<const char*, const char*> controls[] = {
      {"\xE2\x80\xAA", "U+202A"}, {"\xE2\x80\xAB", "U+202B"}, {"\xE2\x80\xAC", "U+202C"},
      {"\xE2\x80\xAD", "U+202D"}, {"\xE2\x80\xAE", "U+202E"}, {"\xE2\x81\xA6", "U+2066"},
      {"\xE2\x81\xA7", "U+2067"}, {"\xE2\x81\xA8", "U+2068"}, {"\xE2\x81\xA9", "U+2069"}};
  for (const auto& [utf8, name] : controls) {
    const std::string expected =
        std::string("--name must not contain bidirectional overrides or isolates, found ") + name;
    EXPECT_EQ(refusal(std::string("Ada ") + utf8 + "Lovelace"), expected);
    EXPECT_EQ(refusal(utf8), expected);
  }
  // Neighbours of the ranges are not controls.
  EXPECT_TRUE(with_name("Ada\xE2\x80\xAF"
                        "Lee")
                  .ok());  // U+202F narrow no-break space
  EXPECT_TRUE(with_name("Ada\xE2\x80\xA9"
                        "Lee")
                  .ok());  // U+2029 paragraph separator
}

TEST(CustomerName, OnlyInvisibleCharactersOrMarksAreRefused) {
  for (const char* name : {
           "\xE2\x80\x8B",              // U+200B zero width space
           "\xE2\x80\x8C",              // U+200C zero width non-joiner
           "\xE2\x80\x8D",              // U+200D zero width joiner
           "\xE2\x81\xA0",              // U+2060 word joiner
           "\xEF\xBB\xBF",              // U+FEFF zero width no-break space
           "\xC2\xAD",                  // U+00AD soft hyphen
           "\xCC\x81",                  // U+0301 combining acute accent alone
           "\xCC\x81\xCC\x88\xCD\x8F",  // marks and a grapheme joiner
           "\xE3\x85\xA4",              // U+3164 Hangul filler
           "\xE2\xA0\x80",              // U+2800 Braille blank
           "\xEF\xB8\x8F",              // U+FE0F variation selector
           "\xF3\xA0\x80\x81",          // U+E0001 language tag
           " \xE2\x80\x8B \xC2\xAD ",   // invisible between spaces
           "\xE2\x80\x8E\xE2\x80\x8F",  // direction marks alone
       }) {
    EXPECT_EQ(refusal(name), kInvisible) << name;
  }
}

TEST(CustomerName, NoncharactersAreRefused) {
  const std::pair<const char*, const char*> nonchars[] = {
      {"\xEF\xB7\x90", "U+FDD0"},      {"\xEF\xB7\xAF", "U+FDEF"},
      {"\xEF\xBF\xBE", "U+FFFE"},      {"\xEF\xBF\xBF", "U+FFFF"},
      {"\xF0\x9F\xBF\xBE", "U+1FFFE"}, {"\xF4\x8F\xBF\xBF", "U+10FFFF"}};
  for (const auto& [utf8, name] : nonchars) {
    EXPECT_EQ(refusal(std::string("Ada") + utf8),
              std::string("--name must not contain Unicode noncharacters, found ") + name);
  }
  EXPECT_TRUE(with_name("Ada\xEF\xB7\x8F").ok());  // U+FDCF, an Arabic ligature
  EXPECT_TRUE(with_name("Ada\xEF\xBF\xBD").ok());  // U+FFFD replacement character
}

}  // namespace
}  // namespace ticket
