// Two real connections on one file, ordered deterministically (a hook on the
// SQL log, or a busy handler that reports the wait), never by sleeping:
// get_or_create that loses a race returns the winner, get_or_create_many and
// the importer take a row another connection committed while they waited,
// and BEGIN IMMEDIATE makes a second writer wait instead of failing. On
// every backend but the cases about SQLite's write lock and busy timeout.
#include "fixtures.hpp"

#include <sqlite3.h>

#include "support/backend_only.hpp"

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

using namespace folio;
using namespace folio_test;

namespace {

// Runs `action` once, right after `db` finishes the first statement whose
// SQL starts with `prefix` and mentions `table`: the window between a
// SELECT and the INSERT that follows it.
class AfterStatement {
public:
    AfterStatement(Database& db, std::string prefix, std::string table, std::function<void()> action)
        : db_(db), prefix_(std::move(prefix)), table_(std::move(table)), action_(std::move(action)) {
        id_ = db_.log().add_listener([this](const LoggedStatement& s) {
            if (fired_ || !s.sql.starts_with(prefix_) || !contains(s.sql, table_)) return;
            fired_ = true;
            action_();
        });
    }
    ~AfterStatement() { db_.log().remove_listener(id_); }
    bool fired() const { return fired_; }

private:
    Database& db_;
    std::string prefix_, table_;
    std::function<void()> action_;
    std::size_t id_ = 0;
    bool fired_ = false;
};

// Another connection that runs `sql` (an INSERT of one row) in a write
// transaction and commits it only once `waiter` is seen waiting for it: on
// SQLite for the write lock (its busy handler runs), on PostgreSQL for a lock
// the rival's uncommitted row holds (pg_locks, read by a third connection).
// The row lands while the waiter is inside its call, after it began.
class CommitWhileWaiting {
public:
    CommitWhileWaiting(const std::string& path, Database& waiter, const std::string& sql)
        : other_(path), waiter_(waiter) {
        if (on_postgresql()) {
            waiter_pid_ = waiter_.scalar("SELECT pg_backend_pid()").as_integer();
            watcher_.emplace(path);
        }
        tx_.emplace(other_);
        inserted_id_ = other_.scalar(sql + " RETURNING id").as_integer();
        if (!on_postgresql()) sqlite3_busy_handler(waiter_.handle(), &CommitWhileWaiting::on_busy, this);
        committer_ = std::thread([this] {
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            try {
                while (!waiting() && std::chrono::steady_clock::now() < deadline)
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                tx_->commit();
            } catch (const std::exception& e) {
                error_ = e.what();
            }
        });
    }
    ~CommitWhileWaiting() {
        if (committer_.joinable()) committer_.join();
        if (!on_postgresql()) sqlite3_busy_timeout(waiter_.handle(), 10000);  // folio's default handler back
    }
    // Call after the waiter's work: joins the committer, reports what happened.
    void finish() {
        committer_.join();
        BOOST_TEST(waiting_.load(), "the waiter never waited for the write lock");
        BOOST_TEST(error_.empty(), error_);
    }
    std::int64_t inserted_id() const { return inserted_id_; }

private:
    bool waiting() {
        if (on_postgresql() && !waiting_)
            waiting_ = watcher_->scalar("SELECT count(*) FROM pg_locks WHERE pid = ? AND NOT granted", {waiter_pid_})
                           .as_integer() > 0;
        return waiting_;
    }
    static int on_busy(void* self, int attempts) {
        static_cast<CommitWhileWaiting*>(self)->waiting_ = true;
        sqlite3_sleep(1);  // the committer runs meanwhile; bounded below
        return attempts < 10000;
    }
    Database other_;
    Database& waiter_;
    std::int64_t waiter_pid_ = 0;      // PostgreSQL: the waiter's server process
    std::optional<Database> watcher_;  // PostgreSQL: reads pg_locks
    std::optional<Transaction> tx_;
    std::int64_t inserted_id_ = 0;
    std::atomic<bool> waiting_{false};
    std::string error_;
    std::thread committer_;
};

std::int64_t tag_id(Database& db, const std::string& name) {
    return db.scalar("SELECT id FROM tag WHERE name = ?", {name}).as_integer();
}

} // namespace

