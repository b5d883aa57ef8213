// The bulk imports parse on a second thread while the calling thread writes
// the batch before (lib/batch_pipeline.hpp). What that must not change: an
// error found on either side, at any moment, reaches the caller as the same
// folio error (the first bad record in file order, its field and value) and
// nothing is written; the Database is used only from the calling thread; the
// progress callback runs there, in order. The cases slow the writer down in
// the middle of a batch (a SQL log listener that sleeps inside a statement),
// so that the parsing side is really ahead of it.
#include "seeded_blog.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <folio/blog.hpp>
#include <folio/blog_io.hpp>
#include <folio/io/json_records.hpp>
#include <folio/sql_log.hpp>

using folio_test::TempDir;
using folio_test::write_file;

namespace {

using folio_test::article_json;
using folio_test::author_json;

// `n` good articles by alice, then `tail` (a JSON array's remaining text).
std::string articles_then(std::size_t n, const std::string& tail, std::size_t content = 1) {
    std::string text = "[";
    for (std::size_t i = 0; i < n; ++i) text += article_json("alice", "T", content) + ",";
    return text + tail + "]";
}

using Seeded = folio_test::SeededBlog;

// Makes every statement that starts with `prefix` take `pause` more (the
// listener runs inside the statement's trace, on the writing thread), and
// counts them; checks they all run on the thread that built it.
class SlowWriter {
public:
    SlowWriter(folio::Database& db, std::string prefix, std::chrono::milliseconds pause)
        : db_(db), prefix_(std::move(prefix)), pause_(pause) {
        id_ = db_.log().add_listener([this](const folio::LoggedStatement& s) {
            if (std::this_thread::get_id() != owner_) ++foreign_thread_;
            if (!s.sql.starts_with(prefix_)) return;
            ++count_;
            std::this_thread::sleep_for(pause_);
        });
    }
    ~SlowWriter() { db_.log().remove_listener(id_); }
    SlowWriter(const SlowWriter&) = delete;
    SlowWriter& operator=(const SlowWriter&) = delete;
    std::size_t count() const { return count_; }
    std::size_t foreign_thread() const { return foreign_thread_; }

private:
    folio::Database& db_;
    std::string prefix_;
    std::chrono::milliseconds pause_;
    std::thread::id owner_ = std::this_thread::get_id();
    std::size_t id_ = 0;
    std::size_t count_ = 0;
    std::size_t foreign_thread_ = 0;
};

folio::ImportOptions batches_of(std::size_t n) {
    folio::ImportOptions o;
    o.batch_size = n;
    return o;
}

// An article of the given fields (`tags`: the JSON array's elements).
std::string article_of(const std::string& author, const std::string& title, const std::string& created_at,
                       const std::string& tags) {
    return R"({"created_at": ")" + created_at + R"(", "author": ")" + author + R"(", "tags": [)" + tags +
           R"(], "title": ")" + title + R"(", "content": "c"})";
}

// Records that each break one of Article's or Tag's rules (the bulk import
// checks them on the parsing thread), with the field and a piece of the
// message the error must give.
struct RuleCase {
    std::string record;
    std::string field;
    std::string reason;
};
std::vector<RuleCase> rule_cases() {
    const std::string good_tags = R"("lorem")";
    return {
        {article_of("alice", "", "2015-01-02", good_tags), "title", "cannot be blank"},
        {article_of("alice", std::string(65, 't'), "2015-01-02", good_tags), "title", "at most 64 characters"},
        {article_of("alice", "T", "2015-13-02", good_tags), "created_at", "not a valid date"},
        {article_of("alice", "T", "yesterday", good_tags), "created_at", "not a valid date"},
        {article_of("alice", "T", "2015-01-02", R"("lorem", "")"), "tags", "cannot be blank"},
        {article_of("alice", "T", "2015-01-02", "\"" + std::string(65, 'g') + "\""), "tags",
         "at most 64 characters"},
    };
}

} // namespace

