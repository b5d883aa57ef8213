// Transactions and savepoints: commit, rollback on destruction, nesting as
// savepoints, and no silent COMMIT of a transaction an error aborted.
#include "pg_fixtures.hpp"
#include "lib/backend/postgresql/transaction.hpp"

using namespace folio;
using namespace folio_pg_test;

namespace {
struct Table : PgFixture {
    Table() { db().execute_script(R"sql(CREATE TABLE "t" ("x" int8 PRIMARY KEY))sql"); }
    void add(std::int64_t x) { db().execute(R"sql(INSERT INTO "t" VALUES ($1))sql", {Value(x)}); }
};
} // namespace

BOOST_AUTO_TEST_SUITE(transactions)

BOOST_FIXTURE_TEST_CASE(commit_keeps_and_destruction_rolls_back, Table) {
    {
        Transaction tx(db());
        add(1);
        BOOST_TEST(db().in_transaction());
        tx.commit();
    }
    BOOST_TEST(!db().in_transaction());
    {
        Transaction tx(db());
        add(2);
    }
    BOOST_TEST(count_rows(db(), "t") == 1);
    // Seen from another session only once committed.
    auto other = schema.connect();
    Transaction tx(db());
    add(3);
    BOOST_TEST(count_rows(*other, "t") == 1);
    tx.commit();
    BOOST_TEST(count_rows(*other, "t") == 2);
}

BOOST_FIXTURE_TEST_CASE(nested_transactions_are_savepoints, Table) {
    Transaction outer(db());
    add(1);
    {
        Transaction inner(db());
        add(2);
        BOOST_TEST(db().savepoint_depth() == 1);
    }  // rolled back to its savepoint only
    BOOST_TEST(db().savepoint_depth() == 0);
    {
        Transaction inner(db());
        add(3);
        inner.commit();
    }
    outer.commit();
    BOOST_TEST(db().scalar(R"sql(SELECT string_agg("x"::text, ',' ORDER BY "x") FROM "t")sql") == Value("1,3"));
}

BOOST_FIXTURE_TEST_CASE(a_failed_statement_inside_a_savepoint_is_undone_with_it, Table) {
    Transaction outer(db());
    add(1);
    {
        Transaction inner(db());
        BOOST_CHECK_THROW(add(1), IntegrityError);  // duplicate key: the transaction is now aborted
        BOOST_TEST(db().transaction_failed());
        BOOST_CHECK_THROW(inner.commit(), OperationalError);  // rolled back to the savepoint instead
    }
    BOOST_TEST(!db().transaction_failed());
    add(2);
    outer.commit();
    BOOST_TEST(count_rows(db(), "t") == 2);
}

BOOST_FIXTURE_TEST_CASE(commit_of_an_aborted_transaction_raises_instead_of_rolling_back_silently, Table) {
    {
        Transaction tx(db());
        add(1);
        BOOST_CHECK_THROW(db().scalar("SELECT 1 / 0"), DataError);
        // PostgreSQL would answer COMMIT with ROLLBACK; folio says so.
        const std::string msg = message_of<OperationalError>([&] { tx.commit(); });
        BOOST_TEST(contains(msg, "rolled back"), msg);
        BOOST_TEST(!db().in_transaction());
    }
    BOOST_TEST(count_rows(db(), "t") == 0);
}

BOOST_AUTO_TEST_SUITE_END()
