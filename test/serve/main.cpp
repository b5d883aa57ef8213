// Entry point of the `folio serve` suite (Boost.Test, dynamically linked).
// FOLIO_TEST_BACKEND says which backend the served blog lives on (a file
// for the SQLite runs, a schema on FOLIO_TEST_PG's server for postgresql);
// the PostgreSQL run without a server exits 77, which meson reports as SKIP.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#define BOOST_TEST_MODULE folio_serve
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include "support/backend.hpp"

int main(int argc, char* argv[]) {
    if (folio_test::skip_without_server(folio_test::on_postgresql(), "the serve suite")) return 77;
    return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
}
