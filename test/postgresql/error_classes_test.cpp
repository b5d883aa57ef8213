// Each SQLSTATE class folio maps, raised by a real server (errors.cpp):
// a serialization failure says retry; lock and statement timeouts and a
// write in a read-only transaction are OperationalErrors; the server's
// integer overflow is told apart from other data errors (DataError); an
// exclusion constraint and a domain's CHECK (no table) are IntegrityErrors
// in folio's words; a class folio does not map stays a plain Error with the
// server's sentence, DETAIL, HINT and SQLSTATE. After each the connection
// still works and nothing was written.
#include <typeinfo>

#include "pg_fixtures.hpp"
#include "lib/backend/postgresql/transaction.hpp"

using namespace folio;
using namespace folio_pg_test;

namespace {

// One row to fight over.
struct Counter : PgFixture {
    Counter() {
        db().execute_script(
            R"sql(CREATE TABLE "counter" ("id" integer PRIMARY KEY, "n" integer NOT NULL); INSERT INTO "counter" VALUES (1, 0))sql");
    }
    Value n(Connection& c) { return c.scalar(R"sql(SELECT "n" FROM "counter" WHERE "id" = 1)sql"); }
};

constexpr const char* set_n = R"sql(UPDATE "counter" SET "n" = $1 WHERE "id" = 1)sql";

} // namespace

BOOST_AUTO_TEST_SUITE(error_classes)

BOOST_FIXTURE_TEST_CASE(a_serialization_failure_is_an_operational_error_that_says_retry, Counter) {
    auto other = schema.connect();
    db().execute_script("BEGIN ISOLATION LEVEL REPEATABLE READ");
    BOOST_TEST(n(db()) == Value(0));  // the transaction's snapshot is taken here
    other->execute(set_n, {Value(1)});  // committed by another session meanwhile
    const std::string msg = message_of<OperationalError>([&] { db().execute(set_n, {Value(2)}); });
    BOOST_TEST(contains(msg, "could not serialize"), msg);
    BOOST_TEST(contains(msg, "rolled back; retry it"), msg);
    BOOST_TEST(contains(msg, "[SQLSTATE 40001]"), msg);
    BOOST_TEST(db().transaction_failed());
    db().execute_script("ROLLBACK");
    BOOST_TEST(n(db()) == Value(1));  // the other session's write stands, this one's is gone
}

BOOST_FIXTURE_TEST_CASE(lock_and_statement_timeouts_are_operational_errors_and_the_connection_goes_on, Counter) {
    auto holder = schema.connect();
    {
        Transaction hold(*holder);
        holder->execute(set_n, {Value(5)});  // holds the row's lock until rolled back
        db().execute_script("SET lock_timeout = '100ms'");
        const std::string lock = message_of<OperationalError>([&] { db().execute(set_n, {Value(6)}); });
        BOOST_TEST(contains(lock, "lock timeout"), lock);
        BOOST_TEST(contains(lock, "[SQLSTATE 55P03]"), lock);
        BOOST_TEST(contains(lock, "while running: UPDATE \"counter\""), lock);
    }
    db().execute_script("SET statement_timeout = '100ms'");
    const std::string slow = message_of<OperationalError>([&] { db().scalar("SELECT pg_sleep($1)", {Value(30)}); });
    BOOST_TEST(contains(slow, "statement timeout"), slow);
    BOOST_TEST(contains(slow, "[SQLSTATE 57014]"), slow);
    db().execute_script("RESET statement_timeout; RESET lock_timeout");
    BOOST_TEST(n(db()) == Value(0));  // neither write happened
    BOOST_TEST(db().execute(set_n, {Value(7)}) == 1);
}

BOOST_FIXTURE_TEST_CASE(a_write_in_a_read_only_transaction_is_an_operational_error, Counter) {
    db().execute_script("SET default_transaction_read_only = on");
    const std::string msg = message_of<OperationalError>([&] { db().execute(set_n, {Value(1)}); });
    BOOST_TEST(contains(msg, "read-only transaction"), msg);
    BOOST_TEST(contains(msg, "[SQLSTATE 25006]"), msg);
    BOOST_TEST(n(db()) == Value(0));  // reading still works
}

