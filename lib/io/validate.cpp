// Implementation of folio/io/validate.hpp: date, UTF-8 length and e-mail
// checks. Written by hand (no <regex>, no <chrono> parsing) so they are cheap
// enough to run on every imported record.
#include "folio/io/validate.hpp"

#include <cstdint>
#include <cstring>
#include <string_view>

namespace folio::io {
namespace {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_alnum(char c) noexcept { return is_digit(c) || is_alpha(c); }

constexpr bool is_leap(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) noexcept {
    constexpr int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

// Parses `n` ASCII digits starting at s[pos]; the caller checked they are digits.
int number_at(std::string_view s, std::size_t pos, std::size_t n) noexcept {
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) v = v * 10 + (s[pos + i] - '0');
    return v;
}

bool valid_local_part(std::string_view local) noexcept {
    constexpr std::string_view specials = "!#$%&'*+/=?^_`{|}~.-";
    if (local.empty() || local.size() > 64) return false;
    if (local.front() == '.' || local.back() == '.') return false;
    if (local.find("..") != std::string_view::npos) return false;
    for (char c : local)
        if (!is_alnum(c) && specials.find(c) == std::string_view::npos) return false;
    return true;
}

bool valid_label(std::string_view label) noexcept {
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
        if (!is_alnum(c) && c != '-') return false;
    return true;
}

bool valid_domain(std::string_view domain) noexcept {
    std::size_t labels = 0;
    std::string_view last;
    while (true) {
        const std::size_t dot = domain.find('.');
        const std::string_view label = domain.substr(0, dot);
        if (!valid_label(label)) return false;
        ++labels;
        last = label;
        if (dot == std::string_view::npos) break;
        domain.remove_prefix(dot + 1);
    }
    if (labels < 2 || last.size() < 2) return false;
    for (char c : last)
        if (!is_alpha(c)) return false;
    return true;
}

} // namespace

bool is_valid_date(std::string_view s) noexcept {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
        if (!is_digit(s[i])) return false;
    const int y = number_at(s, 0, 4), m = number_at(s, 5, 2), d = number_at(s, 8, 2);
    return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

std::size_t utf8_length(std::string_view s) noexcept {
    std::size_t n = 0;
    for (char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0u) != 0x80u) ++n;
    return n;
}

std::size_t invalid_utf8_offset(std::string_view s) noexcept {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    std::size_t i = 0;
    while (i < s.size()) {
        // ASCII eight bytes at a time: the readers check every input chunk
        // with this, and most text is ASCII.
        std::uint64_t word = 0;
        while (i + sizeof word <= s.size() &&
               (std::memcpy(&word, s.data() + i, sizeof word), (word & 0x8080808080808080u) == 0))
            i += sizeof word;
        if (i == s.size()) break;
        const unsigned char c = byte(i);
        if (c < 0x80) {
            ++i;
            continue;
        }
        // Length of the sequence and the range its second byte must fall in
        // (RFC 3629's table: this is what rules out overlongs and surrogates).
        std::size_t n = 4;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) n = 2;
        else if (c >= 0xE0 && c <= 0xEF) n = 3;
        else if (c > 0xF4 || c < 0xC2) return i;  // continuation bytes, C0/C1 overlongs, beyond U+10FFFF
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
        if (i + n > s.size() || byte(i + 1) < lo || byte(i + 1) > hi) return i;
        for (std::size_t k = 2; k < n; ++k)
            if ((byte(i + k) & 0xC0u) != 0x80u) return i;
        i += n;
    }
    return std::string_view::npos;
}

bool is_valid_email(std::string_view s) noexcept {
    if (s.empty()) return true;
    if (s.size() > 254) return false;
    const std::size_t at = s.find('@');
    if (at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos) return false;
    // Character classes below exclude spaces, controls and non-ASCII bytes.
    return valid_local_part(s.substr(0, at)) && valid_domain(s.substr(at + 1));
}

} // namespace folio::io
