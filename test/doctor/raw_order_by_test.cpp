// raw_order_by_test.cpp: the doctor's sort and scan rules on SQL written by
// hand: an ORDER BY column however it is spelled (bare, table.column,
// quoted) is named in the fix; an ORDER BY expression or position is no
// column to index and gets no index advice; a WHERE on table.column unquoted
// is a lookup like the ORM's. And statement shapes at their edges: an
// unterminated literal, digits inside names, compact bulk lists.
#include <boost/test/unit_test.hpp>

#include "support/blog_fixture.hpp"
#include "doctor_support.hpp"
#include "lib/doctor_state.hpp"

using namespace folio;
using doctor_test::diagnose;
using folio_test::BlogFixture;

BOOST_AUTO_TEST_SUITE(doctor_raw_order_by)

BOOST_AUTO_TEST_CASE(a_sorted_column_is_named_however_the_sql_spells_it) {
    BlogFixture f(1100, 0);  // past scan_min_rows; author.bio has no index
    for (const char* sql : {"SELECT id FROM author ORDER BY bio LIMIT 5",
                            "SELECT id FROM author ORDER BY  author.bio DESC LIMIT 5",
                            "SELECT \"id\" FROM \"author\" ORDER BY \"author\".\"bio\" LIMIT 5",
                            "SELECT id FROM author ORDER BY bio, id LIMIT 5",
                            "SELECT id FROM author ORDER BY bio\nLIMIT 5"}) {
        BOOST_TEST_CONTEXT(sql) {
            const auto found = diagnose(f.db, [&] { f.db.execute(sql); });
            const Finding& sort = doctor_test::require_finding(found, Pattern::UnindexedSort);
            BOOST_TEST(sort.fix.find("db_index=True on bio") != std::string::npos, sort.fix);
            BOOST_TEST(sort.what.find("1100 rows") != std::string::npos, sort.what);
        }
    }
}

BOOST_AUTO_TEST_CASE(an_ordering_that_is_not_a_column_gets_no_index_advice) {
    BlogFixture f(1100, 0);
    // Each sorts every author, but an index on a column named "length",
    // "lower" or "2" would be no fix: the rule speaks of columns only.
    for (const char* sql : {"SELECT id FROM author ORDER BY length(bio) LIMIT 5",
                            "SELECT id FROM author ORDER BY lower(author.bio) LIMIT 5",
                            "SELECT id, bio FROM author ORDER BY 2 LIMIT 5",
                            "SELECT id FROM author ORDER BY author.bio || 'x' LIMIT 5"}) {
        BOOST_TEST_CONTEXT(sql) {
            const auto found = diagnose(f.db, [&] { f.db.execute(sql); });
            BOOST_TEST(!doctor_test::find(found, Pattern::UnindexedSort), doctor_test::dump(found));
        }
    }
    // The indexed column is no finding either (migration 0003's index).
    BOOST_TEST(diagnose(f.db, [&] { f.db.execute("SELECT id FROM author ORDER BY username LIMIT 5"); }).empty());
}

BOOST_AUTO_TEST_CASE(a_raw_lookup_on_table_dot_column_is_a_missing_index) {
    BlogFixture f(1100, 0);
    const auto found = diagnose(f.db, [&] { f.db.execute("SELECT id FROM author WHERE author.bio = 'x'"); });
    const Finding& scan = doctor_test::require_finding(found, Pattern::MissingIndex);
    BOOST_TEST(scan.fix.find("author_bio") != std::string::npos, scan.fix);
    BOOST_TEST(scan.sql.find("author.bio = ?") != std::string::npos, scan.sql);
    // Below scan_min_rows the same lookup is nothing to report.
    BlogFixture small(20, 0);
    BOOST_TEST(diagnose(small.db, [&] { small.db.execute("SELECT id FROM author WHERE author.bio = 'x'"); }).empty());
}

BOOST_AUTO_TEST_CASE(statement_shapes_at_their_edges) {
    bool multi = true;
    // A literal cut off at the end is still one value.
    BOOST_TEST(detail::statement_shape("SELECT 'it''s open", &multi) == "SELECT ?");
    BOOST_TEST(!multi);
    // Digits inside names (t1, x_2, "c"9) stay; numbers, decimals included, fold.
    BOOST_TEST(detail::statement_shape("SELECT x_2 FROM t1 WHERE \"c\"9 = 3.25 AND n = -7", &multi) ==
               "SELECT x_2 FROM t1 WHERE \"c\"9 = ? AND n = -?");
    BOOST_TEST(!multi);
    // Bulk forms without spaces after the commas.
    BOOST_TEST(detail::statement_shape("INSERT INTO t VALUES (1),(2),(3)", &multi) == "INSERT INTO t VALUES (?)");
    BOOST_TEST(multi);
    BOOST_TEST(detail::statement_shape("DELETE FROM t WHERE id IN (4,5)", &multi) == "DELETE FROM t WHERE id IN (?)");
    BOOST_TEST(multi);
    BOOST_TEST(statement_shape("UPDATE t SET a = 'x' WHERE id = 9") == "UPDATE t SET a = ? WHERE id = ?");
}

BOOST_AUTO_TEST_SUITE_END()
