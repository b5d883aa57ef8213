// Values both ways: every folio::Value kind bound to every PostgreSQL type
// folio maps, read back typed (values.hpp), with NULL, non-ASCII text, int64
// and double extremes, and bytes that are not text.
#include <cmath>
#include <limits>

#include "pg_fixtures.hpp"

using namespace folio;
using namespace folio_pg_test;

namespace {

struct TypedTable : PgFixture {
    TypedTable() {
        db().execute_script(R"sql(CREATE TABLE "v" (
            "id" serial PRIMARY KEY, "i2" int2, "i4" int4, "i8" int8, "f4" float4, "f8" float8, "num" numeric,
            "t" text, "vc" varchar(20), "b" boolean, "by" bytea, "d" date, "ts" timestamp, "tz" timestamptz))sql");
    }
    // Inserts one value into `column` and reads it back.
    Value round_trip(std::string_view column, const Value& v) {
        const std::string insert = fmt::format("INSERT INTO \"v\" ({}) VALUES ($1) RETURNING \"id\"", quoted_identifier(column));
        const Value id = db().scalar(insert, {v});
        return db().scalar(fmt::format("SELECT {} FROM \"v\" WHERE \"id\" = $1", quoted_identifier(column)), {id});
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(values)

BOOST_FIXTURE_TEST_CASE(integers_round_trip_through_every_integer_type, TypedTable) {
    constexpr auto min = std::numeric_limits<std::int64_t>::min();
    constexpr auto max = std::numeric_limits<std::int64_t>::max();
    for (std::int64_t i : {min, min + 1, std::int64_t{-1}, std::int64_t{0}, std::int64_t{1}, max - 1, max}) {
        const Value back = round_trip("i8", Value(i));
        BOOST_TEST(back.is_integer());
        BOOST_TEST(back == Value(i));
    }
    BOOST_TEST(round_trip("i2", Value(-32768)) == Value(-32768));
    BOOST_TEST(round_trip("i4", Value(2147483647)) == Value(2147483647));
    // Past a column's range: DataError (SQLSTATE 22003), nothing inserted.
    const std::string msg = message_of<DataError>([&] { round_trip("i4", Value(std::int64_t{1} << 40)); });
    BOOST_TEST(contains(msg, "out of range"), msg);
    BOOST_TEST(contains(msg, "22003"), msg);
    BOOST_TEST(db().scalar("SELECT count(*) FROM \"v\" WHERE \"i4\" IS NOT NULL").as_integer() == 1);
}

BOOST_FIXTURE_TEST_CASE(reals_round_trip_exactly_including_the_non_finite, TypedTable) {
    for (double d : {0.1, -2.5, 1e308, 5e-324, 3.141592653589793, 1.0 / 3.0}) {
        const Value back = round_trip("f8", Value(d));
        BOOST_TEST(back.is_real());
        BOOST_TEST(back.as_real() == d);  // the shortest text that reads back to the same double
    }
    BOOST_TEST(round_trip("f8", Value(std::numeric_limits<double>::infinity())).as_real() ==
               std::numeric_limits<double>::infinity());
    BOOST_TEST(round_trip("f8", Value(-std::numeric_limits<double>::infinity())).as_real() ==
               -std::numeric_limits<double>::infinity());
    BOOST_TEST(std::isnan(round_trip("f8", Value(std::nan(""))).as_real()));
    BOOST_TEST(round_trip("f4", Value(1.5)).as_real() == 1.5);
    BOOST_TEST(round_trip("num", Value(12.25)).as_real() == 12.25);
    // An integral numeric reads back as an integer (sum() of integers does on SQLite).
    BOOST_TEST(round_trip("num", Value(7)) == Value(7));
    BOOST_TEST(db().scalar("SELECT sum(x) FROM (VALUES (1::int8), (2::int8)) AS s (x)") == Value(3));
    BOOST_TEST(db().scalar("SELECT avg(x) FROM (VALUES (1::int8), (2::int8)) AS s (x)") == Value(1.5));
    BOOST_TEST(db().scalar("SELECT 1e400::numeric").is_text());  // past a double: kept as text, not infinity
}

BOOST_FIXTURE_TEST_CASE(text_round_trips_with_non_ascii_and_empty, TypedTable) {
    for (const std::string& s : {std::string(""), std::string("plain"), std::string("it's \"quoted\" \\ back"),
                                std::string("Žluťoučký kůň — 日本語 — 🎉"), std::string(100000, 'x')}) {
        const Value back = round_trip("t", Value(s));
        BOOST_TEST(back.is_text());
        BOOST_TEST(back.as_text() == s);
    }
    BOOST_TEST(round_trip("vc", Value("ünïcödé")) == Value("ünïcödé"));
    // varchar(20): the server refuses longer text (DataError, 22001).
    BOOST_CHECK_THROW(round_trip("vc", Value(std::string(21, 'a'))), DataError);
    // Not UTF-8: the server refuses it (22021), nothing is stored.
    BOOST_CHECK_THROW(round_trip("t", Value(std::string("\xff\xfe"))), DataError);
    // A NUL byte cannot be text on PostgreSQL: refused before sending, never cut.
    const std::string msg = message_of<DataError>([&] { round_trip("t", Value(std::string("a\0b", 3))); });
    BOOST_TEST(contains(msg, "NUL"), msg);
    BOOST_TEST(contains(msg, "$1"), msg);
}

BOOST_FIXTURE_TEST_CASE(null_round_trips_in_every_type, TypedTable) {
    for (const char* column : {"i2", "i4", "i8", "f4", "f8", "num", "t", "vc", "b", "by", "d", "ts", "tz"})
        BOOST_TEST(round_trip(column, Value()).is_null(), column);
}

BOOST_FIXTURE_TEST_CASE(booleans_are_one_and_zero_as_on_sqlite, TypedTable) {
    BOOST_TEST(round_trip("b", Value(1)) == Value(1));
    BOOST_TEST(round_trip("b", Value(0)) == Value(0));
    BOOST_TEST(round_trip("b", Value("true")) == Value(1));
    BOOST_TEST(db().scalar("SELECT 1 = 1") == Value(1));
}

BOOST_FIXTURE_TEST_CASE(bytes_round_trip_through_bytea_whatever_they_hold, TypedTable) {
    std::string all;
    for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
    for (const std::string& b : {all, std::string(), std::string("\0\0\\x00", 6), std::string(70000, '\xff')}) {
        const Value back = round_trip("by", Value(b));
        BOOST_TEST(back.is_text());
        BOOST_TEST(back.as_text() == b);
    }
    BOOST_TEST(db().scalar("SELECT octet_length(\"by\") FROM \"v\" ORDER BY \"id\" LIMIT 1").as_integer() == 256);
}

BOOST_FIXTURE_TEST_CASE(dates_and_timestamps_read_in_folio_text_forms, TypedTable) {
    BOOST_TEST(round_trip("d", Value("2012-05-01")) == Value("2012-05-01"));
    BOOST_TEST(round_trip("d", Value("0500-01-01")) == Value("0500-01-01"));
    BOOST_TEST(round_trip("d", Value("9999-12-31")) == Value("9999-12-31"));
    BOOST_TEST(round_trip("ts", Value("2012-05-01 10:20:30")) == Value("2012-05-01 10:20:30"));
    BOOST_TEST(round_trip("ts", Value("2012-05-01 10:20:30.25")) == Value("2012-05-01 10:20:30.25"));
    // timestamptz in UTC, whatever the server's zone.
    BOOST_TEST(round_trip("tz", Value("2012-05-01 12:00:00+02")) == Value("2012-05-01 10:00:00+00"));
    // Not a real day: DataError (22008), the field's text in the message.
    const std::string msg = message_of<DataError>([&] { round_trip("d", Value("2012-02-30")); });
    BOOST_TEST(contains(msg, "2012-02-30"), msg);
}

BOOST_FIXTURE_TEST_CASE(one_parameter_takes_whatever_type_the_statement_gives_it, PgFixture) {
    // Typed by the server at prepare time: the same Value kinds in several roles.
    BOOST_TEST(db().scalar("SELECT $1::int4 + 1", {Value(41)}) == Value(42));
    BOOST_TEST(db().scalar("SELECT $1::text || 'b'", {Value("a")}) == Value("ab"));
    BOOST_TEST(db().scalar("SELECT $1::date + 1", {Value("2012-12-31")}) == Value("2013-01-01"));
    BOOST_TEST(db().scalar("SELECT $1::bigint IS NULL", {Value()}) == Value(1));
    BOOST_TEST(db().scalar("SELECT count(*) FROM generate_series(1, $1)", {Value(5)}) == Value(5));
    // An untyped parameter is text.
    BOOST_TEST(db().scalar("SELECT $1", {Value("x")}) == Value("x"));
}

BOOST_AUTO_TEST_SUITE_END()
