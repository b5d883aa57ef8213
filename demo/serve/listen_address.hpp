// listen_address.hpp: the address `folio serve` listens on: checking what
// --host says before anything binds, and writing it into a URL the way RFC
// 3986 wants (an IPv6 literal in brackets).
#pragma once

#include <string>
#include <string_view>

namespace folio_cli::web {

// "" when `host` can be listened on by name: an IPv4 address (127.0.0.1),
// an IPv6 address without brackets (::1, fe80::1%lo), or a DNS name
// (localhost; RFC 1123 labels). Otherwise what is wrong with it, in one
// sentence that quotes it (printable, so control bytes show as \xNN).
std::string host_problem(std::string_view host);

// `host` as the host part of a URL or of "host:port": IPv6 literals in
// brackets with a zone's '%' written %25 (RFC 6874), anything else as is.
std::string url_host(std::string_view host);

// Why `host`:`port` (port 0: any free port) cannot be listened on, found
// by trying as httplib does (getaddrinfo() with AI_PASSIVE, then bind() of
// each address with SO_REUSEADDR), in one sentence naming the address as in
// a URL: the name does not resolve (and the resolver's reason), the port is
// in use, the address is not one of this machine's, permission denied (a
// port below 1024), or the system's own message for anything else. Call it
// after the server failed to bind; nothing stays bound.
std::string listen_failure(std::string_view host, int port);

// "http://HOST:PORT/" with url_host().
std::string base_url(std::string_view host, int port);

} // namespace folio_cli::web
