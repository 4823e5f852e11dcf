#pragma once
// A small XML document tree for the REST-XML front end's request bodies,
// parsed by expat (Debian's libexpat1-dev). Element names are local names
// (`s3:Tagging` is `Tagging`, as botocore reads them); attribute names stay
// as written (`xsi:type`, what the model's locationName says). A document
// type declaration is refused (S3 answers MalformedXML to one), so no entity
// is ever defined or expanded beyond XML's five.
//
// Thread-safety: pure functions; each call has its own parser.

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace runnel::protocol {

struct XmlElement {
  std::string name;                                             // local name
  std::vector<std::pair<std::string, std::string>> attributes;  // qualified name, value
  std::vector<XmlElement> children;
  std::string text;  // the character data directly inside, concatenated

  // The value of the attribute named `qualified_name`, or nullptr.
  const std::string* attribute(std::string_view qualified_name) const;
};

// Elements nest at most this deep; deeper documents are refused, so that
// walking the tree cannot exhaust the stack.
inline constexpr int kMaxXmlDepth = 64;

// The root element of `xml`, or a message saying why it is not a well-formed
// document (expat's words, with its line) within the limits above.
std::expected<XmlElement, std::string> parse_xml(std::string_view xml);

// `text` escaped for element content or a double-quoted attribute value
// (& < > " and CR; apostrophes stay, as S3 writes them).
void append_xml_escaped(std::string_view text, std::string& out);

}  // namespace runnel::protocol
