// Opening connections: conninfo and URI forms, and the three ways opening
// fails (refused port, wrong password, missing database), each an
// OperationalError naming host, port and database and never the password.
#include "pg_fixtures.hpp"

using namespace folio;
using namespace folio_pg_test;

namespace {

// Whether the server checks passwords for a role that is not the test
// superuser (tools/with-postgres.sh's cluster does; a developer's server
// with "trust" everywhere does not, and the case is then skipped, visibly).
boost::test_tools::assertion_result server_checks_passwords(boost::unit_test::test_unit_id) {
    if (server().empty()) return false;
    Schema s;
    const std::string role = fmt::format("folio_pw_probe_{}", ::getpid());
    s.admin().execute_script(fmt::format("DROP ROLE IF EXISTS {0}; CREATE ROLE {0} LOGIN PASSWORD 'right-one'",
                                         quoted_identifier(role)));
    bool refused = false;
    try {
        Connection c(s.conninfo(s.admin().endpoint().database, role, "not-the-right-one"));
    } catch (const OperationalError&) {
        refused = true;
    }
    s.admin().execute_script(fmt::format("DROP ROLE {}", quoted_identifier(role)));
    boost::test_tools::assertion_result r(refused);
    if (!refused) r.message() << "the server at FOLIO_TEST_PG lets a role in without its password (trust)";
    return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(connection)

BOOST_FIXTURE_TEST_CASE(opens_a_conninfo_and_a_uri_and_pins_the_session, PgFixture) {
    BOOST_TEST(db().scalar("SELECT 1").as_integer() == 1);
    BOOST_TEST(db().scalar("SHOW DateStyle").as_text() == "ISO, YMD");
    BOOST_TEST(db().scalar("SHOW TimeZone").as_text() == "UTC");
    BOOST_TEST(db().scalar("SELECT current_setting('application_name')").as_text() == "folio");
    BOOST_TEST(db().backend_pid() > 0);
    BOOST_TEST(!db().in_transaction());

    // The same server as a postgresql:// URI (a socket directory goes in ?host=).
    const Endpoint& e = db().endpoint();
    const std::string user = db().scalar("SELECT current_user").as_text();
    std::string host;
    for (char c : e.host) host += c == '/' ? std::string("%2F") : std::string(1, c);
    Connection uri(fmt::format("postgresql://{}@/{}?host={}&port={}", user, e.database, host, e.port));
    BOOST_TEST(uri.scalar("SELECT current_database()").as_text() == e.database);
}

BOOST_FIXTURE_TEST_CASE(a_refused_port_names_host_port_and_database_but_not_the_password, PgFixture) {
    // Port 1 on the loopback: nothing listens there, the kernel refuses at once.
    const std::string msg = message_of<OperationalError>([&] {
        Connection c("postgresql://folio:Sup3r-s3cret-pw@127.0.0.1:1/folio_refused?connect_timeout=5");
    });
    BOOST_TEST(contains(msg, "127.0.0.1"), msg);
    BOOST_TEST(contains(msg, "port 1"), msg);
    BOOST_TEST(contains(msg, "\"folio_refused\""), msg);
    BOOST_TEST(contains(msg, "refused"), msg);
    BOOST_TEST(!contains(msg, "Sup3r-s3cret-pw"), msg);
}

BOOST_TEST_DECORATOR(*boost::unit_test::precondition(server_checks_passwords))
BOOST_FIXTURE_TEST_CASE(a_wrong_password_names_host_port_and_database_but_not_the_password, PgFixture) {
    const std::string role = fmt::format("folio_pw_{}", ::getpid());
    schema.admin().execute_script(
        fmt::format("DROP ROLE IF EXISTS {0}; CREATE ROLE {0} LOGIN PASSWORD 'the-right-one'", quoted_identifier(role)));
    const Endpoint& e = db().endpoint();
    const std::string msg = message_of<OperationalError>(
        [&] { Connection c(schema.conninfo(e.database, role, "Wr0ng-s3cret-pw")); });
    BOOST_TEST(contains(msg, e.host), msg);
    BOOST_TEST(contains(msg, "port " + e.port), msg);
    BOOST_TEST(contains(msg, "\"" + e.database + "\""), msg);
    BOOST_TEST(contains(msg, "password authentication failed"), msg);
    BOOST_TEST(!contains(msg, "Wr0ng-s3cret-pw"), msg);
    // The control: the right password opens it.
    Connection ok(schema.conninfo(e.database, role, "the-right-one"));
    BOOST_TEST(ok.scalar("SELECT current_user").as_text() == role);
    schema.admin().execute_script(fmt::format("DROP ROLE {}", quoted_identifier(role)));
}

BOOST_FIXTURE_TEST_CASE(a_missing_database_is_named, PgFixture) {
    const std::string user = db().scalar("SELECT current_user").as_text();
    const std::string msg = message_of<OperationalError>(
        [&] { Connection c(schema.conninfo("folio_no_such_database", user, "Hidden-pw-42")); });
    BOOST_TEST(contains(msg, "\"folio_no_such_database\""), msg);
    BOOST_TEST(contains(msg, "does not exist"), msg);
    BOOST_TEST(contains(msg, "port " + db().endpoint().port), msg);
    BOOST_TEST(!contains(msg, "Hidden-pw-42"), msg);
}

BOOST_AUTO_TEST_CASE(an_unparsable_conninfo_never_echoes_the_password) {
    // libpq quotes the part it cannot parse; the password must not survive.
    for (const char* bad : {"host=x password=Pw-in-clear port", "postgresql://u:Pw%2Din%2Dclear@h:notaport/db",
                                  "password='Pw-in-clear' sslmode=bogus"}) {
        const std::string msg = message_of<OperationalError>([&] { Connection c(bad); });
        BOOST_TEST(!contains(msg, "Pw-in-clear"), msg);
        BOOST_TEST(!contains(msg, "Pw%2Din%2Dclear"), msg);
    }
}

BOOST_AUTO_TEST_CASE(redaction_covers_uri_keyword_and_encoded_forms) {
    BOOST_TEST(redact_password("x abc:s3cr3t y", "postgresql://abc:s3cr3t@h/db") == "x abc:*** y");
    BOOST_TEST(redact_password("'a b' here", "host=h password='a b'") == "'***' here");
    BOOST_TEST(redact_password("p@ss here", "postgresql://u:p%40ss@h/db") == "*** here");
    BOOST_TEST(redact_password("pw=zz", "postgresql://h/db?password=zz") == "pw=***");
}

BOOST_AUTO_TEST_SUITE_END()
