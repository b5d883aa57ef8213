// Values and statements at their edges on a real server: numeric results
// that are not integers (fractions, past 64 bits, past a double, NaN), oids,
// bytea's hex text in either case and text that is not hex, a NUL byte bound
// to text; a statement misused while it runs (bind, a column past the row),
// one moved by assignment while it streams, and what it says before any row.
#include <cmath>

#include "pg_fixtures.hpp"
#include "lib/backend/postgresql/values.hpp"

using namespace folio;
using namespace folio_pg_test;

BOOST_AUTO_TEST_SUITE(pg_edges)

BOOST_FIXTURE_TEST_CASE(numeric_results_are_integers_only_when_they_fit_64_bits, PgFixture) {
    BOOST_TEST(db().scalar("SELECT $1::numeric", {Value(42)}) == Value(42));
    const Value half = db().scalar("SELECT $1::numeric / 2", {Value(3)});
    BOOST_TEST(half.is_real());
    BOOST_TEST(half.as_real() == 1.5);
    // 2^64 as a numeric: past int64, a double.
    const Value big = db().scalar("SELECT 18446744073709551616::numeric");
    BOOST_TEST(big.is_real());
    BOOST_TEST(big.as_real() == 18446744073709551616.0);
    const Value nan = db().scalar("SELECT 'NaN'::numeric");
    BOOST_TEST(nan.is_real());
    BOOST_TEST(std::isnan(nan.as_real()));
    // Past a double's range: the server's text, not a guess.
    const Value huge = db().scalar("SELECT 1e400::numeric");
    BOOST_REQUIRE(huge.is_text());
    BOOST_TEST(huge.as_text().starts_with("1000000000"));
    BOOST_TEST(huge.as_text().size() == 401u);
}

BOOST_FIXTURE_TEST_CASE(an_oid_reads_as_an_integer, PgFixture) {
    const Value oid = db().scalar("SELECT 'pg_class'::regclass::oid");
    BOOST_TEST(oid.is_integer());
    BOOST_TEST(oid == Value(1259));  // pg_class's fixed oid
}

BOOST_AUTO_TEST_CASE(bytea_hex_decodes_in_either_case_and_other_text_is_kept) {
    BOOST_TEST(decode_bytea("\\x4a4B00ff") == std::string("JK\0\xff", 4));
    BOOST_TEST(decode_bytea("\\xAbCdEf") == "\xab\xcd\xef");
    BOOST_TEST(decode_bytea("\\x") == "");
    // Not the hex output folio sets (escape format, or not bytea at all): as is.
    for (std::string_view kept : {"\\x4g", "\\xzz", "\\x4:", "plain", "\\", "x4a", "\\y4a"})
        BOOST_TEST(decode_bytea(kept) == std::string(kept), kept);
    BOOST_TEST(decode_column("\\x4a", oid::bytea) == Value("J"));
    BOOST_TEST(decode_column("t", oid::boolean) == Value(1));
    BOOST_TEST(decode_column("f", oid::boolean) == Value(0));
    BOOST_TEST(decode_column("12x", oid::int4) == Value("12x"));
    BOOST_TEST(decode_column("1.5e", oid::float8) == Value("1.5e"));
}

BOOST_FIXTURE_TEST_CASE(a_nul_byte_bound_to_text_is_a_data_error_naming_the_parameter, PgFixture) {
    db().execute_script(R"sql(CREATE TABLE "t" ("s" text, "b" bytea))sql");
    const std::string with_nul("a\0b", 3);
    const char* insert = R"sql(INSERT INTO "t" ("s", "b") VALUES ($1, $2))sql";
    // As bytea ($2) the bytes are stored; as text ($1) they cannot be.
    BOOST_TEST(db().execute(insert, {Value("ok"), Value(with_nul)}) == 1);
    BOOST_TEST(db().scalar(R"sql(SELECT "b" FROM "t")sql") == Value(with_nul));
    const std::string text = message_of<DataError>([&] { db().execute(insert, {Value(with_nul), Value("ok")}); });
    BOOST_TEST(contains(text, "parameter $1 holds a NUL byte"), text);
    BOOST_TEST(contains(text, "INSERT INTO \"t\""), text);
    BOOST_TEST(count_rows(db(), "t") == 1);
}

BOOST_FIXTURE_TEST_CASE(a_running_statement_refuses_binds_and_columns_past_its_row, PgFixture) {
    Statement st(db(), "SELECT g, NULL::text AS nothing FROM generate_series(1, $1::integer) AS g");
    // Before a run: no row, no columns.
    BOOST_TEST(st.column_count() == 0);
    BOOST_TEST(st.column_name(0).empty());
    BOOST_TEST(st.column_type(0) == 0u);
    BOOST_TEST(st.column_text(0).empty());
    BOOST_TEST(contains(message_of<InvalidQuery>([&] { (void)st.column(0); }), "column 0 does not exist"));
    BOOST_TEST(contains(message_of<InvalidQuery>([&] { st.bind(2, Value(1)); }), "parameter $2 does not exist"));
    st.bind(1, Value(3));
    BOOST_REQUIRE(st.step());
    BOOST_TEST(st.column_count() == 2);
    BOOST_TEST(st.column_name(1) == "nothing");
    BOOST_TEST(st.column_type(0) == oid::int4);
    BOOST_TEST(st.column_is_null(1));
    BOOST_TEST(st.column_text(1).empty());
    BOOST_TEST(st.column(1).is_null());
    const std::string past = message_of<InvalidQuery>([&] { (void)st.column(2); });
    BOOST_TEST(contains(past, "column 2 does not exist in the current row"), past);
    BOOST_TEST(contains(message_of<InvalidQuery>([&] { (void)st.column(-1); }), "column -1"));
    const std::string bind = message_of<Error>([&] { st.bind(1, Value(9)); });
    BOOST_TEST(contains(bind, "cannot bind $1 while the statement runs"), bind);
    // The run goes on with the value it started with; reset() allows binding.
    int rows = 1;
    while (st.step()) ++rows;
    BOOST_TEST(rows == 3);
    st.reset();
    st.bind(1, Value(2));
    st.execute();
    BOOST_TEST(st.rows_read() == 2);
}

BOOST_FIXTURE_TEST_CASE(a_streaming_statement_moved_by_assignment_keeps_streaming, PgFixture) {
    Statement target(db(), "SELECT 1");
    BOOST_REQUIRE(target.step());  // the target has a run of its own, ended by the assignment
    Statement st(db(), "SELECT g FROM generate_series(1, 1000) AS g");
    BOOST_REQUIRE(st.step());
    target = std::move(st);
    auto& self = target;
    target = std::move(self);  // assigning a statement to itself changes nothing
    std::int64_t next = 2;
    while (target.step()) {
        BOOST_REQUIRE(target.column(0) == Value(next));
        ++next;
        // Another command: the moved statement is the one that buffers its rest.
        if (next == 10) BOOST_TEST(db().scalar("SELECT 7") == Value(7));
    }
    BOOST_TEST(next == 1001);
    BOOST_TEST(target.rows_read() == 1000);
}

BOOST_AUTO_TEST_SUITE_END()
