// Entry point of the PostgreSQL backend suite (Boost.Test, dynamically
// linked). Every case needs a server: without FOLIO_TEST_PG (a libpq
// conninfo, set by tools/with-postgres.sh and by .ci/run) the whole suite
// exits 77, which meson reports as SKIP, so a run without a server says so.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#define BOOST_TEST_MODULE folio_postgresql
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include "support/backend.hpp"

int main(int argc, char* argv[]) {
    if (folio_test::skip_without_server(true, "the PostgreSQL suite")) return 77;
    return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
}
