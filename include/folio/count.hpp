// count.hpp: folio::Count, what QuerySet::count() returns: the number of
// rows, usable as a std::int64_t, that also lets the query doctor notice the
// guide's "count vs exists" pattern (`author.articles().count() > 0`).
//
// A Count converts implicitly to std::int64_t and compares with any integer,
// so code written for an integer keeps compiling (`qs.count() == 20`,
// `std::int64_t n = qs.count()`, `fmt::format("{}", qs.count())`, JSON).
// When the doctor is on and the number came from a SELECT COUNT(*), comparing
// it with 0 (or testing it as a bool) reports a finding whose fix is
// exists(). With the doctor off a Count is a number and an empty weak_ptr.
#pragma once

#include <compare>
#include <concepts>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <utility>

namespace folio {

namespace detail {
struct DoctorState;
// Out of line (lib/doctor_hooks.cpp): reports a count compared with zero.
void doctor_count_vs_zero(const std::weak_ptr<DoctorState>& doctor, const std::string* sql);
// The integers std::cmp_equal accepts (not bool, not the character types).
template <class I>
concept CountOperand = std::integral<I> && !std::same_as<I, bool> && !std::same_as<I, char> &&
                       !std::same_as<I, wchar_t> && !std::same_as<I, char8_t> && !std::same_as<I, char16_t> &&
                       !std::same_as<I, char32_t>;
} // namespace detail

class Count {
public:
    // Explicit, so that `cond ? qs.count() : 0` is an integer, not ambiguous.
    constexpr explicit Count(std::int64_t value = 0) noexcept : value_(value) {}
    // Used by the library when the doctor watches this count.
    Count(std::int64_t value, std::weak_ptr<detail::DoctorState> doctor, const std::string* sql)
        : value_(value), sql_(sql), doctor_(std::move(doctor)) {}

    constexpr std::int64_t value() const noexcept { return value_; }
    operator std::int64_t() const noexcept { return value_; }
    // `if (qs.count())` is an existence test too.
    explicit operator bool() const {
        note(0);
        return value_ != 0;
    }

    // Templates on the integer type, so that they match exactly and win over
    // the built-in comparison reached through the conversion above.
    template <detail::CountOperand I>
    friend bool operator==(const Count& c, I other) {
        c.note(other);
        return std::cmp_equal(c.value_, other);
    }
    template <detail::CountOperand I>
    friend std::strong_ordering operator<=>(const Count& c, I other) {
        c.note(other);
        if (std::cmp_less(c.value_, other)) return std::strong_ordering::less;
        if (std::cmp_equal(c.value_, other)) return std::strong_ordering::equal;
        return std::strong_ordering::greater;
    }
    friend bool operator==(const Count& a, const Count& b) noexcept { return a.value_ == b.value_; }
    friend std::strong_ordering operator<=>(const Count& a, const Count& b) noexcept { return a.value_ <=> b.value_; }

    friend std::ostream& operator<<(std::ostream& out, const Count& c);
    // nlohmann::json finds this by ADL (`json j = qs.count()`), without
    // folio's headers depending on it.
    template <class Json>
    friend void to_json(Json& j, const Count& c) {
        j = c.value_;
    }

private:
    template <detail::CountOperand I>
    void note(I other) const {
        if (sql_ && other == 0) detail::doctor_count_vs_zero(doctor_, sql_);
    }

    std::int64_t value_;
    const std::string* sql_ = nullptr;  // the COUNT statement, owned by the doctor
    std::weak_ptr<detail::DoctorState> doctor_;
};

} // namespace folio