BOOST_AUTO_TEST_SUITE(import_pipeline)

// Batch 0 (records 0-1) is being written, slowly; the parser meanwhile fills
// batch 1 with record 2 and finds record 3 of the wrong shape. Batch 1 is
// still written (an earlier bad record there would be the one to report),
// then the parser's error arrives, whole, and everything rolls back.
BOOST_AUTO_TEST_CASE(an_error_parsed_while_a_batch_is_written_rolls_everything_back) {
    Seeded s;
    const std::string bad =
        R"({"created_at": "2015-01-02", "author": "alice", "tags": [], "title": 7, "content": "c"})";
    std::string text = articles_then(3, bad);
    text.pop_back();  // "]": 200 good records follow the bad one
    for (int i = 0; i < 200; ++i) text += "," + article_json("alice");
    write_file(s.dir / "bad.json", text + "]");
    SlowWriter slow(s.blog.db(), "INSERT INTO \"article\"", std::chrono::milliseconds(300));
    const auto e = folio_test::catch_input_error(
        [&] { folio::import_articles(s.blog, s.dir / "bad.json", batches_of(2)); });
    BOOST_TEST(e.record() == 3u, e.what());
    BOOST_TEST(e.field() == "title");
    BOOST_TEST(std::string(e.what()).find("expected a string, got number 7") != std::string::npos, e.what());
    BOOST_TEST(std::string(e.what()).find("bad.json") != std::string::npos, e.what());
    BOOST_TEST(slow.count() == 2u);  // batches 0 and 1, nothing after the error
    BOOST_TEST(slow.foreign_thread() == 0u);
    BOOST_TEST(s.rows("article") == 0);
    BOOST_TEST(s.rows("tag") == 0);
    BOOST_TEST(s.rows("article_tags") == 0);
    BOOST_TEST(s.blog.authors().get("username", "alice").articles_count() == 0);
    // The connection is left as before: no transaction open, a good import works.
    write_file(s.dir / "good.json", articles_then(4, article_json("bob")));
    BOOST_TEST(folio::import_articles(s.blog, s.dir / "good.json", batches_of(2)).imported == 5u);
    BOOST_TEST(s.rows("article") == 5);
}

// The same with malformed JSON (the reader's own error, with its byte offset).
BOOST_AUTO_TEST_CASE(malformed_json_parsed_while_a_batch_is_written_rolls_everything_back) {
    Seeded s;
    std::string text = articles_then(5, article_json("bob"));
    text.pop_back();  // "]"
    write_file(s.dir / "bad.json", text + ", {\"title\": }]");
    SlowWriter slow(s.blog.db(), "INSERT INTO \"article\"", std::chrono::milliseconds(200));
    const auto e = folio_test::catch_input_error(
        [&] { folio::import_articles(s.blog, s.dir / "bad.json", batches_of(2)); });
    BOOST_TEST(std::string(e.what()).find("malformed JSON at byte") != std::string::npos, e.what());
    BOOST_TEST(e.record() == 6u, e.what());
    BOOST_TEST(slow.count() == 3u);  // the full batches before it: 0-1, 2-3, 4-5
    BOOST_TEST(s.rows("article") == 0);
}

// The writer finds a bad record (an unknown author, which only the database
// check sees) while the parser is ahead, with a good part of the file still
// to read: that record is the one reported, the parse stops, nothing stays.
BOOST_AUTO_TEST_CASE(a_bad_record_the_writer_finds_stops_the_parse) {
    Seeded s;
    std::string text = "[" + article_json("alice") + "," + article_json("nobody");
    for (int i = 0; i < 3000; ++i) text += "," + article_json("bob", "T", 500);
    // A later error of the parser's must not win over the earlier one.
    write_file(s.dir / "bad.json", text + ", 17]");
    for (const std::size_t batch : {1u, 2u, 7u, 2000u}) {
        BOOST_TEST_CONTEXT("batch " << batch) {
            SlowWriter slow(s.blog.db(), "SELECT", std::chrono::milliseconds(50));
            const auto e = folio_test::catch_input_error(
                [&] { folio::import_articles(s.blog, s.dir / "bad.json", batches_of(batch)); });
            BOOST_TEST(e.record() == 1u, e.what());
            BOOST_TEST(e.field() == "author");
            BOOST_TEST(std::string(e.what()).find("no author with username 'nobody'") != std::string::npos);
            BOOST_TEST(s.rows("article") == 0);
        }
    }
}

