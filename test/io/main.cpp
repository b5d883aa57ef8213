// Entry point of the folio I/O test suite (Boost.Test, dynamically linked):
// the only file that defines BOOST_TEST_MODULE. meson runs the suites that
// import into a database once more on PostgreSQL (FOLIO_TEST_BACKEND,
// support/backend.hpp); without a server (FOLIO_TEST_PG unset) that run
// exits 77, which meson reports as SKIP.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#define BOOST_TEST_MODULE folio_io
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include "support/backend.hpp"

int main(int argc, char* argv[]) {
    if (folio_test::skip_without_server(folio_test::on_postgresql(), "the import suites")) return 77;
    return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
}
