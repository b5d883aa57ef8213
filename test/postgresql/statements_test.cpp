// Named prepared statements (the statement cache's counters, reuse, eviction
// and the server's own view in pg_prepared_statements) and streaming in
// single-row mode: 100,000 rows with the client holding one at a time.
#include <fstream>

#include <unistd.h>

#include "pg_fixtures.hpp"

using namespace folio;
using namespace folio_pg_test;

namespace {

std::int64_t server_prepared(Connection& c) {
    // Counted with a simple-protocol query of our own: it is not prepared, so
    // it does not change what it counts.
    std::int64_t n = -1;
    PGresult* r = PQexec(c.handle(), "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'folio\\_%'");
    if (PQresultStatus(r) == PGRES_TUPLES_OK) n = std::stoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return n;
}

// Resident set size of this process, in bytes (Linux).
std::size_t resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::size_t pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool address_sanitizer = true;  // its quarantine keeps freed memory resident
#else
constexpr bool address_sanitizer = false;
#endif

} // namespace

BOOST_AUTO_TEST_SUITE(statements)

BOOST_FIXTURE_TEST_CASE(the_same_sql_is_prepared_once_and_reused, PgFixture) {
    const auto before = db().statement_cache().stats();
    for (int i = 0; i < 5; ++i) BOOST_TEST(db().scalar("SELECT $1::int8 * 2", {Value(i)}) == Value(2 * i));
    const auto after = db().statement_cache().stats();
    BOOST_TEST(after.misses - before.misses == 1u);
    BOOST_TEST(after.hits - before.hits == 4u);
    BOOST_TEST(after.in_use == 0u);
    // Two statements of the same text at once share the server's statement.
    Statement a(db(), "SELECT $1::int8 * 2");
    Statement b(db(), "SELECT $1::int8 * 2");
    BOOST_TEST(db().statement_cache().stats().in_use == 1u);
    BOOST_TEST(db().statement_cache().stats().misses == after.misses);
    BOOST_TEST(server_prepared(db()) == static_cast<std::int64_t>(after.idle + after.in_use));
}

