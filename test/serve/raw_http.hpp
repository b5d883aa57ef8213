// raw_http.hpp: a byte-exact HTTP/1.1 client for the serve tests, for what
// a well-behaved client library will not send: pipelined requests, control
// bytes in the request line, unknown methods, idle keep-alive connections.
// Every wait is bounded by a deadline.
#pragma once

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace serve_test {

struct RawResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

class RawConnection {
public:
    RawConnection(const std::string& host, int port) {
        addrinfo hints{};
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* found = nullptr;
        if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found)
            throw std::runtime_error("cannot resolve " + host);
        fd_ = ::socket(found->ai_family, SOCK_STREAM, 0);
        const bool ok = fd_ >= 0 && ::connect(fd_, found->ai_addr, found->ai_addrlen) == 0;
        ::freeaddrinfo(found);
        if (!ok) throw std::runtime_error("cannot connect to " + host + ":" + std::to_string(port));
    }
    ~RawConnection() {
        if (fd_ >= 0) ::close(fd_);
    }
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    void send(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0) throw std::runtime_error("send() failed");
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    // The next response (status line, headers, Content-Length body), or
    // nullopt when the server closes or `timeout` passes first.
    std::optional<RawResponse> read_response(std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                             bool head = false) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::size_t end;
        while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
            if (!fill(deadline)) return std::nullopt;
        RawResponse r;
        const std::string head_text = buffer_.substr(0, end);
        buffer_.erase(0, end + 4);
        std::size_t line_end = head_text.find("\r\n");
        const std::string status_line = head_text.substr(0, line_end);
        if (status_line.size() < 12) return std::nullopt;
        r.status = std::stoi(status_line.substr(9, 3));
        while (line_end != std::string::npos) {
            const std::size_t from = line_end + 2;
            line_end = head_text.find("\r\n", from);
            const std::string line = head_text.substr(from, line_end == std::string::npos ? std::string::npos : line_end - from);
            const std::size_t colon = line.find(':');
            if (colon == std::string::npos) continue;
            std::string name = line.substr(0, colon);
            std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
            std::string value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            r.headers[name] = value;
        }
        const std::size_t length = head || r.header("content-length").empty() ? 0 : std::stoul(r.header("content-length"));
        while (buffer_.size() < length)
            if (!fill(deadline)) return std::nullopt;
        r.body = buffer_.substr(0, length);
        buffer_.erase(0, length);
        return r;
    }

    // True when the server closes the connection before `timeout`.
    bool closed_by_server(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (fill(deadline)) {
        }
        return eof_;
    }

private:
    // Reads what is there; false on EOF, error or deadline.
    bool fill(std::chrono::steady_clock::time_point deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        char chunk[4096];
        const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0) {
            eof_ = true;
            return false;
        }
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    int fd_ = -1;
    std::string buffer_;
    bool eof_ = false;
};

} // namespace serve_test
