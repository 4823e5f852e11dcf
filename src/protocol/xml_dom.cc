#include "protocol/xml_dom.h"

#include <expat.h>

#include <climits>
#include <optional>

namespace runnel::protocol {
namespace {

struct Builder {
  XML_Parser parser;
  std::vector<XmlElement> stack;  // open elements, innermost last
  std::optional<XmlElement> root;
  std::string error;

  void stop(std::string why) {
    if (error.empty()) error = std::move(why);
    XML_StopParser(parser, XML_FALSE);
  }
};

std::string local_name(const XML_Char* name) {
  std::string_view n(name);
  size_t colon = n.find(':');
  return std::string(colon == std::string_view::npos ? n : n.substr(colon + 1));
}

void XMLCALL on_start(void* data, const XML_Char* name, const XML_Char** attrs) {
  auto* b = static_cast<Builder*>(data);
  if (b->stack.size() >= static_cast<size_t>(kMaxXmlDepth)) return b->stop("elements nest too deeply");
  if (b->stack.empty() && b->root) return b->stop("more than one root element");
  XmlElement e;
  e.name = local_name(name);
  for (int i = 0; attrs[i]; i += 2) e.attributes.emplace_back(attrs[i], attrs[i + 1]);
  b->stack.push_back(std::move(e));
}

void XMLCALL on_end(void* data, const XML_Char*) {
  auto* b = static_cast<Builder*>(data);
  if (b->stack.empty()) return;
  XmlElement e = std::move(b->stack.back());
  b->stack.pop_back();
  if (b->stack.empty())
    b->root = std::move(e);
  else
    b->stack.back().children.push_back(std::move(e));
}

void XMLCALL on_text(void* data, const XML_Char* s, int len) {
  auto* b = static_cast<Builder*>(data);
  if (!b->stack.empty()) b->stack.back().text.append(s, static_cast<size_t>(len));
}

void XMLCALL on_doctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  static_cast<Builder*>(data)->stop("a document type declaration is not allowed");
}

void XMLCALL on_entity(void* data, const XML_Char*, int, const XML_Char*, int, const XML_Char*, const XML_Char*,
                       const XML_Char*, const XML_Char*) {
  static_cast<Builder*>(data)->stop("an entity declaration is not allowed");
}

}  // namespace

const std::string* XmlElement::attribute(std::string_view qualified_name) const {
  for (const auto& [k, v] : attributes)
    if (k == qualified_name) return &v;
  return nullptr;
}

std::expected<XmlElement, std::string> parse_xml(std::string_view xml) {
  if (xml.size() > static_cast<size_t>(INT_MAX)) return std::unexpected("the document is too large");
  XML_Parser parser = XML_ParserCreate("UTF-8");
  if (!parser) return std::unexpected("out of memory");
  Builder b{parser, {}, std::nullopt, {}};
  XML_SetUserData(parser, &b);
  XML_SetElementHandler(parser, on_start, on_end);
  XML_SetCharacterDataHandler(parser, on_text);
  XML_SetStartDoctypeDeclHandler(parser, on_doctype);
  XML_SetEntityDeclHandler(parser, on_entity);
  XML_Status status = XML_Parse(parser, xml.data(), static_cast<int>(xml.size()), XML_TRUE);
  std::string error = std::move(b.error);
  if (status != XML_STATUS_OK && error.empty())
    error = std::string(XML_ErrorString(XML_GetErrorCode(parser))) + " at line " +
            std::to_string(XML_GetCurrentLineNumber(parser));
  XML_ParserFree(parser);
  if (!error.empty()) return std::unexpected(std::move(error));
  if (!b.root) return std::unexpected("no root element");
  return std::move(*b.root);
}

void append_xml_escaped(std::string_view text, std::string& out) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\r': out += "&#13;"; break;
      default: out += c;
    }
  }
}

}  // namespace runnel::protocol
