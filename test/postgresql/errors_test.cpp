// The error mapping on real violations: IntegrityError naming table, field
// and value for unique, foreign-key, NOT NULL and CHECK violations; deadlock
// as an OperationalError that says retry; a connection killed in the middle
// of a transaction raises OperationalError and leaves no row behind.
#include <chrono>
#include <future>
#include <thread>

#include "pg_fixtures.hpp"
#include "lib/backend/postgresql/migrations.hpp"
#include "lib/backend/postgresql/transaction.hpp"

using namespace folio;
using namespace folio_pg_test;

namespace {

// The blog's schema, migrated.
struct BlogSchema : PgFixture {
    BlogSchema() { folio::backend::postgresql::Migrator(db(), postgresql_migrations()).migrate(); }
    std::int64_t add_author(std::string_view username) {
        return db()
            .scalar(R"sql(INSERT INTO "author" ("username") VALUES ($1) RETURNING "id")sql", {Value(username)})
            .as_integer();
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(errors)

BOOST_FIXTURE_TEST_CASE(unique_violation_names_table_field_and_value, BlogSchema) {
    db().execute(R"sql(INSERT INTO "tag" ("name") VALUES ($1))sql", {Value("python")});
    const std::string msg = message_of<IntegrityError>(
        [&] { db().execute(R"sql(INSERT INTO "tag" ("name") VALUES ($1))sql", {Value("python")}); });
    BOOST_TEST(contains(msg, "UNIQUE constraint failed: tag.name"), msg);
    BOOST_TEST(contains(msg, "(python)"), msg);
    BOOST_TEST(contains(msg, "already exists"), msg);
    BOOST_TEST(contains(msg, "23505"), msg);
    BOOST_TEST(count_rows(db(), "tag") == 1);

    // A key of two columns names both.
    const std::int64_t au = add_author("ann");
    const Value article = db().scalar(
        R"sql(INSERT INTO "article" ("title", "created_at", "author_id") VALUES ('t', '2020-01-01', $1) RETURNING "id")sql",
        {Value(au)});
    const Value tag = db().scalar(R"sql(SELECT "id" FROM "tag")sql");
    const char* link = R"sql(INSERT INTO "article_tags" ("article_id", "tag_id") VALUES ($1, $2))sql";
    db().execute(link, {article, tag});
    const std::string pair = message_of<IntegrityError>([&] { db().execute(link, {article, tag}); });
    BOOST_TEST(contains(pair, "article_tags.article_id, article_tags.tag_id"), pair);
    BOOST_TEST(contains(pair, fmt::format("({}, {})", article.as_integer(), tag.as_integer())), pair);
}

BOOST_FIXTURE_TEST_CASE(foreign_key_violation_names_field_value_and_target, BlogSchema) {
    const std::string msg = message_of<IntegrityError>([&] {
        db().execute(R"sql(INSERT INTO "article" ("title", "created_at", "author_id") VALUES ('orphan', '2020-01-01', 999))sql");
    });
    BOOST_TEST(contains(msg, "FOREIGN KEY constraint failed: article.author_id"), msg);
    BOOST_TEST(contains(msg, "(999)"), msg);
    BOOST_TEST(contains(msg, "\"author\""), msg);
    BOOST_TEST(count_rows(db(), "article") == 0);
}

BOOST_FIXTURE_TEST_CASE(not_null_and_check_violations_name_the_field, BlogSchema) {
    const std::string msg = message_of<IntegrityError>(
        [&] { db().execute(R"sql(INSERT INTO "author" ("username") VALUES ($1))sql", {Value()}); });
    BOOST_TEST(contains(msg, "NOT NULL constraint failed: author.username"), msg);
    db().execute_script(R"sql(ALTER TABLE "author" ADD CONSTRAINT "short_name" CHECK (length("username") < 5))sql");
    const std::string check = message_of<IntegrityError>([&] { add_author("much-too-long"); });
    BOOST_TEST(contains(check, "CHECK constraint failed: author"), check);
    BOOST_TEST(contains(check, "short_name"), check);
}

BOOST_FIXTURE_TEST_CASE(a_deadlock_is_an_operational_error_that_says_retry, BlogSchema) {
    const std::int64_t a = add_author("a"), b = add_author("b");
    auto other = schema.connect();
    const char* touch = R"sql(UPDATE "author" SET "bio" = 'x' WHERE "id" = $1)sql";
    Transaction t1(db());
    Transaction t2(*other);
    db().execute(touch, {Value(a)});
    other->execute(touch, {Value(b)});
    // Each now waits for the other's row; the server's deadlock detector
    // (deadlock_timeout, 1 s by default) aborts one of them with 40P01.
    auto second = std::async(std::launch::async, [&]() -> std::string {
        try {
            other->execute(touch, {Value(a)});
        } catch (const OperationalError& e) {
            return e.what();
        }
        return {};
    });
    std::string first;
    try {
        db().execute(touch, {Value(b)});
    } catch (const OperationalError& e) {
        first = e.what();
    }
    const std::string from_second = second.get();
    const std::string& msg = first.empty() ? from_second : first;
    BOOST_TEST((first.empty() != from_second.empty()), "exactly one side is the deadlock victim");
    BOOST_TEST(contains(msg, "40P01"), msg);
    BOOST_TEST(contains(msg, "retry"), msg);
}

BOOST_FIXTURE_TEST_CASE(a_connection_killed_mid_transaction_raises_and_leaves_no_rows, BlogSchema) {
    auto victim = schema.connect();
    {
        Transaction tx(*victim);
        victim->execute(R"sql(INSERT INTO "author" ("username") VALUES ('one'), ('two'))sql");
        BOOST_TEST(victim->in_transaction());
        // Another session ends this one, as an administrator or a crash would;
        // the second argument waits (ms) until the backend is gone.
        BOOST_TEST(db().scalar("SELECT pg_terminate_backend($1, 10000)", {Value(victim->backend_pid())}) == Value(1));
        const std::string msg = message_of<OperationalError>(
            [&] { victim->execute(R"sql(INSERT INTO "author" ("username") VALUES ('three'))sql"); });
        BOOST_TEST(contains(msg, "lost"), msg);
        BOOST_TEST(contains(msg, "\"" + db().endpoint().database + "\""), msg);
        BOOST_TEST(contains(msg, "rolled back"), msg);
        // Everything after it fails the same way, and says so.
        BOOST_CHECK_THROW(victim->scalar("SELECT 1"), OperationalError);
        BOOST_CHECK_THROW(tx.commit(), OperationalError);
    }  // the transaction's destructor cannot roll back; the server already did
    BOOST_TEST(count_rows(db(), "author") == 0);
}

BOOST_AUTO_TEST_SUITE_END()
