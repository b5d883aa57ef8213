// Transactions: commit, rollback on exception, nested savepoints, nesting
// inside a transaction the user opened with raw SQL, and the atomicity of
// the library's multi-statement operations.
#include "fixtures.hpp"
#include "support/backend_only.hpp"

#include <sqlite3.h>

#include <stdexcept>

using namespace folio;
using namespace folio_test;

namespace {
void add_tag(Database& db, const std::string& name) { db.execute("INSERT INTO tag (name) VALUES (?)", {name}); }
bool has_tag(Database& db, const std::string& name) {
    return db.scalar("SELECT COUNT(*) FROM tag WHERE name = ?", {name}).as_integer() == 1;
}
} // namespace

BOOST_AUTO_TEST_SUITE(transactions)

BOOST_FIXTURE_TEST_CASE(commit_is_visible_to_another_connection, SharedBackendBlog) {
    Database other(path);
    {
        Transaction tx(db());
        BOOST_TEST(db().in_transaction());
        add_tag(db(), "a");
        add_tag(db(), "b");
        // Not committed yet: another connection does not see it.
        BOOST_TEST(count_rows(other, "tag") == 0);
        tx.commit();
    }
    BOOST_TEST(!db().in_transaction());
    BOOST_TEST(count_rows(other, "tag") == 2);
}

BOOST_FIXTURE_TEST_CASE(exception_rolls_back_everything, SharedBackendBlog) {
    Author au = make_author(db(), "ann");
    BOOST_CHECK_THROW(
        {
            Transaction tx(db());
            add_tag(db(), "a");
            make_article(db(), au, "written then undone");
            db().execute("UPDATE author SET bio = 'changed'");
            throw std::runtime_error("boom");
        },
        std::runtime_error);
    BOOST_TEST(!db().in_transaction());
    BOOST_TEST(count_rows(db(), "tag") == 0);
    BOOST_TEST(count_rows(db(), "article") == 0);
    BOOST_TEST(db().scalar("SELECT bio FROM author").as_text() == "bio of ann");
    BOOST_TEST(stored_articles_count(db(), au.id()) == 0);  // the trigger's work went too
    Database other(path);
    BOOST_TEST(count_rows(other, "tag") == 0);
}

BOOST_FIXTURE_TEST_CASE(a_failing_statement_inside_rolls_back_the_earlier_ones, BackendBlog) {
    BOOST_CHECK_THROW(
        {
            Transaction tx(db());
            add_tag(db(), "a");
            add_tag(db(), "a");  // UNIQUE
            tx.commit();
        },
        IntegrityError);
    BOOST_TEST(!db().in_transaction());
    BOOST_TEST(count_rows(db(), "tag") == 0);
}

BOOST_FIXTURE_TEST_CASE(explicit_rollback, BackendBlog) {
    Transaction tx(db());
    add_tag(db(), "a");
    tx.rollback();
    BOOST_TEST(!db().in_transaction());
    BOOST_TEST(count_rows(db(), "tag") == 0);
    tx.commit();  // no-op once closed
    BOOST_TEST(count_rows(db(), "tag") == 0);
}

BOOST_FIXTURE_TEST_CASE(inner_rollback_keeps_outer_work, BackendBlog) {
    {
        Transaction outer(db());
        add_tag(db(), "outer-before");
        try {
            Transaction inner(db());
            add_tag(db(), "inner");
            BOOST_TEST(has_tag(db(), "inner"));
            throw std::runtime_error("inner fails");
        } catch (const std::runtime_error&) {
        }
        BOOST_TEST(db().in_transaction());
        add_tag(db(), "outer-after");
        outer.commit();
    }
    BOOST_TEST(has_tag(db(), "outer-before"));
    BOOST_TEST(has_tag(db(), "outer-after"));
    BOOST_TEST(!has_tag(db(), "inner"));
}

BOOST_FIXTURE_TEST_CASE(inner_commit_is_undone_by_outer_rollback, BackendBlog) {
    {
        Transaction outer(db());
        add_tag(db(), "outer");
        {
            Transaction inner(db());
            add_tag(db(), "inner");
            inner.commit();
        }
        BOOST_TEST(db().in_transaction());
        // destroyed without commit
    }
    BOOST_TEST(count_rows(db(), "tag") == 0);
}

