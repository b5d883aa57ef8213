// values.cpp: the text forms folio exchanges with PostgreSQL (see values.hpp for why text).
#include "lib/backend/postgresql/values.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "folio/errors.hpp"
#include "lib/sqlite_errors.hpp"

namespace folio::backend::postgresql {

namespace {

std::string real_text(double d) {
    // PostgreSQL's spellings of the non-finite values; finite ones in the
    // shortest form that reads back to the same double.
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    return fmt::format("{}", d);
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

} // namespace

void encode_parameter(const Value& value, Oid type, int index, std::string_view sql, WireParameter& out) {
    out.format = 0;
    out.null = false;
    switch (value.storage().index()) {
    case 0: out.null = true; out.bytes.clear(); return;
    case 1: {
        char buf[24];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, std::get<1>(value.storage()));
        out.bytes.assign(buf, end);
        return;
    }
    case 2: out.bytes = real_text(std::get<2>(value.storage())); return;
    default: {
        const std::string& s = std::get<3>(value.storage());
        if (type == oid::bytea) {
            out.format = 1;
            out.bytes = s;
            return;
        }
        if (s.find('\0') != std::string::npos)
            throw DataError(fmt::format("parameter ${} holds a NUL byte, which PostgreSQL text cannot store "
                                        "(bind it to a bytea column) (while running: {})",
                                        index, detail::shorten_sql(sql)));
        out.bytes = s;
    }
    }
}

std::string decode_bytea(std::string_view text) {
    if (text.size() < 2 || text[0] != '\\' || text[1] != 'x') return std::string(text);
    std::string out;
    out.reserve((text.size() - 2) / 2);
    for (std::size_t i = 2; i + 1 < text.size(); i += 2) {
        const int hi = hex_digit(text[i]), lo = hex_digit(text[i + 1]);
        if (hi < 0 || lo < 0) return std::string(text);
        out += static_cast<char>(hi * 16 + lo);
    }
    return out;
}

Value decode_column(std::string_view text, Oid type) {
    switch (type) {
    case oid::boolean: return Value(std::int64_t{text == "t" ? 1 : 0});
    case oid::int2:
    case oid::int4:
    case oid::int8:
    case oid::oid: {
        std::int64_t i = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
        if (ec == std::errc() && end == text.data() + text.size()) return Value(i);
        return Value(text);  // an oid above INT64_MAX cannot happen; keep the text rather than guess
    }
    case oid::numeric: {
        // An integral numeric that fits 64 bits is an integer: sum() of
        // integers gives numeric on PostgreSQL and an integer on SQLite.
        std::int64_t i = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
        if (ec == std::errc() && end == text.data() + text.size()) return Value(i);
        [[fallthrough]];
    }
    case oid::float4:
    case oid::float8: {
        double d = 0;
        // from_chars reads "Infinity", "-Infinity" and "NaN" too.
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
        if (ec == std::errc() && end == text.data() + text.size()) return Value(d);
        return Value(text);
    }
    case oid::bytea: return Value(decode_bytea(text));
    default: return Value(text);
    }
}

} // namespace folio::backend::postgresql
