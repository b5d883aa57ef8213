// expect_invalid.hpp: the assertion of the bad-request suites: a call is
// refused with InvalidQuery whose message names every given piece, before
// any statement runs (counted by folio's own QueryCapture).
#pragma once

#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

#include <initializer_list>
#include <string>

#include <folio/folio.hpp>

namespace folio_test {

// Runs `fn`, expecting InvalidQuery whose message contains every `needle`,
// and no statement at all on `db`.
template <class Fn>
void expect_invalid(folio::Database& db, Fn&& fn, std::initializer_list<const char*> needles) {
    folio::QueryCapture q(db);
    try {
        fn();
        BOOST_ERROR("expected InvalidQuery");
    } catch (const folio::InvalidQuery& e) {
        const std::string what = e.what();
        for (const char* n : needles) BOOST_TEST(what.find(n) != std::string::npos, "'" << n << "' in: " << what);
    }
    BOOST_TEST(q.count() == 0u);  // refused before any statement ran
}

} // namespace folio_test
