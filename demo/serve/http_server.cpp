// http_server.cpp: the connection loop of `folio serve` around httplib's
// request parser (see http_server.hpp for why it is not httplib's own).
//
// Each accepted connection is one task on httplib's thread pool, as before:
// it waits for a request (keep-alive), lets Server::process_request() parse
// and answer it, and repeats. Every wait polls the socket and the wake
// eventfd together, so shutdown() ends idle and half-sent requests at once.
#include "http_server.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace folio_cli::web {

namespace {

thread_local RequestContext current_request;

std::string numeric_host(const sockaddr_storage& addr, socklen_t len) {
    char host[NI_MAXHOST];
    if (::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof host, nullptr, 0, NI_NUMERICHOST) != 0)
        return {};
    return host;
}

void address_of(int sock, bool peer, std::string& ip, int& port) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    const int rc = peer ? ::getpeername(sock, reinterpret_cast<sockaddr*>(&addr), &len)
                        : ::getsockname(sock, reinterpret_cast<sockaddr*>(&addr), &len);
    if (rc != 0) return;
    ip = numeric_host(addr, len);
    if (addr.ss_family == AF_INET) port = ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
    else if (addr.ss_family == AF_INET6) port = ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
}

int to_ms(time_t sec, time_t usec) { return static_cast<int>(sec * 1000 + usec / 1000); }

// One connection's byte stream, kept for all its requests: what a read
// fetched beyond the current request (a pipelined next one) stays here.
class ConnectionStream final : public httplib::Stream {
public:
    ConnectionStream(int sock, int wake_fd, int read_timeout_ms, int write_timeout_ms)
        : sock_(sock), wake_fd_(wake_fd), read_timeout_ms_(read_timeout_ms), write_timeout_ms_(write_timeout_ms) {}

