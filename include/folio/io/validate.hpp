// Small, dependency-free value checks shared by the JSON importer and the
// model layer: calendar dates, UTF-8 code-point length and e-mail syntax.
// The readers only check JSON types; these are the semantic checks that the
// model layer applies (e.g. Django's max_length=64 counts characters).
#pragma once

#include <cstddef>
#include <string_view>

namespace folio::io {

// Contract: true iff `s` is exactly "YYYY-MM-DD" (10 ASCII characters) naming
// a real day of the proleptic Gregorian calendar with year 0001..9999,
// leap years included (divisible by 4, except centuries not divisible by 400).
bool is_valid_date(std::string_view s) noexcept;

// Contract: number of Unicode code points in `s`, which is expected to be valid
// UTF-8 (the JSON reader guarantees that); for invalid input every byte that
// is not a continuation byte (10xxxxxx) counts as one character.
std::size_t utf8_length(std::string_view s) noexcept;

// Contract: the offset of the first byte of `s` that does not belong to
// well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF, no truncated sequence), or std::string_view::npos when `s` is
// well-formed.
std::size_t invalid_utf8_offset(std::string_view s) noexcept;

// Contract: true iff `s` is empty (the guide's exports have authors without
// e-mail) or has the form local@domain.tld with:
//  - local part: 1..64 chars of ASCII letters, digits and !#$%&'*+/=?^_`{|}~.-
//    not starting or ending with '.', and no "..";
//  - domain: at least two dot-separated labels, each 1..63 ASCII letters,
//    digits or '-', not starting or ending with '-'; the last label (TLD) has
//    at least 2 characters and is all letters;
//  - total length <= 254, no spaces or control characters anywhere.
bool is_valid_email(std::string_view s) noexcept;

} // namespace folio::io
