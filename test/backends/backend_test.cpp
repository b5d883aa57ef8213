// The connection contract on every backend, from one source: statements
// (bind, step, columns, reset), scripts, the statement cache's counters, the
// SQL log and QueryCapture, transactions and savepoints, errors, migrations
// and opening a Blog. FOLIO_TEST_BACKEND picks the backend (backend_fixture.hpp).
#include "backend_fixture.hpp"

#include <fmt/format.h>

#include <string_view>
#include <vector>

#include "folio/blog.hpp"
#include "folio/errors.hpp"
#include "folio/migrations.hpp"
#include "folio/sql_log.hpp"
#include "folio/statement.hpp"
#include "folio/transaction.hpp"

using namespace folio;
using folio_backend_test::BackendFixture;

namespace {

// DDL both dialects read the same way.
constexpr std::string_view create_t = "CREATE TABLE t (x bigint, s text, r double precision)";
constexpr std::string_view create_u = "CREATE TABLE u (name text NOT NULL UNIQUE)";

std::int64_t count_of(Database& db, std::string_view table) {
    return db.scalar(fmt::format("SELECT COUNT(*) FROM {}", table)).as_integer();
}

bool contains(std::string_view haystack, std::string_view needle) { return haystack.find(needle) != std::string_view::npos; }

} // namespace

BOOST_FIXTURE_TEST_SUITE(backends, BackendFixture)

BOOST_AUTO_TEST_CASE(binds_steps_and_reads_columns) {
    db().execute(create_t);
    BOOST_TEST(db().execute("INSERT INTO t (x, s, r) VALUES (?, ?, ?)", {Value(42), Value("héllo"), Value(2.5)}) == 1);
    db().execute("INSERT INTO t (x, s, r) VALUES (?, ?, ?)", {Value(), Value(), Value()});
    Statement st = db().prepare("SELECT x, s, r FROM t WHERE x IS NOT NULL");
    BOOST_TEST(st.parameter_count() == 0);
    BOOST_REQUIRE(st.step());
    BOOST_TEST(st.column_count() == 3);
    BOOST_TEST(st.column_name(1) == "s");
    BOOST_TEST(st.column(0) == Value(42));
    BOOST_TEST(st.column_int(0) == 42);
    BOOST_TEST(st.column_text(1) == "héllo");
    BOOST_TEST(st.column(2) == Value(2.5));
    Value reused("old text");
    st.read_column(1, reused);
    BOOST_TEST(reused == Value("héllo"));
    BOOST_TEST(!st.step());
    {
        Statement nulls = db().prepare("SELECT x, s, r FROM t WHERE x IS NULL");
        BOOST_REQUIRE(nulls.step());
        for (int i = 0; i < 3; ++i) BOOST_TEST(nulls.column_is_null(i));
        BOOST_TEST(nulls.column(1).is_null());
        // Left mid-run: on PostgreSQL the connection runs nothing else until
        // the statement is reset (libpq's one command at a time).
        nulls.reset();
    }
    // reset: the same statement runs again, bindings kept.
    Statement one = db().prepare("SELECT s FROM t WHERE x = ?");
    one.bind(1, Value(42));
    BOOST_REQUIRE(one.step());
    one.reset();
    BOOST_REQUIRE(one.step());
    BOOST_TEST(one.column_text(0) == "héllo");
}

BOOST_AUTO_TEST_CASE(execute_returns_rows_changed_and_scalar_reads_one_value) {
    db().execute(create_t);
    for (int i = 0; i < 5; ++i) db().execute("INSERT INTO t (x) VALUES (?)", {Value(i)});
    BOOST_TEST(db().execute("UPDATE t SET s = ? WHERE x >= ?", {Value("big"), Value(3)}) == 2);
    BOOST_TEST(db().execute("DELETE FROM t WHERE x < ?", {Value(1)}) == 1);
    BOOST_TEST(db().scalar("SELECT COUNT(*) FROM t WHERE s = ?", {Value("big")}) == Value(2));
    BOOST_TEST(db().scalar("SELECT s FROM t WHERE x = ?", {Value(99)}).is_null());
}

BOOST_AUTO_TEST_CASE(a_script_runs_each_statement_and_one_prepare_takes_one) {
    db().execute_script("CREATE TABLE a (x bigint); -- one\nINSERT INTO a (x) VALUES (1);\n"
                        "INSERT INTO a (x) VALUES (2); /* two; */ INSERT INTO a (x) VALUES (3)");
    BOOST_TEST(count_of(db(), "a") == 3);
    BOOST_CHECK_THROW(db().prepare("INSERT INTO a (x) VALUES (4); INSERT INTO a (x) VALUES (5)"), Error);
    BOOST_TEST(count_of(db(), "a") == 3);
}

