// The prepared-statement cache: hits, misses, LRU evictions, capacity
// changes, re-entrant use of one SQL, the disabled ("prepare every time")
// mode and the public counters. On every backend (PostgreSQL's cache holds
// named prepared statements, PQprepare); the count of live handles is read
// from SQLite's connection only: the server's own list is checked by
// test/postgresql's statements suite.
#include "fixtures.hpp"

#include <sqlite3.h>

#include "support/backend_only.hpp"

#include "lib/backend/connection.hpp"

#include <utility>
#include <vector>

using namespace folio;
using namespace folio_test;

namespace {

// A database on this run's backend with a small cache, emptied after the
// statements the constructor ran, and a table of five rows.
struct SmallCache {
    TestDatabaseTarget where;
    Database db{where.target(), DatabaseOptions{.statement_cache_capacity = 3}};
    StatementCache& cache = db.statement_cache();
    SmallCache() {
        db.execute("CREATE TABLE t (x INTEGER)");
        for (int i = 1; i <= 5; ++i) db.execute("INSERT INTO t (x) VALUES (?)", {i});
        cache.clear();
    }
    StatementCacheStats stats() const { return cache.stats(); }
};

// On SQLite, the connection holds `expected` prepared statements (finalized
// ones are gone); not checked on PostgreSQL (see the top of the file).
void check_live_sqlite_statements(Database& db, int expected) {
    if (on_postgresql()) return;
    int n = 0;
    for (sqlite3_stmt* s = sqlite3_next_stmt(db.handle(), nullptr); s; s = sqlite3_next_stmt(db.handle(), s)) ++n;
    BOOST_TEST(n == expected);
}

} // namespace

BOOST_AUTO_TEST_SUITE(statement_cache)

BOOST_FIXTURE_TEST_CASE(first_use_misses_then_hits, SmallCache) {
    const auto before = stats();
    BOOST_TEST(before.idle == 0u);
    BOOST_TEST(db.scalar("SELECT 1").as_integer() == 1);
    auto s1 = stats();
    BOOST_TEST(s1.misses == before.misses + 1);
    BOOST_TEST(s1.hits == before.hits);
    BOOST_TEST(s1.idle == 1u);
    BOOST_TEST(s1.in_use == 0u);
    for (int i = 0; i < 4; ++i) BOOST_TEST(db.scalar("SELECT 1").as_integer() == 1);
    auto s2 = stats();
    BOOST_TEST(s2.misses == s1.misses);
    BOOST_TEST(s2.hits == s1.hits + 4);
    BOOST_TEST(s2.idle == 1u);
    // Keyed by the exact text: another spelling is another statement.
    db.scalar("select 1");
    BOOST_TEST(stats().misses == s2.misses + 1);
    BOOST_TEST(stats().idle == 2u);
}

BOOST_FIXTURE_TEST_CASE(a_hit_reuses_the_same_handle, SmallCache) {
    const backend::Statement* first = nullptr;
    {
        Statement st = db.prepare("SELECT x FROM t WHERE x = ?");
        first = st.backend();
        BOOST_TEST(cache.find(st.backend()) != nullptr);
    }
    Statement again = db.prepare("SELECT x FROM t WHERE x = ?");
    BOOST_TEST(again.backend() == first);
}

BOOST_FIXTURE_TEST_CASE(release_resets_and_clears_bindings, SmallCache) {
    {
        Statement st = db.prepare("SELECT CAST(?1 AS INTEGER) IS NULL, x FROM t ORDER BY x");
        st.bind(1, Value(42));
        BOOST_REQUIRE(st.step());
        BOOST_TEST(st.column_int(0) == 0);  // bound
        // Left mid-iteration: release must reset it.
    }
    Statement st = db.prepare("SELECT CAST(?1 AS INTEGER) IS NULL, x FROM t ORDER BY x");
    BOOST_REQUIRE(st.step());
    BOOST_TEST(st.column_int(0) == 1);  // the binding was cleared
    BOOST_TEST(st.column_int(1) == 1);  // and the run starts from the first row
}

