// The text around PostgreSQL's errors and the connection's small answers:
// an endpoint libpq left partly empty, multi-line server messages made one
// line, passwords redacted in every conninfo form (including the forms
// that hold none); a scalar without a row, empty scripts, a stream outside
// any transaction; the backend seam's typed columns and its reading of
// transaction-control words, as the SQL log classifies them.
#include "pg_fixtures.hpp"

#include "folio/database.hpp"
#include "folio/sql_log.hpp"
#include "folio/statement.hpp"

using namespace folio_pg_test;
using folio::Value;

BOOST_AUTO_TEST_SUITE(pg_error_text)

BOOST_AUTO_TEST_CASE(an_endpoint_says_default_for_what_libpq_left_empty) {
    BOOST_TEST(Endpoint{}.describe() == "database \"(default)\" at host (default) port (default)");
    BOOST_TEST((Endpoint{"db.example", "5432", "blog"}.describe()) == "database \"blog\" at host db.example port 5432");
}

BOOST_AUTO_TEST_CASE(one_line_joins_lines_and_trims_the_end) {
    BOOST_TEST(one_line("FATAL: no\nDETAIL: why\n") == "FATAL: no; DETAIL: why");
    BOOST_TEST(one_line("trailing  \n \n") == "trailing");
    BOOST_TEST(one_line("\n") == "");
    BOOST_TEST(one_line("") == "");
}

BOOST_AUTO_TEST_CASE(redaction_finds_passwords_in_every_form_and_invents_none) {
    // Forms without a password change nothing.
    for (const char* conninfo : {"host=h user=u", "postgresql://h/db", "postgresql://u@h/db", "postgres://h",
                                 "host=h passwordless=1", "host=h password="})
        BOOST_TEST(redact_password("u@h/db passwordless= 1", conninfo) == "u@h/db passwordless= 1", conninfo);
    BOOST_TEST(redact_password("pw", "postgresql://u:pw@h") == "***");                 // no path after the host
    BOOST_TEST(redact_password("[spaced]", "host=h password =  spaced") == "[***]");   // blanks around '='
    BOOST_TEST(redact_password("[open]", "host=h password='open") == "[***]");         // an unterminated quote
    BOOST_TEST(redact_password("a&b", "postgresql://h/db?password=a&user=u") == "***&b");  // ends at '&'
    // Percent signs that are no escape stay as they are.
    BOOST_TEST(redact_password("[a%zzb]", "postgresql://u:a%zzb@h/db") == "[***]");
    BOOST_TEST(redact_password("[ab%4]", "postgresql://u:ab%4@h/db") == "[***]");
}

BOOST_FIXTURE_TEST_CASE(a_connection_answers_its_edge_requests, PgFixture) {
    BOOST_TEST(db().scalar("SELECT 1 WHERE false").is_null());  // no row: NULL, as on SQLite
    db().execute_script("");
    db().execute_script(" ; ");
    BOOST_TEST(db().scalar("SELECT 2") == Value(2));
    // A statement still streaming outside BEGIN is a transaction in progress.
    Statement st(db(), "SELECT g FROM generate_series(1, 3) AS g");
    BOOST_TEST(!db().in_transaction());
    BOOST_REQUIRE(st.step());
    BOOST_TEST(db().in_transaction());
    st.finish();
    BOOST_TEST(!db().in_transaction());
}

BOOST_FIXTURE_TEST_CASE(the_backend_seam_converts_columns_and_reads_transaction_words, PgFixture) {
    folio::Database db(server());
    folio::Statement st = db.prepare("SELECT 2.75::float8, 'x'::text, 7::bigint");
    BOOST_REQUIRE(st.step());
    BOOST_TEST(st.column_int(0) == 2);  // a double truncates, as sqlite3_column_int64
    BOOST_TEST(st.column_int(1) == 0);  // text is no number
    BOOST_TEST(st.column_double(2) == 7.0);
    BOOST_TEST(st.column_double(1) == 0.0);
    BOOST_TEST(st.column_double(0) == 2.75);
    st.reset();
    folio::QueryCapture q(db);
    for (const char* sql : {"  start transaction", "savepoint a", "release a", "end", "\tbegin", "abort"})
        db.execute(sql);
    db.execute("select 1");
    BOOST_REQUIRE(q.all().size() == 7u);
    for (std::size_t i = 0; i < 6; ++i)
        BOOST_TEST((q.all()[i].kind == folio::LoggedStatement::Kind::TransactionControl), q.all()[i].sql);
    BOOST_TEST((q.all()[6].kind == folio::LoggedStatement::Kind::Query));
}

BOOST_AUTO_TEST_SUITE_END()
