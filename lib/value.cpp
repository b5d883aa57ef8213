// value.cpp: typed access and SQL-style printing of folio::Value.
#include "folio/value.hpp"

#include <fmt/format.h>

#include "folio/errors.hpp"

namespace folio {

std::int64_t Value::as_integer() const {
    if (const auto* i = std::get_if<std::int64_t>(&v_)) return *i;
    throw InvalidQuery(fmt::format("expected an integer, got {} {}", type_name(), repr()));
}

double Value::as_real() const {
    if (const auto* d = std::get_if<double>(&v_)) return *d;
    if (const auto* i = std::get_if<std::int64_t>(&v_)) return static_cast<double>(*i);
    throw InvalidQuery(fmt::format("expected a number, got {} {}", type_name(), repr()));
}

const std::string& Value::as_text() const {
    if (const auto* s = std::get_if<std::string>(&v_)) return *s;
    throw InvalidQuery(fmt::format("expected text, got {} {}", type_name(), repr()));
}

const char* Value::type_name() const noexcept {
    static const char* const names[] = {"null", "integer", "real", "text"};
    return names[v_.index()];
}

std::string Value::repr(std::size_t max_text) const {
    switch (v_.index()) {
    case 0: return "NULL";
    case 1: return std::to_string(std::get<1>(v_));
    case 2: return fmt::format("{}", std::get<2>(v_));
    default: {
        const std::string& s = std::get<3>(v_);
        std::string out = "'";
        std::size_t n = 0;
        for (char c : s) {
            // max_text counts characters: only a UTF-8 lead byte starts one,
            // so the cut never falls inside a multi-byte character.
            const bool continuation = (static_cast<unsigned char>(c) & 0xC0) == 0x80;
            if (!continuation && n++ == max_text) {
                out += "...";
                break;
            }
            if (c == '\'') out += '\'';
            out += c;
        }
        out += '\'';
        return out;
    }
    }
}

} // namespace folio
