// text.hpp: plain-text helpers of `folio serve`: making bytes a visitor sent
// printable (the access log, messages that echo the address) and counting
// nouns ("1 article", "2 articles").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <folio/io/validate.hpp>

namespace folio_cli::web {

// Walks `s` byte by byte: `text(c)` for each byte of well-formed UTF-8,
// `invalid(b)` for each byte that is not part of it (folio's own check, the
// one the importer applies).
template <class Text, class Invalid>
void scan_utf8(std::string_view s, Text text, Invalid invalid) {
    while (!s.empty()) {
        const std::size_t bad = folio::io::invalid_utf8_offset(s);
        for (char c : s.substr(0, bad == std::string_view::npos ? s.size() : bad)) text(c);
        if (bad == std::string_view::npos) return;
        invalid(static_cast<unsigned char>(s[bad]));
        s.remove_prefix(bad + 1);
    }
}

// `s` with every byte that is not printable text written as \xNN: control
// bytes (< 0x20), DEL (0x7f), the backslash itself, and each byte of `s`
// that is not part of well-formed UTF-8. Valid UTF-8 text passes unchanged,
// so the result is valid UTF-8 with no control characters. With
// `quote_too`, '"' becomes \x22 as well (a field of the access log, which
// sits between double quotes).
std::string printable(std::string_view s, bool quote_too = false);

// "1 article", "0 articles", "2 articles": `n` and the noun in its number.
std::string count_of(std::int64_t n, std::string_view singular, std::string_view plural);

} // namespace folio_cli::web
