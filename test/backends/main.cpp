// Entry point of the backend conformance suite: FOLIO_TEST_BACKEND says which
// backend the cases run on (backend_fixture.hpp); the PostgreSQL run without
// a server (FOLIO_TEST_PG unset) exits 77, which meson reports as SKIP.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#define BOOST_TEST_MODULE folio_backends
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstdlib>
#include <string_view>

int main(int argc, char* argv[]) {
    const char* backend = std::getenv("FOLIO_TEST_BACKEND");
    const char* server = std::getenv("FOLIO_TEST_PG");
    if (backend && std::string_view(backend) == "postgresql" && (!server || !*server)) {
        std::puts("FOLIO_TEST_PG is not set: the PostgreSQL run of the backend suite is skipped "
                  "(run it with tools/with-postgres.sh meson test -C build)");
        return 77;
    }
    return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
}
