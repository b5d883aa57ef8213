// backend_only.hpp: Boost.Test decorators for the cases that are by nature
// one backend's (SQLite's exact SQL text, its EXPLAIN QUERY PLAN wording, its
// PRAGMAs and limits). A suite registered once per backend (backend.hpp)
// skips such a case on the other backends with the reason in Boost.Test's
// log ("Test case ... is skipped because SQLite only: ..."), instead of
// deleting the case or copying the suite.
#pragma once
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

#include <string>

#include "backend.hpp"

namespace folio_test {

// Runs the decorated case or suite on the SQLite backends only; `why` says
// what in it is SQLite's alone.
inline boost::unit_test::precondition sqlite_only(std::string why) {
    return boost::unit_test::precondition([why = std::move(why)](boost::unit_test::test_unit_id) {
        boost::test_tools::assertion_result run(!on_postgresql());
        run.message() << "SQLite only: " << why;
        return run;
    });
}

// Runs the decorated case only when this run has a PostgreSQL server
// (FOLIO_TEST_PG), whatever FOLIO_TEST_BACKEND says: for a case about
// PostgreSQL alone inside a suite that runs without one.
// (The predicate carries its message: boost::function holding an empty
// lambda makes GCC 12 at -O3 report a false -Wuninitialized, which -Werror
// turned into a failed release build.)
inline boost::unit_test::precondition needs_postgresql_server() {
    return boost::unit_test::precondition(
        [why = std::string("FOLIO_TEST_PG is not set (run it with tools/with-postgres.sh)")](
            boost::unit_test::test_unit_id) {
            boost::test_tools::assertion_result run(!postgresql_server().empty());
            run.message() << why;
            return run;
        });
}

} // namespace folio_test