BOOST_FIXTURE_TEST_CASE(least_recently_used_statements_are_deallocated_on_the_server, PgFixture) {
    auto small = schema.connect(ConnectionOptions{.statement_cache_capacity = 3});
    const std::uint64_t misses0 = small->statement_cache().stats().misses;
    for (int i = 0; i < 6; ++i) small->scalar(fmt::format("SELECT {}", i));
    const auto s = small->statement_cache().stats();
    BOOST_TEST(s.misses - misses0 == 6u);
    BOOST_TEST(s.idle == 3u);
    BOOST_TEST(s.evictions >= 3u);
    BOOST_TEST(server_prepared(*small) == 3);
    // The most recent ones are kept: hits, no new prepare.
    small->scalar("SELECT 5");
    BOOST_TEST(small->statement_cache().stats().hits == s.hits + 1);
    // clear() leaves nothing on the server.
    small->statement_cache().clear();
    BOOST_TEST(server_prepared(*small) == 0);
    BOOST_TEST(small->statement_cache().stats().idle == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_statement_the_server_refuses_is_not_cached, PgFixture) {
    const std::string msg = message_of<OperationalError>([&] { Statement st(db(), "SELECT * FROM \"nowhere\""); });
    BOOST_TEST(contains(msg, "nowhere"), msg);
    BOOST_TEST(contains(msg, "42P01"), msg);
    BOOST_TEST(db().statement_cache().stats().idle + db().statement_cache().stats().in_use ==
               static_cast<std::size_t>(server_prepared(db())));
    // Binding past the statement's parameters is refused before any round trip.
    Statement st(db(), "SELECT $1::int4");
    BOOST_CHECK_THROW(st.bind(2, Value(1)), InvalidQuery);
    BOOST_CHECK_THROW(st.bind(0, Value(1)), InvalidQuery);
}

BOOST_FIXTURE_TEST_CASE(a_statement_with_60000_parameters_is_typed_and_runs, PgFixture) {
    // A bulk INSERT sized to the protocol's limit: 20,000 rows of 3 columns.
    // libpq 15 cannot read the description of so many parameters, so their
    // types come from pg_prepared_statements; bytea must still go in binary.
    db().execute_script(R"sql(CREATE TABLE "wide" ("n" int8, "t" text, "b" bytea))sql");
    constexpr int rows = 20000;
    std::string sql = R"sql(INSERT INTO "wide" ("n", "t", "b") VALUES )sql";
    std::vector<Value> args;
    for (int r = 0; r < rows; ++r) {
        sql += fmt::format("{}(${},${},${})", r ? "," : "", 3 * r + 1, 3 * r + 2, 3 * r + 3);
        args.emplace_back(r);
        args.emplace_back(fmt::format("row {} ü", r));
        args.emplace_back(std::string("\\x00\0\xff", 6));
    }
    Statement st(db(), sql);
    BOOST_TEST(st.parameter_count() == 3 * rows);
    st.bind_all(args);
    BOOST_TEST(st.execute() == rows);
    BOOST_TEST(db().scalar(R"sql(SELECT count(*) FROM "wide" WHERE "b" = '\x5c78303000ff'::bytea)sql") == Value(rows));
    BOOST_TEST(db().scalar(R"sql(SELECT "t" FROM "wide" WHERE "n" = 19999)sql") == Value("row 19999 ü"));
}

BOOST_FIXTURE_TEST_CASE(a_statement_runs_again_after_reset_with_new_bindings, PgFixture) {
    db().execute_script("CREATE TABLE \"n\" (\"x\" int8)");
    Statement insert(db(), "INSERT INTO \"n\" VALUES ($1), ($1 + 1)");
    insert.bind(1, Value(10));
    BOOST_TEST(insert.execute() == 2);
    insert.reset();
    insert.bind(1, Value(20));
    BOOST_TEST(insert.execute() == 2);
    BOOST_TEST(db().scalar("SELECT sum(\"x\") FROM \"n\"") == Value(10 + 11 + 20 + 21));
    BOOST_TEST(db().execute("UPDATE \"n\" SET \"x\" = \"x\" + 1 WHERE \"x\" > $1", {Value(10)}) == 3);
    BOOST_TEST(db().execute("DELETE FROM \"n\"") == 4);
}

BOOST_FIXTURE_TEST_CASE(streaming_100k_rows_holds_one_row_at_a_time, PgFixture) {
    // 100,000 rows of ~500 bytes: about 50 MB if the client buffered them.
    Statement st(db(), "SELECT g, repeat('x', 500) FROM generate_series(1, $1) AS g");
    st.bind(1, Value(100000));
    const std::size_t start = resident_bytes();
    std::size_t peak = start;
    std::int64_t rows = 0, sum = 0;
    int most_held = 0;
    while (st.step()) {
        ++rows;
        sum += st.column(0).as_integer();
        most_held = std::max(most_held, st.rows_held());
        BOOST_REQUIRE(st.column_text(1).size() == 500u);
        if (rows % 1000 == 0) peak = std::max(peak, resident_bytes());
    }
    BOOST_TEST(rows == 100000);
    BOOST_TEST(sum == std::int64_t{100000} * 100001 / 2);
    BOOST_TEST(most_held == 1);  // single-row mode: never more than the current row
    BOOST_TEST(st.rows_held() == 0);
    const double grown_mb = static_cast<double>(peak - start) / (1 << 20);
    BOOST_TEST_MESSAGE("streaming 100k rows (~50 MB): resident set grew " << grown_mb << " MB");
    if (address_sanitizer)
        BOOST_TEST_MESSAGE("AddressSanitizer build: its quarantine keeps freed rows resident, RSS not checked");
    else
        BOOST_TEST(grown_mb < 8.0, "RSS grew " << grown_mb << " MB while streaming ~50 MB");

    // The control, showing the measure sees buffering: the same rows fetched
    // whole (PQexec, libpq's default) raise the resident set by their size.
    const std::size_t before_buffered = resident_bytes();
    PGresult* all = PQexec(db().handle(), "SELECT g, repeat('x', 500) FROM generate_series(1, 100000) AS g");
    BOOST_REQUIRE(PQresultStatus(all) == PGRES_TUPLES_OK);
    BOOST_TEST(PQntuples(all) == 100000);
    const double buffered_mb = static_cast<double>(resident_bytes() - before_buffered) / (1 << 20);
    PQclear(all);
    BOOST_TEST_MESSAGE("the same rows buffered whole: resident set grew " << buffered_mb << " MB");
    if (!address_sanitizer) BOOST_TEST(buffered_mb > 30.0);
}

BOOST_FIXTURE_TEST_CASE(a_command_during_a_stream_buffers_its_rest_and_an_abandoned_stream_frees_the_connection,
                        PgFixture) {
    {
        Statement st(db(), "SELECT g FROM generate_series(1, 50000) AS g");
        BOOST_TEST(st.step());
        BOOST_TEST(st.column(0) == Value(1));
        BOOST_TEST(st.rows_held() == 1);
        // Moving the statement keeps it the one streaming.
        Statement moved = std::move(st);
        BOOST_TEST(moved.step());
        BOOST_TEST(moved.column(0) == Value(2));
        BOOST_TEST(moved.rows_held() == 1);
        // Another command meanwhile (libpq runs one at a time): the stream
        // reads its rest into memory first, then both go on, as two cursors
        // on one SQLite connection do.
        BOOST_TEST(db().scalar("SELECT 42") == Value(42));
        BOOST_TEST(moved.rows_held() == 1 + 49998);
        std::int64_t next = 3, rows = 2;
        while (moved.step()) {
            BOOST_REQUIRE(moved.column(0) == Value(next));
            ++next;
            ++rows;
            if (rows == 10) BOOST_TEST(db().scalar("SELECT 43") == Value(43));
        }
        BOOST_TEST(rows == 50000);
        BOOST_TEST(moved.rows_held() == 0);
    }
    {
        // An error the server sends after some rows reaches step() in order,
        // after the buffered rows, naming the statement.
        Statement st(db(), "SELECT 10 / (3 - g) FROM generate_series(1, 5) AS g");
        BOOST_TEST(st.step());
        BOOST_TEST(db().scalar("SELECT 44") == Value(44));
        BOOST_TEST(st.step());
        const std::string msg = message_of<Error>([&] { st.step(); });
        BOOST_TEST(contains(msg, "division by zero"), msg);
        BOOST_TEST(db().scalar("SELECT 45") == Value(45));
    }
    {
        Statement st(db(), "SELECT g FROM generate_series(1, 50000) AS g");
        BOOST_TEST(st.step());
    }  // destroyed mid-stream: the rest is read and dropped
    BOOST_TEST(db().scalar("SELECT 42") == Value(42));
    Statement again(db(), "SELECT g FROM generate_series(1, 3) AS g");
    BOOST_TEST(again.step());
    again.reset();
    std::int64_t n = 0;
    while (again.step()) ++n;
    BOOST_TEST(n == 3);
}

BOOST_AUTO_TEST_SUITE_END()