// Authors: the parser checks Author's rules and duplicates within the file;
// the writer checks the usernames already in the database. Across batch
// boundaries too, the first bad record in the file is the one reported.
BOOST_AUTO_TEST_CASE(authors_report_the_first_bad_record_whichever_side_finds_it) {
    Seeded s;
    for (const std::size_t batch : {1u, 2u, 3u, 100u}) {
        BOOST_TEST_CONTEXT("batch " << batch) {
            SlowWriter slow(s.blog.db(), "INSERT", std::chrono::milliseconds(20));
            // The database's duplicate (record 2) before the parser's bad e-mail (record 4).
            write_file(s.dir / "a.json", "[" + author_json("u0") + "," + author_json("u1") + "," + author_json("alice") + "," +
                                             author_json("u3") + "," + author_json("v", "not-an-email") + "]");
            auto e = folio_test::catch_input_error(
                [&] { folio::import_authors(s.blog, s.dir / "a.json", batches_of(batch)); });
            BOOST_TEST(e.record() == 2u, e.what());
            BOOST_TEST(e.field() == "username");
            // The parser's (a duplicate within the file, record 1) before the database's (record 3).
            write_file(s.dir / "b.json", "[" + author_json("u0") + "," + author_json("u0") + "," + author_json("u2") + "," +
                                             author_json("bob") + "]");
            e = folio_test::catch_input_error(
                [&] { folio::import_authors(s.blog, s.dir / "b.json", batches_of(batch)); });
            BOOST_TEST(e.record() == 1u, e.what());
            BOOST_TEST(std::string(e.what()).find("duplicate username 'u0' in the file") != std::string::npos);
            BOOST_TEST(s.rows("author") == 2);
        }
    }
}

// The parser remembers the usernames of the batch it fills only (memory
// stays flat however many authors the file holds); a username of an earlier
// batch is found by the database check, which still tells one imported
// from this file ("in the file") from one that was there before.
BOOST_AUTO_TEST_CASE(authors_duplicated_across_batches_are_told_apart_from_the_database_s) {
    for (const std::size_t batch : {1u, 2u, 3u}) {
        BOOST_TEST_CONTEXT("batch " << batch) {
            Seeded s;
            write_file(s.dir / "a.json", "[" + author_json("u0") + "," + author_json("u1") + "," + author_json("u0") + "," +
                                             author_json("alice") + "," + author_json("u1") + "," + author_json("u2") + "]");
            folio::ImportOptions o = batches_of(batch);
            o.skip_invalid = true;
            const folio::ImportReport r = folio::import_authors(s.blog, s.dir / "a.json", o);
            BOOST_TEST(r.imported == 3u);
            BOOST_REQUIRE(r.rejected.size() == 3u);
            BOOST_TEST(r.rejected[0].index == 2u);
            BOOST_TEST(r.rejected[0].error.find("duplicate username 'u0' in the file") != std::string::npos,
                       r.rejected[0].error);
            BOOST_TEST(r.rejected[1].index == 3u);
            BOOST_TEST(r.rejected[1].error.find("duplicate username 'alice': already in the database") !=
                           std::string::npos,
                       r.rejected[1].error);
            BOOST_TEST(r.rejected[2].index == 4u);
            BOOST_TEST(r.rejected[2].error.find("duplicate username 'u1' in the file") != std::string::npos,
                       r.rejected[2].error);
            BOOST_TEST(s.rows("author") == 5);
        }
    }
}

