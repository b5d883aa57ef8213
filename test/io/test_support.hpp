// Helpers of the I/O tests: a checker that an InputError carries the expected
// location. Temporary directories and file reading/writing are the suites'
// shared ones (test/support/).
#pragma once

#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "folio/io/input_error.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

namespace folio_test {

// Runs `f`, requires it to throw InputError, and returns it for inspection.
inline folio::io::InputError catch_input_error(const std::function<void()>& f) {
    try {
        f();
    } catch (const folio::io::InputError& e) {
        return e;
    }
    BOOST_FAIL("expected folio::io::InputError, nothing (or something else) was thrown");
    throw std::logic_error("unreachable");
}

} // namespace folio_test
