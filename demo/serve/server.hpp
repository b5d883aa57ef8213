// server.hpp: `folio serve`, the blog on the web: cpp-httplib's server, the
// routes, the access log and the clean stop on SIGINT/SIGTERM.
#pragma once

#include <string>

namespace folio_cli::web {

struct ServeOptions {
    std::string db;                  // the database file: opened read-only, must exist and be migrated
    std::string host = "127.0.0.1";  // the address to listen on: IPv4, IPv6 (no brackets) or a host name
    int port = 8000;                 // 0: any free port (printed on stdout)
    bool panel = false;              // the query panel on every page, /__panel/<id>.json
    int threads = 16;                // worker threads, each with its own Database
};

// Opens the database read-only (as the CLI's read-only commands: an error
// when the file is missing or not migrated; nothing is ever written), listens, prints one line
// "folio serve: listening on http://HOST:PORT/ ..." on stdout (an IPv6 HOST
// in brackets), and serves until SIGINT or SIGTERM; then closes idle
// connections, finishes the requests in flight and returns 0.
// Throws std::invalid_argument for a host that is not an address or a host
// name (host_problem()) or fewer than 1 thread, std::runtime_error or
// folio::Error when the database cannot be opened (see ThreadBlogs) and std::runtime_error when the address cannot
// be bound.
int serve(const ServeOptions& options);

} // namespace folio_cli::web