BOOST_AUTO_TEST_CASE(placeholders_inside_strings_stay_text) {
    db().execute(create_t);
    db().execute("INSERT INTO t (x, s) VALUES (?, 'why?')", {Value(7)});
    BOOST_TEST(db().scalar("SELECT s FROM t WHERE x = ? AND s LIKE '%?'", {Value(7)}) == Value("why?"));
}

BOOST_AUTO_TEST_CASE(the_statement_cache_counts_hits_misses_and_reentrant_handles) {
    db().execute(create_t);
    StatementCache& cache = db().statement_cache();
    const auto s0 = cache.stats();
    for (int i = 0; i < 3; ++i) db().scalar("SELECT COUNT(*) FROM t WHERE x = ?", {Value(i)});
    BOOST_TEST(cache.stats().misses == s0.misses + 1);
    BOOST_TEST(cache.stats().hits == s0.hits + 2);
    // The same SQL used while it is checked out gets a handle of its own.
    db().execute("INSERT INTO t (x) VALUES (1)");
    db().execute("INSERT INTO t (x) VALUES (2)");
    {
        Statement outer = db().prepare("SELECT x FROM t ORDER BY x");
        BOOST_REQUIRE(outer.step());
        const auto s1 = cache.stats();
        BOOST_TEST(s1.in_use == 1u);
        {
            // SQLite runs two cursors on one connection; on PostgreSQL (libpq:
            // one command at a time) the outer run reads its rest into memory
            // when the inner one is sent, and goes on from there.
            Statement inner = db().prepare("SELECT x FROM t ORDER BY x");
            BOOST_TEST(cache.stats().misses == s1.misses + 1);
            BOOST_TEST(cache.stats().in_use == 2u);
            BOOST_REQUIRE(inner.step());
            BOOST_TEST(inner.column(0) == Value(1));
        }
        BOOST_REQUIRE(outer.step());
        BOOST_TEST(outer.column(0) == Value(2));
    }
    BOOST_TEST(cache.stats().in_use == 0u);
    cache.clear();
    BOOST_TEST(cache.stats().idle == 0u);
}

BOOST_AUTO_TEST_CASE(capture_sees_queries_with_their_arguments_not_transaction_control) {
    db().execute(create_t);
    QueryCapture q(db());
    {
        Transaction tx(db());
        db().execute("INSERT INTO t (x, s) VALUES (?, ?)", {Value(1), Value("a")});
        db().execute("INSERT INTO t (x, s) VALUES (?, ?)", {Value(2), Value("b")});
        tx.commit();
    }
    Statement st = db().prepare("SELECT x FROM t WHERE x > ?");
    st.bind(1, Value(0));
    while (st.step()) {
    }
    st.reset();
    BOOST_TEST(q.count() == 3u);
    const auto queries = q.queries();
    BOOST_REQUIRE(queries.size() == 3u);
    BOOST_TEST(queries[0].sql == "INSERT INTO t (x, s) VALUES (?, ?)");
    BOOST_TEST(queries[0].args_known);
    BOOST_REQUIRE(queries[0].args.size() == 2u);
    BOOST_TEST(queries[0].args[1] == Value("a"));
    BOOST_TEST(queries[0].rows == 1);
    BOOST_TEST(queries[2].rows == 2);
    BOOST_TEST(queries[2].seconds >= 0.0);
    BOOST_TEST(queries[0].to_string().ends_with("INSERT INTO t (x, s) VALUES (?, ?); args=(1, 'a')"), queries[0].to_string());
    std::size_t control = 0;
    for (const auto& s : q.all())
        if (s.kind == LoggedStatement::Kind::TransactionControl) ++control;
    BOOST_TEST(control == 2u);  // BEGIN, COMMIT
    BOOST_TEST(q.count_starting_with("INSERT") == 2u);
}

