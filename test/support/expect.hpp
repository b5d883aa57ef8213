// expect.hpp: assertions shared by the suites: that code throws a given
// exception type (returning its message), and substring search.
#pragma once

#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

#include <exception>
#include <functional>
#include <string>
#include <string_view>
#include <typeinfo>

namespace folio_test {

// Runs `f`, requires it to throw E, and returns the message for inspection.
template <class E>
std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    } catch (const std::exception& e) {
        BOOST_FAIL("expected " << typeid(E).name() << ", got another exception: " << e.what());
    }
    BOOST_FAIL("expected " << typeid(E).name() << ", nothing was thrown");
    return {};
}

inline bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

} // namespace folio_test
