// request_head.hpp: what a request's head says about where the request ends
// and what it asks for, checked as RFC 9112 wants before the site answers:
// the Content-Length field (a length that two fields disagree on would let
// a body pass for the next request: request smuggling), the Host field, and
// the absolute-form target ("GET http://host/top HTTP/1.1").
#pragma once

#include <httplib.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace folio_cli::web {

// Why the head of `q` cannot be answered (RFC 9112: 400, then close the
// connection, since where its body ends is unknown), or "" when it can:
//  - a Content-Length that is not a decimal number (6.3: "abc", "-5",
//    "+5", ""), or several Content-Length fields or list members that
//    differ ("5, 6"; identical ones, "5, 5", are one length);
//  - an HTTP/1.1 request without a Host field, or any request with more
//    than one (3.2).
// The message is one sentence for the visitor; it quotes nothing.
std::string framing_problem(const httplib::Request& q);

// The body length Content-Length announces: nullopt when there is no such
// field (or framing_problem() finds it invalid). Meaningful only without
// Transfer-Encoding, which overrides it (6.3).
std::optional<std::uint64_t> content_length(const httplib::Request& q);

// The path the site routes: q.path, except that an absolute-form target
// (http://authority/path or https://...; RFC 9112 3.2.2, sent to proxies
// and accepted by every server) is reduced to its path ("/" when it has
// none). The authority is not checked against Host: this server answers
// for any name it is reached by.
std::string origin_path(const httplib::Request& q);

// The value of query parameter `key` in q's target, percent-decoded ('+' is
// a space), as Django's QueryDict.get() reads it: when the query repeats the
// key (?page=abc&page=1) the last value wins; nullopt when it is absent.
// Pairs are separated by '&' only, as the WHATWG URL standard and Python's
// parse_qsl (since 3.9.2; Django's QueryDict) split them: httplib's own
// q.params also splits on ';', which would read "?page=1;page=2" as page 2
// where Django reads the page "1;page=2".
std::optional<std::string> query_param(const httplib::Request& q, std::string_view key);

} // namespace folio_cli::web