BOOST_FIXTURE_TEST_CASE(three_levels_use_distinct_savepoints, BackendBlog) {
    QueryCapture q(db());
    {
        Transaction t1(db());
        add_tag(db(), "1");
        {
            Transaction t2(db());
            add_tag(db(), "2");
            {
                Transaction t3(db());
                add_tag(db(), "3");
                t3.rollback();
            }
            {
                Transaction t3b(db());  // the name is free again
                add_tag(db(), "3b");
                t3b.commit();
            }
            t2.commit();
        }
        t1.commit();
    }
    std::vector<std::string> control;
    for (const auto& s : q.all())
        if (s.kind == LoggedStatement::Kind::TransactionControl) control.push_back(s.sql);
    // The standard verbs on both backends (spelled once, in
    // lib/backend/operations.cpp), but SQLite's BEGIN: it takes its write
    // lock at once (IMMEDIATE); PostgreSQL locks rows as it writes.
    const std::vector<std::string> expected{on_postgresql() ? "BEGIN" : "BEGIN IMMEDIATE",
                                            "SAVEPOINT folio_sp_1",
                                            "SAVEPOINT folio_sp_2",
                                            "ROLLBACK TO SAVEPOINT folio_sp_2",
                                            "RELEASE SAVEPOINT folio_sp_2",
                                            "SAVEPOINT folio_sp_2",
                                            "RELEASE SAVEPOINT folio_sp_2",
                                            "RELEASE SAVEPOINT folio_sp_1",
                                            "COMMIT"};
    BOOST_TEST(control == expected, boost::test_tools::per_element());
    BOOST_TEST(has_tag(db(), "1"));
    BOOST_TEST(has_tag(db(), "2"));
    BOOST_TEST(!has_tag(db(), "3"));
    BOOST_TEST(has_tag(db(), "3b"));
    BOOST_TEST(db().savepoint_depth() == 0);
}

BOOST_FIXTURE_TEST_CASE(nests_inside_a_raw_begin, BackendBlog) {
    db().execute("BEGIN");
    add_tag(db(), "raw");
    {
        Transaction tx(db());  // a savepoint, not a second BEGIN
        add_tag(db(), "folio");
        tx.commit();
    }
    BOOST_TEST(db().in_transaction(), "Transaction::commit() ended the user's own transaction");
    {
        Transaction tx(db());
        add_tag(db(), "undone");
        // rolled back: the user's transaction stays open with its work
    }
    BOOST_TEST(db().in_transaction());
    BOOST_TEST(has_tag(db(), "raw"));
    BOOST_TEST(has_tag(db(), "folio"));
    BOOST_TEST(!has_tag(db(), "undone"));
    db().execute("ROLLBACK");  // the user's decision wins for everything
    BOOST_TEST(count_rows(db(), "tag") == 0);
}

BOOST_FIXTURE_TEST_CASE(nests_inside_a_raw_begin_via_sqlite3_exec, BackendBlog,
                        *sqlite_only("begins and commits through sqlite3_exec on the raw handle")) {
    BOOST_REQUIRE(sqlite3_exec(db().handle(), "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK);
    {
        Transaction tx(db());
        add_tag(db(), "x");
        tx.commit();
    }
    BOOST_TEST(db().in_transaction());
    BOOST_REQUIRE(sqlite3_exec(db().handle(), "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
    BOOST_TEST(has_tag(db(), "x"));
}

BOOST_FIXTURE_TEST_CASE(library_bulk_create_is_atomic, BackendBlog) {
    // Two batches; the second breaks the UNIQUE constraint on tag.name.
    std::vector<Tag> tags = {Tag("a"), Tag("b"), Tag("c"), Tag("a")};
    BOOST_CHECK_THROW(blog.tags().bulk_create(tags, BulkOptions{.batch_size = 2}), IntegrityError);
    BOOST_TEST(!db().in_transaction());
    BOOST_TEST(count_rows(db(), "tag") == 0, "the first batch was left written");
}

BOOST_FIXTURE_TEST_CASE(library_queryset_remove_is_atomic, BackendBlog) {
    Author au = make_author(db(), "ann");
    Article a = make_article(db(), au, "a");
    Tag t("x");
    t.save(db());
    a.tags().add({t});
    // Make the final DELETE of the rows fail after the links were deleted.
    // (A trigger in each backend's own language.)
    if (on_postgresql())
        db().execute_script(R"(CREATE FUNCTION no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
                               BEGIN RAISE EXCEPTION 'refused'; END $$;
                               CREATE TRIGGER no_delete BEFORE DELETE ON article FOR EACH ROW EXECUTE FUNCTION no_delete())");
    else
        db().execute(R"(CREATE TRIGGER no_delete BEFORE DELETE ON article BEGIN SELECT RAISE(ABORT, 'refused'); END)");
    BOOST_CHECK_THROW(blog.articles().remove(), Error);
    BOOST_TEST(!db().in_transaction());
    BOOST_TEST(count_rows(db(), "article_tags") == 1, "the links were deleted without their article");
    BOOST_TEST(count_rows(db(), "article") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
