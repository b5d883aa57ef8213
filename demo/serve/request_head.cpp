// request_head.cpp: the framing and target checks of request_head.hpp.
#include "request_head.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string_view>

namespace folio_cli::web {

namespace {

enum class Length { absent, valid, invalid };

// Every member of every Content-Length field; `out` set when they all are
// the same decimal number.
Length parse_length(const httplib::Request& q, std::uint64_t& out) {
    const std::size_t fields = q.get_header_value_count("Content-Length");
    if (fields == 0) return Length::absent;
    std::optional<std::uint64_t> seen;
    for (std::size_t i = 0; i < fields; ++i) {
        // get_header_value returns a copy: keep it alive while `list` views it.
        const std::string field = q.get_header_value("Content-Length", i);
        std::string_view list = field;
        for (;;) {
            const std::size_t comma = list.find(',');
            std::string_view member = list.substr(0, comma);
            // OWS around list members (RFC 9110 5.6.1).
            while (!member.empty() && (member.front() == ' ' || member.front() == '\t')) member.remove_prefix(1);
            while (!member.empty() && (member.back() == ' ' || member.back() == '\t')) member.remove_suffix(1);
            if (member.empty() || !std::all_of(member.begin(), member.end(),
                                               [](unsigned char c) { return std::isdigit(c) != 0; }))
                return Length::invalid;
            std::uint64_t n = 0;
            const auto [end, ec] = std::from_chars(member.data(), member.data() + member.size(), n);
            if (ec != std::errc() || end != member.data() + member.size()) return Length::invalid;  // too large
            if (seen && *seen != n) return Length::invalid;
            seen = n;
            if (comma == std::string_view::npos) break;
            list.remove_prefix(comma + 1);
        }
    }
    out = *seen;
    return Length::valid;
}

bool starts_with_scheme(std::string_view path, std::string_view scheme) {
    if (path.size() < scheme.size() + 3) return false;
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(path[i])) != scheme[i]) return false;
    return path.substr(scheme.size(), 3) == "://";
}

} // namespace

std::string framing_problem(const httplib::Request& q) {
    std::uint64_t n = 0;
    if (parse_length(q, n) == Length::invalid)
        return "The request's Content-Length is not one decimal number, so where it ends is unknown.";
    const std::size_t hosts = q.get_header_value_count("Host");
    if (hosts > 1) return "The request has more than one Host field.";
    if (hosts == 0 && q.version == "HTTP/1.1") return "An HTTP/1.1 request must have a Host field.";
    return {};
}

std::optional<std::uint64_t> content_length(const httplib::Request& q) {
    std::uint64_t n = 0;
    if (parse_length(q, n) != Length::valid) return std::nullopt;
    return n;
}

std::string origin_path(const httplib::Request& q) {
    for (std::string_view scheme : {"http", "https"}) {
        if (!starts_with_scheme(q.path, scheme)) continue;
        const std::size_t slash = q.path.find('/', scheme.size() + 3);
        return slash == std::string::npos ? std::string("/") : q.path.substr(slash);
    }
    return q.path;
}

std::optional<std::string> query_param(const httplib::Request& q, std::string_view key) {
    const std::size_t mark = q.target.find('?');
    if (mark == std::string::npos) return std::nullopt;
    std::string_view query(q.target);
    query.remove_prefix(mark + 1);
    query = query.substr(0, query.find('#'));
    std::optional<std::string> value;
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        const std::size_t eq = pair.find('=');
        const std::string name = httplib::detail::decode_url(std::string(pair.substr(0, eq)), true);
        if (name != key) continue;
        value = eq == std::string_view::npos ? std::string()
                                             : httplib::detail::decode_url(std::string(pair.substr(eq + 1)), true);
    }
    return value;
}

} // namespace folio_cli::web