BOOST_AUTO_TEST_CASE(nobody_listening_records_nothing) {
    db().execute(create_t);
    std::vector<std::string> seen;
    const std::size_t id = db().log().add_listener([&](const LoggedStatement& s) { seen.push_back(s.sql); });
    db().scalar("SELECT COUNT(*) FROM t");
    BOOST_TEST(seen.size() == 1u);
    db().log().remove_listener(id);
    db().scalar("SELECT COUNT(*) FROM t");
    BOOST_TEST(seen.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_listener_that_throws_reaches_the_caller) {
    db().execute(create_t);
    const std::size_t id = db().log().add_listener([](const LoggedStatement&) { throw std::runtime_error("listener"); });
    BOOST_CHECK_THROW(db().execute("INSERT INTO t (x) VALUES (1)"), std::runtime_error);
    db().log().remove_listener(id);
    BOOST_TEST(count_of(db(), "t") == 1);  // the statement itself ran
}

BOOST_AUTO_TEST_CASE(a_transaction_destroyed_without_commit_leaves_nothing) {
    db().execute(create_t);
    {
        Transaction tx(db());
        db().execute("INSERT INTO t (x) VALUES (1)");
        BOOST_TEST(db().in_transaction());
    }
    BOOST_TEST(!db().in_transaction());
    BOOST_TEST(count_of(db(), "t") == 0);
    {
        Transaction tx(db());
        db().execute("INSERT INTO t (x) VALUES (2)");
        tx.commit();
    }
    BOOST_TEST(count_of(db(), "t") == 1);
}

BOOST_AUTO_TEST_CASE(a_savepoint_undoes_its_part_and_keeps_the_outer_work) {
    db().execute(create_u);
    Transaction outer(db());
    db().execute("INSERT INTO u (name) VALUES (?)", {Value("ann")});
    try {
        Transaction inner(db());
        db().execute("INSERT INTO u (name) VALUES (?)", {Value("bob")});
        db().execute("INSERT INTO u (name) VALUES (?)", {Value("ann")});  // IntegrityError
        inner.commit();
        BOOST_FAIL("the duplicate was accepted");
    } catch (const IntegrityError&) {
    }
    // The failed savepoint is rolled back: the outer transaction goes on (on
    // PostgreSQL too, where the error had aborted it up to the savepoint).
    db().execute("INSERT INTO u (name) VALUES (?)", {Value("cid")});
    outer.commit();
    BOOST_TEST(count_of(db(), "u") == 2);
    BOOST_TEST(db().scalar("SELECT COUNT(*) FROM u WHERE name = ?", {Value("bob")}) == Value(0));
}

BOOST_AUTO_TEST_CASE(constraint_and_sql_errors_are_folio_errors) {
    db().execute(create_u);
    db().execute("INSERT INTO u (name) VALUES (?)", {Value("ann")});
    try {
        db().execute("INSERT INTO u (name) VALUES (?)", {Value("ann")});
        BOOST_FAIL("no IntegrityError");
    } catch (const IntegrityError& e) {
        BOOST_TEST(contains(e.what(), "INSERT INTO u"), e.what());
    }
    try {
        db().scalar("SELECT nothing FROM missing_table");
        BOOST_FAIL("no error");
    } catch (const Error& e) {
        BOOST_TEST(contains(e.what(), "missing_table"), e.what());
    }
    // The connection goes on working after both.
    BOOST_TEST(count_of(db(), "u") == 1);
}

BOOST_AUTO_TEST_CASE(a_failed_transaction_commits_nothing) {
    db().execute(create_u);
    Transaction tx(db());
    db().execute("INSERT INTO u (name) VALUES (?)", {Value("ann")});
    BOOST_CHECK_THROW(db().execute("INSERT INTO u (name) VALUES (?)", {Value("ann")}), IntegrityError);
    tx.rollback();
    BOOST_TEST(!db().in_transaction());
    BOOST_TEST(count_of(db(), "u") == 0);
}

BOOST_AUTO_TEST_CASE(blog_open_migrates_once_to_the_latest_schema) {
    db().execute("SELECT 1");  // the fixture's own connection stays open beside the Blog's
    {
        Blog blog = Blog::open(target());
        Migrator m(blog.db(), blog_migrations(blog.db()));
        BOOST_TEST(m.current_version() == m.latest_version());
        for (const auto& s : m.status()) BOOST_TEST(s.applied, s.name);
        BOOST_TEST(m.sqlmigrate("0001_initial").starts_with("BEGIN;"));
    }
    if (target() == ":memory:") return;  // a second connection would see another database
    Blog again = Blog::open(target());
    Migrator m(again.db(), blog_migrations(again.db()));
    QueryCapture q(again.db());
    BOOST_TEST(m.migrate() == 0);
    BOOST_TEST(q.count() <= 2u);  // reads the version, writes nothing
    for (const auto& s : q.queries()) BOOST_TEST(!s.sql.starts_with("INSERT"), s.sql);
}

BOOST_AUTO_TEST_CASE(blog_tables_take_rows_through_the_connection) {
    Blog blog = Blog::open(target());
    Database& db = blog.db();
    db.execute(R"(INSERT INTO "author" ("username", "email", "bio") VALUES (?, ?, ?))",
               {Value("ann"), Value("ann@example.com"), Value("")});
    const Value author = db.scalar(R"(SELECT "id" FROM "author" WHERE "username" = ?)", {Value("ann")});
    db.execute(R"(INSERT INTO "article" ("title", "content", "created_at", "author_id") VALUES (?, ?, ?, ?))",
               {Value("one"), Value(""), Value("2012-05-01"), author});
    // The counting triggers of each dialect keep articles_count.
    BOOST_TEST(db.scalar(R"(SELECT "articles_count" FROM "author" WHERE "id" = ?)", {author}) == Value(1));
    BOOST_TEST(db.scalar(R"(SELECT "created_at" FROM "article")") == Value("2012-05-01"));
}

BOOST_AUTO_TEST_SUITE_END()