BOOST_AUTO_TEST_SUITE(races)

BOOST_FIXTURE_TEST_CASE(get_or_create_that_loses_the_race_returns_the_winner, SharedBackendBlog) {
    Database other(path);
    std::int64_t winner = 0;
    AfterStatement between(db(), "SELECT", "\"tag\"", [&] {
        winner = other.scalar("INSERT INTO tag (name) VALUES ('python') RETURNING id").as_integer();
    });
    QueryCapture q(db());
    auto [tag, created] = blog.tags().get_or_create(Q("name", "python"), Tag("python"));
    // SELECT, the refused INSERT, SELECT of the winner.
    BOOST_TEST(q.count_starting_with("SELECT") == 2u, dump(q));
    BOOST_TEST(q.count_starting_with("INSERT") == 1u, dump(q));
    BOOST_REQUIRE(between.fired());
    BOOST_TEST(!created);
    BOOST_TEST(tag.id() == winner);
    BOOST_TEST(tag.name() == "python");
    BOOST_TEST(count_rows(db(), "tag") == 1);
    // The connection is usable afterwards, inside no transaction.
    BOOST_TEST(!db().in_transaction());
    auto [again, created_again] = blog.tags().get_or_create(Q("name", "python"), Tag("python"));
    BOOST_TEST(!created_again);
    BOOST_TEST(again.id() == winner);
}

BOOST_FIXTURE_TEST_CASE(get_or_create_race_inside_an_outer_savepoint_keeps_the_outer_work, BackendBlog) {
    // The refused INSERT is undone alone: the caller's transaction goes on.
    Tag("rust").save(db());
    Transaction outer(db());
    Author ann = make_author(db(), "ann");
    // Not a race: the lookup (name=go) differs from the row that collides
    // (name=rust), so Django's rule rethrows the IntegrityError.
    BOOST_CHECK_THROW(blog.tags().get_or_create(Q("name", "go"), Tag("rust")), IntegrityError);
    auto [go, created] = blog.tags().get_or_create(Q("name", "go"), Tag("go"));
    BOOST_TEST(created);
    outer.commit();
    BOOST_TEST(count_rows(db(), "author") == 1);
    BOOST_TEST(count_rows(db(), "tag") == 2);
    BOOST_TEST(tag_id(db(), "go") == go.id());
}

BOOST_FIXTURE_TEST_CASE(get_or_create_many_takes_a_row_committed_while_it_waited, SharedBackendBlog) {
    Tag("old").save(db());
    CommitWhileWaiting rival(path, db(), "INSERT INTO tag (name) VALUES ('python')");
    std::vector<Tag> tags = blog.tags().get_or_create_many("name", {Value("rust"), Value("python"), Value("old")});
    rival.finish();
    BOOST_REQUIRE(tags.size() == 3u);
    BOOST_TEST(tags[0].name() == "rust");
    BOOST_TEST(tags[1].name() == "python");
    BOOST_TEST(tags[1].id() == rival.inserted_id());
    BOOST_TEST(tags[2].name() == "old");
    for (const Tag& t : tags) BOOST_TEST(tag_id(db(), t.name()) == t.id());
    BOOST_TEST(count_rows(db(), "tag") == 3);
}

