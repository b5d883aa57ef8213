// Threads: one Database per thread on the same database (a file under WAL on
// SQLite, a schema on PostgreSQL: every backend of this run). A writer
// inserts batches of N articles, each in a transaction; readers on their own
// connections must only ever see whole batches, and nobody may get an
// unhandled busy error. Bounded to a few seconds.
#include "fixtures.hpp"

#include <chrono>
#include <mutex>
#include <thread>

using namespace folio;
using namespace folio_test;

namespace {

// Errors seen in threads, reported by the main thread (Boost.Test's
// assertions are not thread-safe).
struct Failures {
    std::mutex mutex;
    std::vector<std::string> list;
    void add(std::string s) {
        std::lock_guard lock(mutex);
        if (list.size() < 20) list.push_back(std::move(s));
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(threads)

BOOST_AUTO_TEST_CASE(readers_never_see_a_half_written_batch) {
    constexpr int N = 7;
    constexpr int kReaders = 4;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    TestDatabaseTarget where{TestDatabaseTarget::reachable_twice};
    const std::string path = where.target();
    std::int64_t author_id = 0;
    {
        Blog blog = Blog::open(path);
        author_id = make_author(blog.db(), "writer").id();
        // SQLite's readers see whole batches through WAL's snapshots (PostgreSQL's MVCC needs no mode).
        if (!on_postgresql()) BOOST_TEST(blog.db().scalar("PRAGMA journal_mode").as_text() == "wal");
    }

    Failures failures;
    std::atomic<bool> writer_done{false};
    std::atomic<int> batches{0};
    std::vector<std::atomic<long>> reads(kReaders);
    std::vector<std::atomic<long>> nonzero(kReaders);

    std::thread writer([&] {
        try {
            Blog blog = Blog::open(path);
            int b = 0;
            while (std::chrono::steady_clock::now() < deadline && b < 400) {
                Transaction tx(blog.db());
                for (int i = 0; i < N; ++i) {
                    Article a;
                    a.set_title("b" + std::to_string(b) + "-" + std::to_string(i))
                        .set_created_at("2020-01-01")
                        .set_author_id(author_id);
                    a.save(blog.db());
                    if (i == N / 2) std::this_thread::yield();  // give readers a chance mid-batch
                }
                tx.commit();
                batches.store(++b);
            }
        } catch (const std::exception& e) {
            failures.add(std::string("writer: ") + e.what());
        }
        writer_done = true;
    });

    std::vector<std::thread> readers;
    for (int r = 0; r < kReaders; ++r) {
        readers.emplace_back([&, r] {
            try {
                Database db(path);  // its own connection
                QuerySet<Article> articles(db);
                while (!writer_done.load()) {
                    // One statement: the count and the maintained counter from one snapshot.
                    Statement st = db.prepare(
                        "SELECT (SELECT COUNT(*) FROM article), (SELECT articles_count FROM author WHERE id = ?)");
                    st.bind(1, author_id);
                    if (!st.step()) throw Error("no row");
                    const std::int64_t count = st.column_int(0);
                    const std::int64_t counter = st.column_int(1);
                    if (count % N != 0) failures.add("reader saw " + std::to_string(count) + " articles");
                    if (counter != count)
                        failures.add("reader saw count " + std::to_string(count) + " but articles_count " +
                                     std::to_string(counter));
                    // And through the library's own QuerySet.
                    const std::int64_t qs_count = articles.count();
                    if (qs_count % N != 0) failures.add("QuerySet.count() saw " + std::to_string(qs_count));
                    ++reads[r];
                    if (count > 0) ++nonzero[r];
                }
            } catch (const std::exception& e) {
                failures.add("reader " + std::to_string(r) + ": " + e.what());
            }
        });
    }
    writer.join();
    for (auto& t : readers) t.join();

    for (const auto& f : failures.list) BOOST_ERROR(f);
    BOOST_TEST(failures.list.empty());
    BOOST_TEST(batches.load() > 0);
    for (int r = 0; r < kReaders; ++r) {
        BOOST_TEST_CONTEXT("reader " << r) {
            BOOST_TEST(reads[r].load() > 0);
            BOOST_TEST_MESSAGE("reader " << r << ": " << reads[r].load() << " reads, " << nonzero[r].load()
                                         << " while articles existed");
        }
    }
    Database db(path);
    BOOST_TEST(count_rows(db, "article") == static_cast<std::int64_t>(batches.load()) * N);
    check_articles_counts(db);
}

BOOST_AUTO_TEST_CASE(two_writers_wait_for_each_other) {
    // The busy timeout and BEGIN IMMEDIATE absorb writer contention on
    // SQLite, row locks on PostgreSQL: no busy error reaches the caller, no
    // write is lost.
    constexpr int kBatches = 60, N = 5;
    TestDatabaseTarget where{TestDatabaseTarget::reachable_twice};
    const std::string path = where.target();
    std::int64_t ids[2];
    {
        Blog blog = Blog::open(path);
        ids[0] = make_author(blog.db(), "w0").id();
        ids[1] = make_author(blog.db(), "w1").id();
    }
    Failures failures;
    auto work = [&](int w) {
        try {
            Blog blog = Blog::open(path);
            for (int b = 0; b < kBatches; ++b) {
                Transaction tx(blog.db());
                for (int i = 0; i < N; ++i) {
                    Article a;
                    a.set_title("w" + std::to_string(w)).set_created_at("2020-01-01").set_author_id(ids[w]);
                    a.save(blog.db());
                }
                tx.commit();
            }
        } catch (const std::exception& e) {
            failures.add("writer " + std::to_string(w) + ": " + e.what());
        }
    };
    std::thread t0(work, 0), t1(work, 1);
    t0.join();
    t1.join();
    for (const auto& f : failures.list) BOOST_ERROR(f);
    Database db(path);
    BOOST_TEST(count_rows(db, "article") == 2 * kBatches * N);
    BOOST_TEST(stored_articles_count(db, ids[0]) == kBatches * N);
    BOOST_TEST(stored_articles_count(db, ids[1]) == kBatches * N);
}

BOOST_AUTO_TEST_SUITE_END()