BOOST_FIXTURE_TEST_CASE(lru_evicts_the_least_recently_used_at_capacity, SmallCache) {
    const auto s0 = stats();
    db.scalar("SELECT 'a'");
    db.scalar("SELECT 'b'");
    db.scalar("SELECT 'c'");
    BOOST_TEST(stats().idle == 3u);
    BOOST_TEST(stats().evictions == s0.evictions);
    db.scalar("SELECT 'a'");  // a is now the most recent: b is the oldest
    db.scalar("SELECT 'd'");  // over capacity: b goes
    auto s1 = stats();
    BOOST_TEST(s1.idle == 3u);
    BOOST_TEST(s1.evictions == s0.evictions + 1);
    check_live_sqlite_statements(db, 3);
    // a, c, d are still cached (hits); b is prepared again (miss).
    db.scalar("SELECT 'a'");
    db.scalar("SELECT 'c'");
    db.scalar("SELECT 'd'");
    auto s2 = stats();
    BOOST_TEST(s2.hits == s1.hits + 3);
    BOOST_TEST(s2.misses == s1.misses);
    db.scalar("SELECT 'b'");
    auto s3 = stats();
    BOOST_TEST(s3.misses == s2.misses + 1);
    BOOST_TEST(s3.evictions == s2.evictions + 1);  // and 'a', now the oldest, went
    db.scalar("SELECT 'a'");
    BOOST_TEST(stats().misses == s3.misses + 1);
}

BOOST_FIXTURE_TEST_CASE(capacity_change_evicts_at_once, SmallCache) {
    db.scalar("SELECT 'a'");
    db.scalar("SELECT 'b'");
    db.scalar("SELECT 'c'");
    const auto s0 = stats();
    BOOST_TEST(s0.idle == 3u);
    cache.set_capacity(1);
    BOOST_TEST(cache.capacity() == 1u);
    auto s1 = stats();
    BOOST_TEST(s1.idle == 1u);
    BOOST_TEST(s1.evictions == s0.evictions + 2);
    check_live_sqlite_statements(db, 1);
    db.scalar("SELECT 'c'");  // the most recent one survived
    BOOST_TEST(stats().hits == s1.hits + 1);
    db.scalar("SELECT 'a'");
    BOOST_TEST(stats().misses == s1.misses + 1);
    BOOST_TEST(stats().idle == 1u);

    cache.set_capacity(10);  // growing keeps what is there and evicts nothing
    for (const char* sql : {"SELECT 1", "SELECT 2", "SELECT 3", "SELECT 4", "SELECT 5"}) db.scalar(sql);
    BOOST_TEST(stats().idle == 6u);
    BOOST_TEST(stats().evictions == s1.evictions + 1);  // only 'c', when 'a' came back at capacity 1

    cache.set_capacity(0);  // nothing is kept
    BOOST_TEST(stats().idle == 0u);
    check_live_sqlite_statements(db, 0);
    db.scalar("SELECT 1");
    BOOST_TEST(stats().idle == 0u);
    check_live_sqlite_statements(db, 0);
}

BOOST_FIXTURE_TEST_CASE(reentrant_use_gets_a_second_handle, SmallCache) {
    const std::string sql = "SELECT x FROM t ORDER BY x";
    const auto s0 = stats();
    std::vector<std::pair<std::int64_t, std::int64_t>> seen;
    {
        Statement outer = db.prepare(sql);
        while (outer.step()) {
            const std::int64_t o = outer.column_int(0);
            // The same SQL while the first is checked out: its own handle.
            Statement inner = db.prepare(sql);
            BOOST_TEST(inner.backend() != outer.backend());
            BOOST_TEST(stats().in_use == 2u);
            while (inner.step()) seen.emplace_back(o, inner.column_int(0));
        }
    }
    BOOST_TEST(seen.size() == 25u);  // 5 x 5: the outer loop was not clobbered
    for (std::size_t i = 0; i < seen.size(); ++i) {
        BOOST_TEST(seen[i].first == static_cast<std::int64_t>(i / 5 + 1));
        BOOST_TEST(seen[i].second == static_cast<std::int64_t>(i % 5 + 1));
    }
    auto s1 = stats();
    BOOST_TEST(s1.in_use == 0u);
    BOOST_TEST(s1.misses == s0.misses + 2);   // outer + the first inner
    BOOST_TEST(s1.hits == s0.hits + 4);       // the 4 later inner runs reuse the second handle
    BOOST_TEST(s1.idle == 2u);                // both handles kept for that SQL
    // Two checked out at once again: both served from the cache.
    Statement a = db.prepare(sql);
    Statement b = db.prepare(sql);
    BOOST_TEST(a.backend() != b.backend());
    BOOST_TEST(stats().hits == s1.hits + 2);
    BOOST_TEST(stats().misses == s1.misses);
}

