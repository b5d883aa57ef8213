// statement_edges_test.cpp: a Statement's binding as the SQL log records it:
// placeholders bound out of order (last first) are logged in placeholder
// order, bind_null() stores and logs NULL, and a Statement moved onto a
// moved-from one runs the other's SQL. On every backend.
#include <boost/test/unit_test.hpp>

#include <folio/folio.hpp>

#include "support/backend.hpp"

using namespace folio;

BOOST_AUTO_TEST_SUITE(statement_edges)

BOOST_AUTO_TEST_CASE(out_of_order_binds_and_bind_null_are_logged_in_placeholder_order) {
    folio_test::TestDatabaseTarget where;
    Database db(where.target());
    db.execute("CREATE TABLE t (a INTEGER, b TEXT, c TEXT)");
    QueryCapture q(db);
    Statement st = db.prepare("INSERT INTO t (a, b, c) VALUES (?, ?, ?)");
    st.bind(3, Value("third"));
    st.bind_null(2);
    st.bind(1, std::int64_t{7});
    BOOST_TEST(st.execute() == 1);
    BOOST_REQUIRE(q.all().size() == 1u);
    const auto& args = q.all()[0].args;
    BOOST_REQUIRE(args.size() == 3u);
    BOOST_TEST(args[0].as_integer() == 7);
    BOOST_TEST(args[1].is_null());
    BOOST_TEST(args[2].as_text() == "third");
    BOOST_TEST(db.scalar("SELECT COUNT(*) FROM t WHERE a = 7 AND b IS NULL AND c = 'third'").as_integer() == 1);
}

BOOST_AUTO_TEST_CASE(a_statement_moved_onto_a_moved_from_one_runs_the_others_sql) {
    folio_test::TestDatabaseTarget where;
    Database db(where.target());
    db.execute("CREATE TABLE t (a INTEGER)");
    Statement first = db.prepare("INSERT INTO t (a) VALUES (1)");
    Statement keep(std::move(first));  // `first` is now empty
    first = db.prepare("INSERT INTO t (a) VALUES (2)");
    BOOST_TEST(first.execute() == 1);
    BOOST_TEST(keep.execute() == 1);
    BOOST_TEST(db.scalar("SELECT COUNT(*) FROM t WHERE a = 1").as_integer() == 1);
    BOOST_TEST(db.scalar("SELECT COUNT(*) FROM t WHERE a = 2").as_integer() == 1);
    BOOST_TEST(db.scalar("SELECT COUNT(*) FROM t").as_integer() == 2);
}

BOOST_AUTO_TEST_SUITE_END()