// Progress comes on the calling thread, in order, once per read chunk and at
// the end, with the records parsed so far; an exception it throws stops the
// import (parser included) and leaves nothing written.
BOOST_AUTO_TEST_CASE(progress_runs_on_the_calling_thread_and_may_stop_the_import) {
    Seeded s;
    const std::size_t n = 600;
    write_file(s.dir / "big.json", articles_then(n - 1, article_json("bob", "T", 5000), 5000));
    const auto size = std::filesystem::file_size(s.dir / "big.json");
    BOOST_REQUIRE_GT(size, 3 * folio::io::read_chunk_size);

    std::vector<folio::ImportProgress> seen;
    std::size_t foreign = 0;
    const auto caller = std::this_thread::get_id();
    folio::ImportOptions o = batches_of(50);
    o.progress = [&](const folio::ImportProgress& p) {
        if (std::this_thread::get_id() != caller) ++foreign;
        seen.push_back(p);
    };
    BOOST_TEST(folio::import_articles(s.blog, s.dir / "big.json", o).imported == n);
    BOOST_TEST(foreign == 0u);
    BOOST_REQUIRE(!seen.empty());
    BOOST_TEST(seen.size() >= size / folio::io::read_chunk_size);
    for (std::size_t i = 1; i < seen.size(); ++i) {
        BOOST_TEST(seen[i].bytes_read >= seen[i - 1].bytes_read);
        BOOST_TEST(seen[i].records >= seen[i - 1].records);
    }
    BOOST_TEST(seen.back().bytes_read == size);
    BOOST_TEST(seen.back().total_bytes == size);
    BOOST_TEST(seen.back().records == n);

    struct Stop {};
    const auto before = s.rows("article");
    std::size_t calls = 0;
    o.progress = [&](const folio::ImportProgress&) {
        if (++calls == 3) throw Stop{};
    };
    BOOST_CHECK_THROW(folio::import_articles(s.blog, s.dir / "big.json", o), Stop);
    BOOST_TEST(calls == 3u);
    BOOST_TEST(s.rows("article") == before);
}


// Article's and Tag's rules are checked on the parsing thread; what the
// caller sees must not depend on it. For each rule: the record is reported
// with its field and reason; an unknown author (a database check, on the
// writing thread) in an earlier batch, or in the same record, is reported
// instead, as the one-record-at-a-time import reports it; nothing is written.
BOOST_AUTO_TEST_CASE(model_rules_checked_while_parsing_report_as_the_naive_import) {
    Seeded s;
    for (const RuleCase& c : rule_cases()) {
        BOOST_TEST_CONTEXT(c.record) {
            for (const bool naive : {false, true}) {
                BOOST_TEST_CONTEXT((naive ? "naive" : "bulk")) {
                    folio::ImportOptions o = batches_of(2);
                    o.naive = naive;
                    const auto import = [&](const std::string& text) {
                        write_file(s.dir / "bad.json", text);
                        return folio_test::catch_input_error(
                            [&] { folio::import_articles(s.blog, s.dir / "bad.json", o); });
                    };
                    SlowWriter slow(s.blog.db(), "INSERT INTO \"article\"", std::chrono::milliseconds(naive ? 0 : 20));
                    // Alone, after two full batches.
                    auto e = import(articles_then(4, c.record));
                    BOOST_TEST(e.record() == 4u, e.what());
                    BOOST_TEST(e.field() == c.field, e.what());
                    BOOST_TEST(std::string(e.what()).find(c.reason) != std::string::npos, e.what());
                    BOOST_TEST(std::string(e.what()).find("bad.json") != std::string::npos, e.what());
                    // An unknown author two batches before it wins.
                    e = import("[" + article_json("alice") + "," + article_json("nobody") + "," +
                               article_json("bob") + "," + article_json("bob") + "," + c.record + "]");
                    BOOST_TEST(e.record() == 1u, e.what());
                    BOOST_TEST(e.field() == "author", e.what());
                    // The same record with an unknown author: the author is reported.
                    std::string unknown = c.record;
                    unknown.replace(unknown.find("\"alice\""), 7, "\"nobody\"");
                    e = import(articles_then(3, unknown));
                    BOOST_TEST(e.record() == 3u, e.what());
                    BOOST_TEST(e.field() == "author", e.what());
                    BOOST_TEST(s.rows("article") == 0);
                    BOOST_TEST(s.rows("tag") == 0);
                    BOOST_TEST(s.rows("article_tags") == 0);
                }
            }
        }
    }
}

