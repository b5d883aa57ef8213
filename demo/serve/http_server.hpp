// http_server.hpp: cpp-httplib's Server with `folio serve`'s own connection
// loop. httplib (Debian's 0.11) parses requests and writes responses; this
// class owns what happens around them on one connection:
//  - one buffered stream per connection, so pipelined requests are all
//    answered (httplib 0.11 makes a stream per request and drops what it
//    read ahead);
//  - waits that shutdown() interrupts, so a stop does not wait out an idle
//    keep-alive client (httplib 0.11 polls its keep-alive timeout to the end);
//  - a RequestContext per request, set before httplib reads a byte of it, so
//    that the access log has the client's address, a fresh id and the right
//    duration even for requests httplib rejects itself (400, 414, 416).
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace folio_cli::web {

// The request a worker thread is answering. Reset for each request.
struct RequestContext {
    std::chrono::steady_clock::time_point start;  // when its first bytes could be read
    std::string peer;                              // the client's address ("" if unknown)
    bool routed = false;      // httplib parsed it and handed it to the site
    bool close_after = false;  // close the connection after the answer (a body we will not read)
    std::uint64_t discard = 0; // body bytes to skip before the next request on the connection
    // Why reading the request's head stopped short, if it did: the client
    // went silent for the read timeout (answered 408), or shutdown() woke
    // the wait (answered 503: the client did nothing wrong).
    enum class Cut { none, timeout, shutdown } cut = Cut::none;

    // The request's id, taken from the server's counter on first use: ids
    // follow the order in which requests are answered or logged, without gaps
    // for connections that close without sending one.
    std::uint64_t id();

private:
    friend class HttpServer;
    std::atomic<std::uint64_t>* counter_ = nullptr;
    std::uint64_t id_ = 0;
};

class HttpServer : public httplib::Server {
public:
    HttpServer();
    ~HttpServer() override;
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Stops accepting, wakes every connection waiting for (the rest of) a
    // request and closes it; a request being answered is answered first.
    // Safe from any thread but a signal handler.
    void shutdown();

    // The calling worker thread's request (only meaningful inside httplib's
    // handlers, logger and post-routing handler, which run on that thread).
    static RequestContext& current();

    // Body bytes skipped in place of reading a body the site does not take
    // (POST and friends); larger or chunked bodies close the connection.
    static constexpr std::uint64_t max_discard = 64 * 1024;

private:
    bool process_and_close_socket(socket_t sock) override;

    int wake_fd_;  // an eventfd, readable once shutdown() was called
    std::atomic<std::uint64_t> next_id_{0};
};

} // namespace folio_cli::web
