// The blog's schema on PostgreSQL: the same migration names as SQLite's,
// versions in a table, and articles_count kept right by the PL/pgSQL
// triggers after inserts, deletes, reassignments and bulk statements, with
// its overflow guard. (Connections migrating at the same moment are the core
// suite's migrations case, run on every backend.)
#include <latch>
#include <thread>

#include "folio/migrations.hpp"
#include "lib/backend/postgresql/migrations.hpp"
#include "lib/backend/postgresql/transaction.hpp"
#include "pg_fixtures.hpp"

using namespace folio;
using namespace folio_pg_test;
using PgMigrator = folio::backend::postgresql::Migrator;

namespace {

struct Blog : PgFixture {
    Blog() { PgMigrator(db(), postgresql_migrations()).migrate(); }
    std::int64_t add_author(std::string_view username) {
        return db()
            .scalar(R"sql(INSERT INTO "author" ("username") VALUES ($1) RETURNING "id")sql", {Value(username)})
            .as_integer();
    }
    std::int64_t add_article(std::int64_t author) {
        return db()
            .scalar(R"sql(INSERT INTO "article" ("title", "created_at", "author_id") VALUES ('t', '2012-05-01', $1)
                          RETURNING "id")sql",
                    {Value(author)})
            .as_integer();
    }
    std::int64_t articles_count(std::int64_t author) {
        return db().scalar(R"sql(SELECT "articles_count" FROM "author" WHERE "id" = $1)sql", {Value(author)}).as_integer();
    }
    std::int64_t counted(std::int64_t author) {
        return db().scalar(R"sql(SELECT count(*) FROM "article" WHERE "author_id" = $1)sql", {Value(author)}).as_integer();
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(migrations)

BOOST_AUTO_TEST_CASE(the_names_are_sqlite_s_names_in_the_same_order) {
    const auto& pg = postgresql_migrations();
    const auto& sqlite = blog_migrations();
    BOOST_REQUIRE(pg.size() == sqlite.size());
    for (std::size_t i = 0; i < pg.size(); ++i) BOOST_TEST(pg[i].name == sqlite[i].name);
}

BOOST_FIXTURE_TEST_CASE(migrate_applies_each_once_and_records_it_in_a_table, PgFixture) {
    PgMigrator m(db(), postgresql_migrations());
    BOOST_TEST(m.current_version() == 0);
    for (const auto& s : m.status()) BOOST_TEST(!s.applied);
    BOOST_TEST(m.migrate(2) == 2);
    BOOST_TEST(m.current_version() == 2);
    BOOST_TEST(m.status()[1].applied);
    BOOST_TEST(!m.status()[2].applied);
    BOOST_TEST(m.migrate() == 4);
    BOOST_TEST(m.migrate() == 0);
    BOOST_TEST(m.current_version() == m.latest_version());
    BOOST_TEST(count_rows(db(), "folio_migrations") == 6);
    BOOST_TEST(db().scalar(R"sql(SELECT "name" FROM "folio_migrations" ORDER BY "name" DESC LIMIT 1)sql") ==
               Value("0006_article_count_overflow_guard"));
    // The indexes the guide asks for exist.
    for (const char* index : {"author_username", "article_created_at", "article_author_id", "article_tags_tag_id"})
        BOOST_TEST(db().scalar("SELECT to_regclass($1) IS NOT NULL", {Value(index)}) == Value(1), index);
    BOOST_TEST(contains(m.sql_of("0004_author_articles_count"), "plpgsql"));
    BOOST_CHECK_THROW(m.sql_of("0099_nothing"), InvalidQuery);
}

BOOST_FIXTURE_TEST_CASE(a_failed_migration_leaves_nothing_and_a_newer_schema_is_refused, PgFixture) {
    std::vector<Migration> broken = {postgresql_migrations()[0],
                                     {"0002_broken", R"sql(CREATE TABLE "half" ("x" int); SELECT 1 / 0;)sql"}};
    PgMigrator m(db(), broken);
    BOOST_CHECK_THROW(m.migrate(), DataError);
    BOOST_TEST(m.current_version() == 1);
    BOOST_TEST(db().scalar(R"sql(SELECT to_regclass('"half"') IS NULL)sql") == Value(1));  // DDL rolled back too

    db().execute(R"sql(INSERT INTO "folio_migrations" ("name") VALUES ('0002_from_the_future'))sql");
    const std::string msg = message_of<OperationalError>([&] { PgMigrator(db(), postgresql_migrations()).migrate(); });
    BOOST_TEST(contains(msg, "0002_from_the_future"), msg);
    BOOST_CHECK_THROW(PgMigrator(db(), postgresql_migrations()).status(), OperationalError);
}

BOOST_FIXTURE_TEST_CASE(articles_count_follows_inserts_deletes_and_reassignments, Blog) {
    const std::int64_t ann = add_author("ann"), bob = add_author("bob");
    const std::int64_t a1 = add_article(ann);
    add_article(ann);
    const std::int64_t b1 = add_article(bob);
    BOOST_TEST(articles_count(ann) == 2);
    BOOST_TEST(articles_count(bob) == 1);
    // Reassign one article: -1 / +1.
    db().execute(R"sql(UPDATE "article" SET "author_id" = $1 WHERE "id" = $2)sql", {Value(bob), Value(a1)});
    BOOST_TEST(articles_count(ann) == 1);
    BOOST_TEST(articles_count(bob) == 2);
    // An update that leaves author_id as it was changes nothing.
    db().execute(R"sql(UPDATE "article" SET "author_id" = "author_id", "title" = 'u')sql");
    BOOST_TEST(articles_count(bob) == 2);
    db().execute(R"sql(DELETE FROM "article" WHERE "id" = $1)sql", {Value(b1)});
    BOOST_TEST(articles_count(bob) == 1);
    // A multi-row insert and a mass delete: counted per statement.
    db().execute(R"sql(INSERT INTO "article" ("title", "created_at", "author_id")
                       SELECT 'bulk', '2013-01-01', CASE WHEN g % 3 = 0 THEN $1::bigint ELSE $2::bigint END
                       FROM generate_series(1, 3000) AS g)sql",
                 {Value(ann), Value(bob)});
    BOOST_TEST(articles_count(ann) == counted(ann));
    BOOST_TEST(articles_count(bob) == counted(bob));
    BOOST_TEST(articles_count(ann) == 1 + 1000);
    db().execute(R"sql(DELETE FROM "article" WHERE "title" = 'bulk' AND "id" % 2 = 0)sql");
    BOOST_TEST(articles_count(ann) == counted(ann));
    BOOST_TEST(articles_count(bob) == counted(bob));
    // A statement that fails changes no count.
    BOOST_CHECK_THROW(db().execute(R"sql(INSERT INTO "article" ("title", "created_at", "author_id")
                                         VALUES ('x', '2012-01-01', $1), ('y', '2012-01-01', 99999))sql",
                                   {Value(ann)}),
                      IntegrityError);
    BOOST_TEST(articles_count(ann) == counted(ann));
    // Deleting the author cascades to its articles without complaint.
    db().execute(R"sql(DELETE FROM "author" WHERE "id" = $1)sql", {Value(ann)});
    BOOST_TEST(counted(ann) == 0);
    BOOST_TEST(articles_count(bob) == counted(bob));
}