// With skip_invalid, every record a rule rejects is listed, in file order
// among the database's rejections, and every other record is imported whole
// (its texts, author, tags and the authors' counts) across many small
// batches whose slots are reused.
BOOST_AUTO_TEST_CASE(skip_invalid_lists_rule_and_database_rejections_in_order) {
    Seeded s;
    for (const bool naive : {false, true}) {
        BOOST_TEST_CONTEXT((naive ? "naive" : "bulk")) {
            const std::string tag = naive ? "naive" : "bulk";
            std::string text = "[";
            std::vector<std::string> fields;  // of the rejected records, in file order
            std::size_t good = 0;
            // Article n: by alice (n even) or bob, title tag + n, tags {tag, "t" + n % 3}.
            const auto good_one = [&](const std::string& created_at, const std::string& tags) {
                const std::size_t n = good++;
                return article_of(n % 2 ? "bob" : "alice", tag + std::to_string(n), created_at, tags);
            };
            for (const RuleCase& c : rule_cases()) {
                for (int i = 0; i < 2; ++i)
                    text += good_one("2015-01-02", "\"" + tag + "\", \"t" + std::to_string(good % 3) + "\"") + ",";
                text += c.record + "," + article_json("nobody") + ",";
                fields.push_back(c.field);
                fields.push_back("author");
            }
            text += good_one("2016-02-29", "\"" + tag + "\"") + "]";
            write_file(s.dir / "mixed.json", text);
            folio::ImportOptions o = batches_of(3);
            o.naive = naive;
            o.skip_invalid = true;
            const auto before = s.rows("article");
            const folio::ImportReport r = folio::import_articles(s.blog, s.dir / "mixed.json", o);
            BOOST_TEST(r.imported == good);
            BOOST_REQUIRE(r.rejected.size() == fields.size());
            for (std::size_t i = 0; i < fields.size(); ++i) {
                BOOST_TEST(r.rejected[i].index == 4 * (i / 2) + 2 + i % 2);
                BOOST_TEST(r.rejected[i].error.find("field \"" + fields[i] + "\"") != std::string::npos,
                           r.rejected[i].error);
            }
            BOOST_TEST(s.rows("article") == before + static_cast<std::int64_t>(good));
            for (std::size_t i = 0; i < good; ++i) {
                const std::string title = tag + std::to_string(i);
                BOOST_TEST_CONTEXT(title) {
                    const folio::Article a = s.blog.articles().get("title", title);
                    BOOST_TEST(a.author().username() == (i % 2 ? "bob" : "alice"));
                    BOOST_TEST(a.content() == "c");
                    BOOST_TEST(a.created_at() == (i + 1 == good ? "2016-02-29" : "2015-01-02"));
                    std::vector<std::string> names;
                    for (const folio::Value& v : a.tags().order_by({"name"}).values_list_flat("name"))
                        names.push_back(v.as_text());
                    const std::vector<std::string> expected =
                        i + 1 == good ? std::vector<std::string>{tag}
                                      : std::vector<std::string>{tag, "t" + std::to_string(i % 3)};
                    BOOST_TEST(names == expected, boost::test_tools::per_element());
                }
            }
            for (const char* name : {"alice", "bob"}) {
                const folio::Author a = s.blog.authors().get("username", name);
                BOOST_TEST(a.articles_count() == a.articles().count());
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