BOOST_FIXTURE_TEST_CASE(the_importer_links_a_tag_committed_while_it_waited, SharedBackendBlog) {
    make_author(db(), "ann");
    const std::string json = dir.file("articles.json");
    {
        std::ofstream out(json);
        out << R"([{"title": "t1", "content": "c", "created_at": "2020-01-01", "author": "ann",
                    "tags": ["python", "rust"]}])";
    }
    for (bool naive : {false, true}) {
        BOOST_TEST_CONTEXT("naive " << naive) {
            db().execute("DELETE FROM tag");
            CommitWhileWaiting rival(path, db(), "INSERT INTO tag (name) VALUES ('python')");
            ImportOptions options;
            options.naive = naive;
            ImportReport report = import_articles(blog, json, options);
            rival.finish();
            BOOST_TEST(report.imported == 1u);
            BOOST_TEST(count_rows(db(), "tag") == 2);
            BOOST_TEST(tag_id(db(), "python") == rival.inserted_id());
            // The new article is linked to the rival's tag, not to a copy.
            BOOST_TEST(db().scalar("SELECT COUNT(*) FROM article_tags WHERE tag_id = ?", {rival.inserted_id()}) ==
                       Value(1));
        }
    }
}

BOOST_AUTO_TEST_CASE(begin_immediate_makes_a_second_writer_wait_instead_of_failing,
                     *sqlite_only("SQLite's BEGIN IMMEDIATE and busy handler")) {
    // Writer B reads, then writes, in one Transaction, while writer A holds
    // a write transaction. With a deferred BEGIN, B would read a snapshot
    // from before A's commit and then fail to upgrade to a writer
    // (SQLITE_BUSY_SNAPSHOT, no busy handler can help); BEGIN IMMEDIATE
    // makes B wait at BEGIN and then see A's row.
    TempDir dir;
    const std::string path = dir.file("writers.sqlite3");
    Blog a = Blog::open(path);
    Blog b = Blog::open(path);
    std::atomic<bool> b_waiting{false}, b_read{false};
    sqlite3_busy_handler(
        b.db().handle(),
        [](void* flag, int attempts) {
            static_cast<std::atomic<bool>*>(flag)->store(true);
            sqlite3_sleep(1);
            return attempts < 10000 ? 1 : 0;
        },
        &b_waiting);
    Transaction ta(a.db());
    make_author(a.db(), "from_a");
    std::string b_error;
    std::int64_t b_saw = -1;
    std::thread writer_b([&] {
        try {
            Transaction tb(b.db());
            b_saw = b.authors().count();
            b_read = true;
            make_author(b.db(), "from_b");
            tb.commit();
        } catch (const std::exception& e) {
            b_error = e.what();
            b_read = true;
        }
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!b_waiting && !b_read && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    ta.commit();
    writer_b.join();
    BOOST_TEST(b_error.empty(), b_error);
    BOOST_TEST(b_saw == 1);  // B's first read came after A's commit
    BOOST_TEST(count_rows(a.db(), "author") == 2);
}

BOOST_AUTO_TEST_CASE(a_writer_past_the_busy_timeout_gets_operational_error,
                     *sqlite_only("SQLite's busy_timeout and file-wide write lock")) {
    TempDir dir;
    const std::string path = dir.file("locked.sqlite3");
    Blog a = Blog::open(path);
    Blog b(std::make_unique<Database>(path, DatabaseOptions{.busy_timeout = std::chrono::milliseconds(0)}));
    Transaction ta(a.db());
    make_author(a.db(), "from_a");
    BOOST_TEST(b.authors().count() == 0);  // readers are not blocked under WAL
    Error err = [&]() -> Error {
        try {
            Transaction tb(b.db());
        } catch (const OperationalError& e) {
            return e;
        }
        return Error("nothing thrown");
    }();
    BOOST_TEST(err.sqlite_code() == SQLITE_BUSY);
    BOOST_TEST(contains(err.what(), "database is locked"), err.what());
    std::string msg = message_of<OperationalError>([&] { make_author(b.db(), "from_b"); });
    BOOST_TEST(contains(msg, "locked"), msg);
    ta.commit();
    make_author(b.db(), "from_b");
    BOOST_TEST(count_rows(b.db(), "author") == 2);
}

BOOST_AUTO_TEST_SUITE_END()