BOOST_FIXTURE_TEST_CASE(concurrent_writers_lose_no_count, Blog) {
    const std::int64_t ann = add_author("ann"), bob = add_author("bob");
    constexpr int writers = 4, per_writer = 40, deadlocking_per_writer = 10;
    std::vector<std::unique_ptr<Connection>> conns;
    for (int i = 0; i < writers; ++i) conns.push_back(schema.connect());
    std::latch start(writers), second_phase(writers);
    std::vector<std::string> failures(writers);
    std::vector<int> retries(writers, 0);
    std::vector<std::thread> threads;
    const char* insert_two = R"sql(INSERT INTO "article" ("title", "created_at", "author_id")
                                   VALUES ('c', '2014-01-01', $1), ('c', '2014-01-01', $2))sql";
    const char* insert_one = R"sql(INSERT INTO "article" ("title", "created_at", "author_id")
                                   VALUES ('d', '2014-01-01', $1))sql";
    for (int w = 0; w < writers; ++w)
        threads.emplace_back([&, w] {
            start.arrive_and_wait();
            Connection& c = *conns[w];
            // Both authors, in opposite orders by writer.
            const std::int64_t first = (w % 2) ? ann : bob, second = (w % 2) ? bob : ann;
            try {
                for (int i = 0; i < per_writer; ++i) {
                    // One statement: the trigger locks the authors in id
                    // order, so the writers queue and never deadlock.
                    Transaction tx(c);
                    c.execute(insert_two, {Value(first), Value(second)});
                    tx.commit();
                }
            } catch (const std::exception& e) {
                failures[w] = e.what();
            }
            second_phase.arrive_and_wait();
            // The server waits deadlock_timeout (1 s) before it looks for a
            // cycle; a superuser may shorten that for this session.
            try {
                c.execute_script("SET deadlock_timeout = '20ms'");
            } catch (const OperationalError&) {
            }
            try {
                for (int i = 0; i < deadlocking_per_writer; ++i) {
                    // Two statements in opposite orders: a deadlock the
                    // application made, which the server breaks (40P01);
                    // the victim rolls back whole and runs again.
                    for (;;) {
                        try {
                            Transaction tx(c);
                            c.execute(insert_one, {Value(first)});
                            c.execute(insert_one, {Value(second)});
                            tx.commit();
                            break;
                        } catch (const OperationalError& e) {
                            if (!contains(e.what(), "40P01") || ++retries[w] > 1000) throw;
                        }
                    }
                }
            } catch (const std::exception& e) {
                failures[w] = e.what();
            }
        });
    for (auto& t : threads) t.join();
    for (const auto& f : failures) BOOST_TEST(f.empty(), f);
    int total_retries = 0;
    for (int r : retries) total_retries += r;
    BOOST_TEST_MESSAGE("deadlocks broken and retried: " << total_retries);
    BOOST_TEST(db().scalar(R"sql(SELECT count(*) FROM "article" WHERE "title" = 'c')sql") == Value(2 * writers * per_writer));
    BOOST_TEST(counted(ann) == writers * (per_writer + deadlocking_per_writer));
    BOOST_TEST(articles_count(ann) == counted(ann));
    BOOST_TEST(articles_count(bob) == counted(bob));
}

BOOST_FIXTURE_TEST_CASE(an_overflowing_count_is_refused_and_nothing_is_written, Blog) {
    const std::int64_t ann = add_author("ann");
    db().execute(R"sql(UPDATE "author" SET "articles_count" = 9223372036854775807 WHERE "id" = $1)sql", {Value(ann)});
    const std::string msg = message_of<DataError>([&] { add_article(ann); });
    BOOST_TEST(contains(msg, "articles_count"), msg);
    BOOST_TEST(contains(msg, fmt::format("author id {}", ann)), msg);
    BOOST_TEST(counted(ann) == 0);
    BOOST_TEST(articles_count(ann) == std::numeric_limits<std::int64_t>::max());
}

BOOST_AUTO_TEST_SUITE_END()
