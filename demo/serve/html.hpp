// html.hpp: the little HTML toolkit of `folio serve`: escaping, URL
// encoding, and the page layout every response shares. Every piece of text
// that reaches a page goes through escape(); nothing else builds markup from
// data.
#pragma once

#include <string>
#include <string_view>

namespace folio_cli::web {

// `s` with & < > " ' replaced by character references: safe in element
// content and in double- or single-quoted attribute values. The result is
// well-formed UTF-8 without control characters other than white space:
// bytes that are not UTF-8 (and NUL, DEL, ...) become U+FFFD, as a browser
// would show them.
std::string escape(std::string_view s);

// `s` percent-encoded for one URL path segment (RFC 3986 unreserved kept),
// except that the dot segments "." and ".." are written %2E and %2E%2E, so
// that no client removes them as "this" and "parent" (RFC 3986 5.2.4).
std::string url_segment(std::string_view s);

// A whole HTML document: <title>, the site's header and CSS, `body` (markup
// already escaped by its builder), then `panel` (the query panel, or "").
std::string layout(std::string_view title, std::string_view body, std::string_view panel = {});

// The reason phrase the site shows for an HTTP status: "Bad request",
// "Not found", "Method not allowed", "Request timeout", "URI too long",
// "Server error", "Not implemented", "Service unavailable" (and "Error" for
// any other status).
std::string_view status_title(int status);

// The body of an error page: a heading "<status> <title>" and one line of
// explanation (escaped here).
std::string error_body(int status, std::string_view message);

} // namespace folio_cli::web
