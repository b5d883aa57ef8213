// text.cpp: printable() and count_of().
#include "text.hpp"

#include <fmt/format.h>

namespace folio_cli::web {

std::string printable(std::string_view s, bool quote_too) {
    std::string out;
    out.reserve(s.size());
    const auto hex = [&out](unsigned char b) { out += fmt::format("\\x{:02x}", b); };
    scan_utf8(
        s,
        [&](char c) {
            const auto b = static_cast<unsigned char>(c);
            if (b < 0x20 || b == 0x7f || c == '\\' || (quote_too && c == '"')) hex(b);
            else out += c;
        },
        hex);
    return out;
}

std::string count_of(std::int64_t n, std::string_view singular, std::string_view plural) {
    return fmt::format("{} {}", n, n == 1 ? singular : plural);
}

} // namespace folio_cli::web