BOOST_FIXTURE_TEST_CASE(reentrant_queryset_iteration, BackendBlog) {
    // The library's own loop: the same query run inside its own iteration.
    Author au = make_author(db(), "ann");
    for (int i = 0; i < 3; ++i) make_article(db(), au, "t" + std::to_string(i));
    auto qs = blog.articles().order_by({"id"});
    int pairs = 0;
    for (const Article& outer : qs.iterator()) {
        for (const Article& inner : blog.articles().order_by({"id"}).iterator()) {
            BOOST_TEST(!inner.title().empty());
            ++pairs;
        }
        BOOST_TEST(outer.title().substr(0, 1) == "t");
    }
    BOOST_TEST(pairs == 9);
}

BOOST_FIXTURE_TEST_CASE(disabled_cache_finalizes_on_release, SmallCache) {
    cache.set_enabled(false);
    BOOST_TEST(!cache.enabled());
    const auto s0 = stats();
    {
        Statement st = db.prepare("SELECT x FROM t");
        check_live_sqlite_statements(db, 1);
        BOOST_TEST(stats().in_use == 1u);
    }
    check_live_sqlite_statements(db, 0);
    db.scalar("SELECT x FROM t");
    auto s1 = stats();
    BOOST_TEST(s1.misses == s0.misses + 2);  // prepared every time
    BOOST_TEST(s1.hits == s0.hits);
    BOOST_TEST(s1.idle == 0u);
    BOOST_TEST(s1.in_use == 0u);
    cache.set_enabled(true);
    db.scalar("SELECT x FROM t");
    db.scalar("SELECT x FROM t");
    BOOST_TEST(stats().hits == s1.hits + 1);
    check_live_sqlite_statements(db, 1);
}

// reacquire() checks out an entry remembered with the cache's epoch, as a
// hit of acquire() would, only while that entry is idle and the cache has
// finalized no handle since (clear(), an eviction, a release while
// disabled): then the entry may be gone, and reacquire() does not touch it.
BOOST_FIXTURE_TEST_CASE(reacquire_takes_an_idle_entry_of_the_same_epoch_only, SmallCache) {
    detail::CachedStatement* e = cache.acquire("SELECT x FROM t");
    std::uint64_t epoch = cache.epoch();
    cache.release(e);
    const auto s0 = stats();
    BOOST_TEST(cache.reacquire(e, epoch) == e);
    BOOST_TEST(stats().hits == s0.hits + 1);
    BOOST_TEST(stats().in_use == 1u);
    BOOST_TEST(stats().idle == s0.idle - 1);
    BOOST_TEST(cache.reacquire(e, epoch) == nullptr);  // checked out already
    BOOST_TEST(stats().hits == s0.hits + 1);
    cache.release(e);
    BOOST_TEST(cache.epoch() == epoch);  // keeping a handle changes nothing
    BOOST_TEST(cache.reacquire(nullptr, epoch) == nullptr);

    cache.clear();
    BOOST_TEST(cache.epoch() != epoch);
    BOOST_TEST(cache.reacquire(e, epoch) == nullptr);  // e is gone; not read
    BOOST_TEST(stats().in_use == 0u);

    // An eviction (capacity 3) changes the epoch too.
    e = cache.acquire("SELECT x FROM t");
    epoch = cache.epoch();
    cache.release(e);
    for (const char* sql : {"SELECT 1", "SELECT 2", "SELECT 3"}) db.scalar(sql);
    BOOST_TEST(stats().evictions >= 1u);
    BOOST_TEST(cache.reacquire(e, epoch) == nullptr);

    // So does a release while disabled (it finalizes).
    e = cache.acquire("SELECT x FROM t");
    epoch = cache.epoch();
    cache.set_enabled(false);
    cache.release(e);
    cache.set_enabled(true);
    BOOST_TEST(cache.epoch() != epoch);
    BOOST_TEST(cache.reacquire(e, epoch) == nullptr);

    // Another cache never shows this one's epoch.
    TestDatabaseTarget other_where;
    Database other(other_where.target());
    BOOST_TEST(other.statement_cache().epoch() != cache.epoch());
    BOOST_TEST(stats().in_use == 0u);
}

