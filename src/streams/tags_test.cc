#include "streams/tags.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/value.h"

namespace runnel::streams {
namespace {

TEST(TagTextProblem, AllowsWhatAwsAllows) {
  for (const char* ok : {"", "a", "Zb", "0", " ", "_", ".", "/", "=", "+", "-", "@", ":", "/=+-@:",
                         "\xC3\xBC"
                         "0 _.",                      // ü0 _.
                         "\xC3\xBF",                  // ÿ (U+00FF)
                         "\xE4\xB8\xAD\xE6\x96\x87",  // 中文 (U+4E2D U+6587)
                         "\xE3\x80\x80"}) {           // U+3000, ideographic space
    EXPECT_EQ(tag_text_problem(ok), TagTextProblem::kNone) << ok;
  }
}

TEST(TagTextProblem, RefusesTabNewlineAndPunctuationAsInvalidCharacters) {
  for (const char* bad : {"abc;def",
                          "abc\tdef",
                          "abc\ndef",
                          "abc,def",
                          "a$b",
                          "a*b",
                          "a(b",
                          "a&b",
                          "a\"b",
                          "a\\b",
                          "a#b",
                          "a!b",
                          "a?b",
                          "a'b",
                          "a<b",
                          "a~b",
                          "\xC2\xA0",          // U+00A0, no-break space
                          "\xE2\x82\xAC",      // U+20AC, euro sign
                          "\xF0\x9F\x98\x80",  // U+1F600, an emoji
                          "\xEF\xBC\xA1",      // U+FF21, above U+D7FF
                          "\xC3",              // truncated UTF-8
                          "\xC0\x80",          // overlong NUL
                          "\xED\xA0\x80"}) {   // an encoded surrogate
    EXPECT_EQ(tag_text_problem(bad), TagTextProblem::kInvalidCharacter) << bad;
  }
  // kinesalite's ranges count all of U+00C0..U+1FFF as letters, U+00D7 too.
  EXPECT_EQ(tag_text_problem("\xC3\x97"), TagTextProblem::kNone);
}

TEST(TagTextProblem, PercentHasItsOwnAnswerUnlessSomethingWorseIsThere) {
  EXPECT_EQ(tag_text_problem("abc%def"), TagTextProblem::kPercent);
  EXPECT_EQ(tag_text_problem("%"), TagTextProblem::kPercent);
  EXPECT_EQ(tag_text_problem("a%b;c"), TagTextProblem::kInvalidCharacter);
}

TEST(TagKeyLess, SortsAsKinesaliteRecordedAwsListing) {
  // The listing kinesalite recorded for these ten keys.
  std::vector<std::string> keys = {"a", " ", "\xC3\xBF", "_", "/", "=", "+", "Zb", "0", "@"};
  std::sort(keys.begin(), keys.end(), [](const std::string& a, const std::string& b) { return tag_key_less(a, b); });
  const std::vector<std::string> expected = {" ", "+", "/", "0", "=", "@", "Zb", "_", "a", "\xC3\xBF"};
  EXPECT_EQ(keys, expected);
}

TEST(TagKeyLess, AstralCodePointsSortBelowTheTopOfTheBasicPlane) {
  const std::string astral = "\xF0\x9F\x98\x80";  // U+1F600: UTF-16 D83D DE00
  const std::string high_bmp = "\xEF\xBC\xA1";    // U+FF21
  // Byte order puts the astral one last; UTF-16 order puts it first.
  EXPECT_LT(high_bmp, astral);
  EXPECT_TRUE(tag_key_less(astral, high_bmp));
  EXPECT_FALSE(tag_key_less(high_bmp, astral));
  EXPECT_TRUE(tag_key_less("a", "ab"));
  EXPECT_FALSE(tag_key_less("ab", "ab"));
  EXPECT_TRUE(tag_key_less("$Z%*(*&@,,.,,ZAC", "+"));
  EXPECT_TRUE(tag_key_less("@", "Zb"));
  EXPECT_TRUE(tag_key_less("Za$Z%*(*&@,,.,,", "Zb"));
}

// CreateStream took any Tags without looking at them; it now checks them as
// AddTagsToStream does, with AddTagsToStream's answers.
TEST(CheckNewStreamTags, RefusesWhatAddTagsToStreamRefuses) {
  using protocol::Object;
  using protocol::Value;
  auto error = [](Value tags) {
    TagList list;
    for (const auto& m : tags.as_object()) list.emplace_back(m.key, m.value.as_string());
    auto r = check_new_stream_tags(list, "s", "000000000000");
    return r ? std::string("ok") : r.error().type + ": " + r.error().message;
  };
  EXPECT_EQ(error(Value(Object{{"a", "b"},
                               {"\xC3\xBC"
                                "0 _./=+-@:",
                                ""}})),
            "ok");
  const std::string invalid =
      "InvalidArgumentException: Some tags contain invalid characters. Valid characters: Unicode letters, digits, "
      "white space, _ . / = + - % @ :.";
  EXPECT_EQ(error(Value(Object{{"a;b", "c"}})), invalid);
  EXPECT_EQ(error(Value(Object{{"a", "b\tc"}})), invalid);
  EXPECT_EQ(error(Value(Object{{"a%b", "c"}, {"d", "e,f"}})), invalid);
  EXPECT_EQ(error(Value(Object{{"a%b", "c"}})),
            "InvalidArgumentException: Failed to add tags to stream s under account 000000000000 because some tags "
            "contained illegal characters. The allowed characters are Unicode letters, white-spaces, "
            "'_',',','/','=','+','-','@',':'.");
  EXPECT_EQ(error(Value(Object{{"aws:x", "c"}})),
            "InvalidArgumentException: Tag keys starting with 'aws:' are reserved for AWS use.");
  Object many;
  for (int i = 0; i < 51; ++i) many.push_back(protocol::Member{"k" + std::to_string(i), Value("")});
  EXPECT_EQ(error(Value(many)),
            "InvalidArgumentException: Failed to add tags to stream s under account 000000000000 because a given "
            "stream cannot have more than 50 tags associated with it.");
  many.pop_back();
  EXPECT_EQ(error(Value(many)), "ok");
}

}  // namespace
}  // namespace runnel::streams
