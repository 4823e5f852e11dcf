#pragma once
// Tag checks and order shared by the operations that take tags (streams and
// consumers). Pure functions, safe from any thread.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/api_error.h"

namespace runnel::streams {

// A Tags map of a typed input (kinesis_shapes.h maps are vectors of pairs,
// in wire order).
using TagList = std::vector<std::pair<std::string, std::string>>;

// What AWS thinks of one tag key or value.
enum class TagTextProblem {
  kNone,
  // A character outside letters, digits, ' ' and _ . / = + - % @ : (a tab, a
  // newline, ';', ',', '$', an emoji...): "Some tags contain invalid
  // characters...".
  kInvalidCharacter,
  // Only allowed characters, but a '%': AWS lists '%' as valid in its first
  // check and refuses it in a second one, with its own message.
  kPercent,
};

// Classifies `text` (UTF-8) as AWS does, following the answers kinesalite
// recorded: ASCII letters and digits, the space and _ . / = + - % @ : are
// allowed; of the other characters only the code points U+00C0..U+1FFF and
// U+2C00..U+D7FF (where the letters of most scripts are) count as letters. So
// tab, newline, U+00A0, symbols such as U+20AC and every code point above
// U+FFFF are refused, and so is text that is not valid UTF-8.
TagTextProblem tag_text_problem(std::string_view text);

// Java's String.compareTo order (UTF-16 code units), the order AWS lists tag
// keys in and compares ExclusiveStartTagKey with. It differs from byte order
// only where a code point above U+FFFF meets one in U+E000..U+FFFF (a
// surrogate pair sorts below U+E000). Both strings are UTF-8; an invalid byte
// compares as its own value.
bool tag_key_less(std::string_view a, std::string_view b);

// InvalidArgumentException, in AWS's words, when a key or value of the Tags
// map has characters AWS refuses (both problems above give the "Some tags
// contain invalid characters" message here) or a key starts with "aws:". For
// the tags of RegisterStreamConsumer and TagResource on a consumer; the
// stream operations word '%' with the stream's name themselves.
protocol::ApiResult<void> check_tags(const TagList& tags);

// CreateStream's Tags (a map), checked as AddTagsToStream checks the tags it
// adds to stream `stream` of `account`, with the same answers: a refused
// character, then '%' ("Failed to add tags to stream ..."), then a key
// starting with "aws:", then more than 50 tags. AWS's CreateStream documents
// the same rules as AddTagsToStream; its exact answers were not recorded, so
// the wording is AddTagsToStream's.
protocol::ApiResult<void> check_new_stream_tags(const TagList& tags, const std::string& stream,
                                                const std::string& account);

}  // namespace runnel::streams
