// address_edges_test.cpp: what Database takes for a PostgreSQL server and
// what for a SQLite file (is_postgresql_address: URIs, a libpq conninfo whose
// first word is a connection keyword followed by "=", blanks allowed), and
// an immutable read-only open of a file whose name holds the characters a
// "file:" URI gives a meaning to (%, ?, #), which must open that very file.
#include <boost/test/unit_test.hpp>

#include <folio/folio.hpp>

#include "support/backend_only.hpp"
#include "support/temp_dir.hpp"

using namespace folio;

BOOST_AUTO_TEST_SUITE(address_edges)

BOOST_AUTO_TEST_CASE(postgresql_addresses_and_sqlite_files_are_told_apart) {
    for (const char* server : {"postgresql://u@h/db", "postgres://h", "host=db dbname=blog", "dbname=blog",
                               "  \tport = 5433", "sslmode=disable", "client_encoding=UTF8"})
        BOOST_TEST(is_postgresql_address(server), server);
    for (const char* file : {"blog.sqlite3", ":memory:", "", "   ", "host", "host dbname", "hostx=db",
                             "db name=blog", "postgresql:/h", "./host=db", "=blog"})
        BOOST_TEST(!is_postgresql_address(file), "'" << file << "'");
}

BOOST_AUTO_TEST_CASE(an_immutable_open_reads_the_file_its_odd_name_names,
                     *folio_test::sqlite_only("SQLite's immutable open of a file through a file: URI")) {
    folio_test::TempDir dir;
    const std::string path = dir.file("a%20b?c#d.sqlite3");
    {
        Database db(path);
        db.execute_script("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('here')");
    }
    DatabaseOptions o;
    o.read_only = true;
    o.immutable = true;
    Database ro(path, o);
    BOOST_TEST(ro.scalar("SELECT x FROM t").as_text() == "here");
    BOOST_CHECK_THROW(ro.execute("INSERT INTO t VALUES ('no')"), Error);
}

BOOST_AUTO_TEST_SUITE_END()