    // True when bytes (or the end of the stream) can be read within
    // `timeout_ms`; false on timeout, on error, and once shutdown() woke us.
    // Why it returned false is left in last_cut_.
    bool wait_readable(int timeout_ms) const {
        if (begin_ < end_) return true;
        pollfd fds[2] = {{sock_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
        for (;;) {
            const int n = ::poll(fds, 2, timeout_ms);
            if (n < 0 && errno == EINTR) continue;
            last_cut_ = n == 0                ? RequestContext::Cut::timeout
                        : n > 0 && fds[1].revents != 0 ? RequestContext::Cut::shutdown
                                                       : RequestContext::Cut::none;
            if (n <= 0 || fds[1].revents != 0) return false;
            return fds[0].revents != 0;
        }
    }
    bool buffered() const { return begin_ < end_; }

    bool is_readable() const override { return wait_readable(read_timeout_ms_); }

    bool is_writable() const override {
        // Not interrupted by shutdown(): an answer being written is finished.
        pollfd fd{sock_, POLLOUT, 0};
        int n;
        while ((n = ::poll(&fd, 1, write_timeout_ms_)) < 0 && errno == EINTR) {
        }
        return n > 0 && (fd.revents & (POLLERR | POLLHUP | POLLNVAL)) == 0;
    }

    ssize_t read(char* ptr, size_t size) override {
        if (begin_ == end_) {
            if (!is_readable()) {
                // httplib answers a head it could not read in full with 400;
                // the site's error handler names the real cause from this.
                current_request.cut = last_cut_;
                return -1;
            }
            ssize_t n;
            while ((n = ::recv(sock_, buffer_.data(), buffer_.size(), 0)) < 0 && errno == EINTR) {
            }
            if (n <= 0) return n;
            begin_ = 0;
            end_ = static_cast<std::size_t>(n);
        }
        const std::size_t n = std::min(size, end_ - begin_);
        std::memcpy(ptr, buffer_.data() + begin_, n);
        begin_ += n;
        return static_cast<ssize_t>(n);
    }

    ssize_t write(const char* ptr, size_t size) override {
        if (!is_writable()) return -1;
        ssize_t n;
        while ((n = ::send(sock_, ptr, size, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
        }
        return n;
    }

    void get_remote_ip_and_port(std::string& ip, int& port) const override { address_of(sock_, true, ip, port); }
    void get_local_ip_and_port(std::string& ip, int& port) const override { address_of(sock_, false, ip, port); }
    socket_t socket() const override { return sock_; }

    // Drops CR and LF bytes before a request; false when the stream ends
    // (or nothing else comes within `timeout_ms`).
    bool skip_empty_lines(int timeout_ms) {
        for (;;) {
            while (begin_ < end_ && (buffer_[begin_] == '\r' || buffer_[begin_] == '\n')) ++begin_;
            if (begin_ < end_) return true;
            if (!wait_readable(timeout_ms)) return false;
            char first;
            if (read(&first, 1) <= 0) return false;
            --begin_;  // put it back: read() left it in the buffer
        }
    }

    // Reads and drops `n` bytes (a request body the site does not take).
    bool skip(std::uint64_t n) {
        char sink[4096];
        while (n > 0) {
            const ssize_t got = read(sink, static_cast<size_t>(std::min<std::uint64_t>(n, sizeof sink)));
            if (got <= 0) return false;
            n -= static_cast<std::uint64_t>(got);
        }
        return true;
    }

private:
    int sock_, wake_fd_, read_timeout_ms_, write_timeout_ms_;
    std::array<char, 4096> buffer_{};
    std::size_t begin_ = 0, end_ = 0;
    mutable RequestContext::Cut last_cut_ = RequestContext::Cut::none;
};

} // namespace

std::uint64_t RequestContext::id() {
    if (id_ == 0 && counter_) id_ = ++*counter_;
    return id_;
}

HttpServer::HttpServer() : wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (wake_fd_ < 0) throw std::runtime_error(std::string("eventfd() failed: ") + std::strerror(errno));
}

HttpServer::~HttpServer() { ::close(wake_fd_); }

void HttpServer::shutdown() {
    const std::uint64_t one = 1;
    // The eventfd stays readable from now on: every wait sees it.
    [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof one);
    stop();
}

RequestContext& HttpServer::current() { return current_request; }

bool HttpServer::process_and_close_socket(socket_t sock) {
    ConnectionStream strm(sock, wake_fd_, to_ms(read_timeout_sec_, read_timeout_usec_),
                          to_ms(write_timeout_sec_, write_timeout_usec_));
    std::string peer;
    int peer_port = 0;
    strm.get_remote_ip_and_port(peer, peer_port);
    const int keep_alive_ms = to_ms(keep_alive_timeout_sec_, 0);
    bool ok = false;
    bool linger = false;
    for (std::size_t served = 0; served < keep_alive_max_count_; ++served) {
        if (!strm.wait_readable(served == 0 ? to_ms(read_timeout_sec_, read_timeout_usec_) : keep_alive_ms)) break;
        // RFC 9112 (2.2): empty lines before a request line are ignored.
        if (!strm.skip_empty_lines(keep_alive_ms)) break;
        RequestContext& ctx = current_request;
        ctx = RequestContext{};
        ctx.start = std::chrono::steady_clock::now();
        ctx.peer = peer;
        ctx.counter_ = &next_id_;
        const bool stopping = svr_sock_ == INVALID_SOCKET;
        const bool last = stopping || served + 1 == keep_alive_max_count_;
        bool closed = false;
        // This site serves no byte ranges: RFC 9110 lets a server ignore
        // Range and answer 200 with the whole page.
        ok = process_request(strm, last, closed, [](httplib::Request& req) { req.ranges.clear(); });
        if (!ok || closed || last) break;
        if (ctx.close_after) {
            linger = true;
            break;
        }
        if (ctx.discard > 0 && !strm.skip(ctx.discard)) break;
    }
    if (linger) {
        // A body we did not read may still be arriving: stop sending, then
        // drain briefly, so that closing does not reset the connection under
        // the answer the client has not read yet.
        ::shutdown(sock, SHUT_WR);
        char sink[4096];
        for (int i = 0; i < 256 && strm.wait_readable(100) && strm.read(sink, sizeof sink) > 0; ++i) {
        }
    }
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return ok;
}

} // namespace folio_cli::web
