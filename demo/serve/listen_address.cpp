// listen_address.cpp: --host checks and URL hosts. inet_pton() decides what
// is an address literal, the same parser getaddrinfo() uses when httplib binds.
#include "listen_address.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <cctype>

#include <fmt/format.h>

#include "text.hpp"

namespace folio_cli::web {

namespace {

bool is_ipv6(std::string_view host) {
    const std::size_t zone = host.find('%');
    const std::string addr(host.substr(0, zone));
    in6_addr out{};
    if (::inet_pton(AF_INET6, addr.c_str(), &out) != 1) return false;
    if (zone == std::string_view::npos) return true;
    // A zone (interface) name: letters, digits and a few marks, never empty.
    const std::string_view name = host.substr(zone + 1);
    if (name.empty()) return false;
    for (unsigned char c : name)
        if (!std::isalnum(c) && c != '.' && c != '-' && c != '_') return false;
    return true;
}

bool is_ipv4(std::string_view host) {
    const std::string addr(host);
    in_addr out{};
    return ::inet_pton(AF_INET, addr.c_str(), &out) == 1;
}

// RFC 1123 host name: dot-separated labels of 1..63 letters, digits and '-',
// not starting or ending with '-'; at most 253 characters.
bool is_dns_name(std::string_view host) {
    if (host.empty() || host.size() > 253) return false;
    std::size_t label = 0;
    for (std::size_t i = 0; i <= host.size(); ++i) {
        if (i == host.size() || host[i] == '.') {
            if (label == 0 || label > 63 || host[i - 1] == '-' || host[i - label] == '-') return false;
            label = 0;
        } else if (std::isalnum(static_cast<unsigned char>(host[i])) || host[i] == '-') {
            ++label;
        } else {
            return false;
        }
    }
    return true;
}

} // namespace

std::string host_problem(std::string_view host) {
    if (host.empty()) return "--host is empty: give an address to listen on, such as 127.0.0.1, ::1 or localhost";
    if (is_ipv4(host) || is_ipv6(host)) return {};
    // A name made of digits and dots only is a mistyped IPv4 address, not a name.
    if (host.find_first_not_of("0123456789.") == std::string_view::npos)
        return fmt::format("--host '{}' is not an IPv4 address (four numbers 0-255, such as 127.0.0.1)", printable(host));
    if (host.front() == '[')
        return fmt::format("--host '{}': write an IPv6 address without brackets (such as ::1)", printable(host));
    if (host.find(':') != std::string_view::npos)
        return fmt::format("--host '{}' is not an IPv6 address (such as ::1)", printable(host));
    if (!is_dns_name(host))
        return fmt::format("--host '{}' is neither an IP address nor a host name (letters, digits, '-' and '.')",
                           printable(host));
    return {};
}

std::string url_host(std::string_view host) {
    if (host.find(':') == std::string_view::npos) return std::string(host);
    std::string out = "[";
    for (char c : host) out += c == '%' ? std::string("%25") : std::string(1, c);
    return out + "]";
}

std::string listen_failure(std::string_view host, int port) {
    const std::string where = fmt::format("cannot listen on {}:{}", url_host(host), port);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* found = nullptr;
    const std::string name(host), service = std::to_string(port);
    if (const int rc = ::getaddrinfo(name.c_str(), service.c_str(), &hints, &found); rc != 0 || !found)
        return fmt::format("{}: the name '{}' does not resolve ({})", where, printable(host),
                           rc != 0 ? ::gai_strerror(rc) : "no address");
    int err = 0;
    for (addrinfo* a = found; a; a = a->ai_next) {
        const int sock = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (sock < 0) {
            err = errno;
            continue;
        }
        int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        const bool bound = ::bind(sock, a->ai_addr, a->ai_addrlen) == 0 && ::listen(sock, 1) == 0;
        if (!bound) err = errno;
        ::close(sock);
        if (bound) {
            err = 0;
            break;
        }
    }
    ::freeaddrinfo(found);
    switch (err) {
    case EADDRINUSE: return fmt::format("{}: port {} is in use", where, port);
    case EADDRNOTAVAIL: return fmt::format("{}: {} is not an address of this machine", where, url_host(host));
    case EACCES: return fmt::format("{}: permission denied (ports below 1024 need privileges)", where);
    case 0: return fmt::format("{}: the address could not be bound (it is free now: try again)", where);
    default: return fmt::format("{}: {}", where, std::strerror(err));
    }
}

std::string base_url(std::string_view host, int port) { return fmt::format("http://{}:{}/", url_host(host), port); }

} // namespace folio_cli::web