BOOST_FIXTURE_TEST_CASE(counters_track_checked_out_and_idle, SmallCache) {
    const auto s0 = stats();
    {
        Statement a = db.prepare("SELECT 1");
        Statement b = db.prepare("SELECT 2");
        BOOST_TEST(stats().in_use == 2u);
        BOOST_TEST(stats().idle == 0u);
        Statement moved = std::move(a);  // a move does not check in
        BOOST_TEST(stats().in_use == 2u);
    }
    BOOST_TEST(stats().in_use == 0u);
    BOOST_TEST(stats().idle == 2u);
    BOOST_TEST(stats().misses == s0.misses + 2);
    cache.clear();
    BOOST_TEST(stats().idle == 0u);
    check_live_sqlite_statements(db, 0);
}

BOOST_FIXTURE_TEST_CASE(bad_sql_throws_and_leaks_nothing, SmallCache) {
    const auto s0 = stats();
    std::string msg = message_of<Error>([&] { db.prepare("SELEKT 1"); });
    BOOST_TEST(contains(msg, "SELEKT 1"));
    BOOST_TEST(stats().in_use == 0u);
    BOOST_TEST(stats().idle == s0.idle);
    BOOST_TEST(stats().misses == s0.misses);
    check_live_sqlite_statements(db, 0);
}

BOOST_FIXTURE_TEST_CASE(find_knows_only_folio_handles, SmallCache) {
    Statement st = db.prepare("SELECT 1");
    BOOST_TEST(cache.find(st.backend()) != nullptr);
    // A handle prepared on the connection but not through the cache.
    std::unique_ptr<backend::Statement> raw = db.connection().prepare("SELECT 1");
    BOOST_TEST(cache.find(raw.get()) == nullptr);
}

BOOST_AUTO_TEST_CASE(library_queries_go_through_the_cache) {
    BackendBlog m;
    Author au = make_author(m.db(), "ann");
    auto& cache = m.db().statement_cache();
    m.blog.articles().filter("author__username", "ann").count();
    const auto s0 = cache.stats();
    for (int i = 0; i < 5; ++i) BOOST_TEST(m.blog.articles().filter("author__username", "ann").count() == 0);
    BOOST_TEST(cache.stats().misses == s0.misses);
    BOOST_TEST(cache.stats().hits == s0.hits + 5);
}

// SQLite prepares the first statement of a string and ignores the rest:
// folio refuses such a string rather than run part of it, and runs nothing.
// Trailing semicolons, blanks and comments are one statement still.
BOOST_FIXTURE_TEST_CASE(several_statements_in_one_execute_are_refused, BackendBlog) {
    BOOST_CHECK_EXCEPTION(db().execute("CREATE TABLE t1 (x integer); INSERT INTO t1 VALUES (1)"), Error, [](const Error& e) {
        return std::string(e.what()).find("Several SQL statements") != std::string::npos;
    });
    BOOST_TEST(!table_exists(db(), "t1"));
    BOOST_CHECK_THROW(db().execute("SELECT 1; SELECT 2"), Error);
    BOOST_CHECK_THROW(db().scalar("SELECT 1; garbage"), Error);
    BOOST_TEST(db().scalar("SELECT 1;").as_integer() == 1);
    BOOST_TEST(db().scalar("SELECT 2 ; ;  -- the end\n /* and a comment */ ").as_integer() == 2);
    db().execute_script("CREATE TABLE t2 (x integer); INSERT INTO t2 VALUES (1);");
    BOOST_TEST(db().scalar("SELECT COUNT(*) FROM t2").as_integer() == 1);
}

BOOST_AUTO_TEST_SUITE_END()
