// raw_sql_test.cpp: the query doctor on SQL the program runs by hand
// (Database::execute, sqlite3_exec): statements are grouped by shape whatever
// their spelling, so raw loops are caught like the ORM's, bulk forms are
// never flagged, and schema changes make the doctor plan statements afresh.
#include <boost/test/unit_test.hpp>

#include <sqlite3.h>

#include <sstream>

#include "support/blog_fixture.hpp"
#include "support/blog.hpp"
#include "doctor_support.hpp"

using namespace folio;
using doctor_test::diagnose;
using folio_test::BlogFixture;

BOOST_AUTO_TEST_SUITE(doctor_raw_sql)

// Each verb, spelled as people write it: lower case, after blanks, WITH
// and VALUES for queries, REPLACE for writes; string literals with quotes.
BOOST_AUTO_TEST_CASE(raw_loops_are_grouped_by_shape_whatever_their_spelling) {
    folio_test::BackendBlog on_backend;  // this run's backend
    Blog& blog = on_backend.blog;
    Database& db = blog.db();
    struct Case {
        std::string sql;  // {} is the loop's value
        Pattern pattern;
        std::string fix;
    };
    const std::vector<Case> cases = {
        {"  with x(n) as (select {}) select n from x", Pattern::RepeatedQuery, "__in"},
        {"\r\n select id from tag where name = 'it''s {}'", Pattern::RepeatedQuery, "__in"},
        {"VALUES ({})", Pattern::RepeatedQuery, "__in"},
        // SQLite's REPLACE, PostgreSQL's upsert: a write either way.
        {folio_test::on_postgresql()
             ? "insert into tag (id, name) values ({}, 'n{}') on conflict (id) do update set name = excluded.name"
             : "replace into tag (id, name) values ({}, 'n{}')",
         Pattern::OneByOneWrites, "bulk_create"},
        {"update tag set name = 'm{}' where id = {}", Pattern::OneByOneWrites, "update()"},
        {"\n\tdelete from tag where id = {}", Pattern::OneByOneWrites, "remove()"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.sql) {
            auto found = diagnose(db, [&] {
                for (int i = 1; i <= 12; ++i) {
                    std::string sql = c.sql;
                    for (auto at = sql.find("{}"); at != std::string::npos; at = sql.find("{}"))
                        sql.replace(at, 2, std::to_string(i));
                    db.execute(sql);
                }
            });
            BOOST_REQUIRE(found.size() == 1u);
            BOOST_TEST(found[0].pattern == c.pattern);
            BOOST_TEST(found[0].count == 12u);
            BOOST_TEST(found[0].fix.find(c.fix) != std::string::npos, found[0].fix);
        }
    }
}

// A multi-row VALUES list or an IN list is already the bulk form, however
// it is spaced; PRAGMAs and transaction control are not the program's data.
BOOST_AUTO_TEST_CASE(bulk_forms_and_other_statements_are_not_flagged) {
    folio_test::BackendBlog on_backend;  // this run's backend
    Blog& blog = on_backend.blog;
    Database& db = blog.db();
    auto found = diagnose(db, [&] {
        for (int i = 0; i < 12; ++i) {
            const std::string a = std::to_string(2 * i + 1), b = std::to_string(2 * i + 2);
            db.execute("INSERT INTO tag (id, name) VALUES (" + a + ",'t" + a + "'),(" + b + ",'t" + b + "')");
            db.execute("DELETE FROM tag WHERE id IN (" + a + "," + b + ") AND id < 0");
            if (!folio_test::on_postgresql()) db.execute("PRAGMA foreign_keys = ON");  // SQLite's PRAGMA
            db.execute("BEGIN");  // PostgreSQL takes a SAVEPOINT inside a transaction only
            db.execute("SAVEPOINT s");
            db.execute("RELEASE s");
            db.execute("COMMIT");
        }
    });
    BOOST_TEST(found.empty(), doctor_test::dump(found));
    BOOST_TEST(db.scalar("SELECT count(*) FROM tag").as_integer() == 24);
}

// The doctor plans each statement shape once; a schema change (an index
// created or dropped) makes it plan them again, and counts tables afresh.
BOOST_AUTO_TEST_CASE(a_schema_change_replans_what_was_planned) {
    BlogFixture f(1200, 0);
    auto lookup = [&] { (void)f.blog.authors().get("username", "user7"); };
    BOOST_TEST(diagnose(f.db, lookup).empty());  // planned: SEARCH with the index
    const auto before = diagnose(f.db, [&] {
        f.db.execute("DROP INDEX author_username");
        lookup();
    });
    EXPECT_FINDING(before, Pattern::MissingIndex, "author.username");
    const auto after = diagnose(f.db, [&] {
        f.db.execute("CREATE INDEX author_username ON author (username)");
        lookup();
    });
    BOOST_TEST(after.empty(), doctor_test::dump(after));
}

BOOST_AUTO_TEST_CASE(every_pattern_has_a_name_and_findings_print_as_json) {
    const std::vector<std::pair<Pattern, std::string>> names = {
        {Pattern::NPlusOne, "N+1"},
        {Pattern::RepeatedQuery, "repeated query"},
        {Pattern::OneByOneWrites, "one-by-one writes"},
        {Pattern::FullRowUpdate, "full-row update"},
        {Pattern::LargeResultCached, "large result cached"},
        {Pattern::RelatedObjectForId, "related object loaded for its id"},
        {Pattern::UnusedColumns, "unused columns"},
        {Pattern::DeferredFieldLoaded, "deferred field loaded"},
        {Pattern::MissingIndex, "missing index"},
        {Pattern::CountByFetching, "counting by fetching"},
        {Pattern::CountVsZero, "count compared with zero"},
        {Pattern::SliceAfterEvaluation, "slicing after evaluation"},
        {Pattern::UnusedEagerLoading, "unused eager loading"},
        {Pattern::UnindexedSort, "sort without index"},
    };
    for (const auto& [p, name] : names) {
        std::ostringstream out;
        out << p;
        BOOST_TEST(out.str() == name);
        BOOST_TEST(to_string(p) == name);
    }
    Finding one{.pattern = Pattern::CountVsZero, .what = "w", .sql = "SELECT 1", .count = 1, .fix = "exists()", .key = "k"};
    BOOST_TEST(one.to_string() == "[folio doctor] count compared with zero: w (SELECT 1) -> fix: exists()");
    Finding many = one;
    many.count = 3;
    BOOST_TEST(many.to_string() == "[folio doctor] count compared with zero: w (3x: SELECT 1) -> fix: exists()");
    Finding bare = one;
    bare.sql.clear();
    BOOST_TEST(bare.to_string() == "[folio doctor] count compared with zero: w -> fix: exists()");
    BOOST_TEST(findings_json({}) == "[]");
    BOOST_TEST(findings_json({one}) ==
               R"j([{"count":1,"fix":"exists()","pattern":"count compared with zero","sql":"SELECT 1","what":"w"}])j");
}

BOOST_AUTO_TEST_SUITE_END()
