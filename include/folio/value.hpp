// value.hpp: folio::Value, one SQLite value (NULL, INTEGER, REAL or TEXT).
//
// Model fields, bound parameters and logged arguments are all Values. Booleans
// are stored as 0/1 integers and dates as 'YYYY-MM-DD' text, as SQLite does.
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace folio {

class Value {
public:
    using Storage = std::variant<std::monostate, std::int64_t, double, std::string>;

    Value() = default;
    Value(std::nullptr_t) {}
    template <std::integral I>
    Value(I i) : v_(static_cast<std::int64_t>(i)) {}
    Value(double d) : v_(d) {}
    Value(const char* s) : v_(std::string(s)) {}
    Value(std::string s) : v_(std::move(s)) {}
    Value(std::string_view s) : v_(std::string(s)) {}

    bool is_null() const noexcept { return v_.index() == 0; }
    bool is_integer() const noexcept { return v_.index() == 1; }
    bool is_real() const noexcept { return v_.index() == 2; }
    bool is_text() const noexcept { return v_.index() == 3; }

    // Typed access; throws folio::InvalidQuery when the value holds another type.
    std::int64_t as_integer() const;
    double as_real() const;              // integers convert
    const std::string& as_text() const;
    bool as_bool() const { return as_integer() != 0; }

    // The value as SQL would show it: NULL, 42, 1.5, 'it''s'. Used by the SQL
    // log and by error messages; long text is cut to `max_text` characters.
    std::string repr(std::size_t max_text = 80) const;
    // The SQLite storage class name: "null", "integer", "real" or "text".
    const char* type_name() const noexcept;

    // Sets the value to `s`, reusing this value's text buffer when it holds
    // text already: loaders refill the same objects row after row.
    void assign_text(std::string_view s) {
        if (auto* t = std::get_if<std::string>(&v_)) t->assign(s.data(), s.size());
        else v_ = std::string(s);
    }

    const Storage& storage() const noexcept { return v_; }
    friend bool operator==(const Value&, const Value&) = default;

private:
    Storage v_;
};

} // namespace folio