BOOST_FIXTURE_TEST_CASE(integer_overflow_is_told_apart_from_other_data_errors, PgFixture) {
    // bigint, integer and smallint arithmetic past its range: the words
    // QuerySet::update() turns into its DataError naming the model.
    for (const char* sql : {"SELECT 9223372036854775807::bigint + $1::bigint", "SELECT 2147483647::integer + $1::integer",
                            "SELECT 32767::smallint + $1::smallint"}) {
        const std::string msg = message_of<OperationalError>([&] { db().scalar(sql, {Value(1)}); });
        BOOST_TEST(contains(msg, "integer overflow: "), msg);
        BOOST_TEST(contains(msg, "out of range"), msg);
        BOOST_TEST(contains(msg, "[SQLSTATE 22003]"), msg);
    }
    // The same SQLSTATE for a double is not an integer overflow: DataError.
    const std::string real = message_of<DataError>([&] { db().scalar("SELECT $1::float8 * 1e308::float8", {Value(1e308)}); });
    BOOST_TEST(contains(real, "[SQLSTATE 22003]"), real);
    BOOST_TEST(!contains(real, "integer overflow"), real);
    // Other class-22 errors: DataError with the server's sentence.
    const std::string zero = message_of<DataError>([&] { db().scalar("SELECT 1 / $1::integer", {Value(0)}); });
    BOOST_TEST(contains(zero, "division by zero"), zero);
    BOOST_TEST(contains(zero, "[SQLSTATE 22012]"), zero);
    const std::string date = message_of<DataError>([&] { db().scalar("SELECT $1::date", {Value("2023-02-30")}); });
    BOOST_TEST(contains(date, "2023-02-30"), date);
    BOOST_TEST(contains(date, "[SQLSTATE 22008]"), date);
    BOOST_TEST(db().scalar("SELECT 1") == Value(1));
}

BOOST_FIXTURE_TEST_CASE(an_exclusion_violation_names_the_column_and_both_values, PgFixture) {
    db().execute_script(R"sql(CREATE TABLE "booking" ("room" int4range, EXCLUDE USING gist ("room" WITH &&)))sql");
    const char* book = R"sql(INSERT INTO "booking" VALUES ($1::int4range))sql";
    db().execute(book, {Value("[1,5)")});
    const std::string msg = message_of<IntegrityError>([&] { db().execute(book, {Value("[3,8)")}); });
    BOOST_TEST(contains(msg, "EXCLUSION constraint failed: booking.room, value ([3,8)) conflicts with existing key"),
               msg);
    BOOST_TEST(contains(msg, "[1,5)"), msg);
    BOOST_TEST(contains(msg, "[constraint \"booking_room_excl\"]"), msg);
    BOOST_TEST(contains(msg, "[SQLSTATE 23P01]"), msg);
    BOOST_TEST(count_rows(db(), "booking") == 1);
}

BOOST_FIXTURE_TEST_CASE(a_domain_check_names_the_domain_and_its_constraint, PgFixture) {
    // No table, no column, no "Key (...)" DETAIL: the server's own sentence.
    db().execute_script(R"sql(CREATE DOMAIN "positive" AS integer CHECK (VALUE > 0))sql");
    const std::string msg = message_of<IntegrityError>([&] { db().scalar(R"sql(SELECT ($1::integer)::"positive")sql", {Value(-1)}); });
    BOOST_TEST(contains(msg, "CHECK constraint failed: value for domain positive violates check constraint"), msg);
    BOOST_TEST(contains(msg, "[constraint \"positive_check\"]"), msg);
    BOOST_TEST(contains(msg, "[SQLSTATE 23514]"), msg);
    BOOST_TEST(db().scalar(R"sql(SELECT ($1::integer)::"positive")sql", {Value(1)}) == Value(1));
}

BOOST_FIXTURE_TEST_CASE(a_class_folio_does_not_map_is_a_plain_error_with_detail_hint_and_sqlstate, PgFixture) {
    // A PL/pgSQL RAISE (P0001); its DETAIL spans two lines, and the script is
    // longer than a message shows (160 characters, then "...").
    const std::string script = "DO $$ BEGIN RAISE EXCEPTION 'folio test: % bottles', 99 USING DETAIL = E'first line\\nsecond "
                               "line', HINT = 'drink one'; END $$ -- " +
                               std::string(200, 'x');
    try {
        db().execute_script(script);
        BOOST_FAIL("the RAISE did not raise");
    } catch (const folio::Error& e) {
        const std::string msg = e.what();
        BOOST_TEST((typeid(e) == typeid(folio::Error)), "a plain folio::Error, got " << typeid(e).name());
        BOOST_TEST(contains(msg, "folio test: 99 bottles (first line; second line) (hint: drink one)"), msg);
        BOOST_TEST(contains(msg, "(while running: DO $$"), msg);
        BOOST_TEST(contains(msg, "...) [SQLSTATE P0001]"), msg);
        BOOST_TEST(!contains(msg, std::string(200, 'x')), msg);
    }
    BOOST_TEST(db().scalar("SELECT 1") == Value(1));
}

BOOST_AUTO_TEST_SUITE_END()
