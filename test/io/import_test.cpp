// The library's JSON imports on bad records: without skip_invalid the error
// names the FIRST bad record whatever its kind (a record the reader cannot
// deliver, or one the model or the database rejects later, at the batch's
// flush) and nothing is written; with skip_invalid every kind is skipped and
// listed with its reason, and the rest imported. Both readers, a real file,
// on every backend (the import's PRAGMA tuning is SQLite's).
#include "seeded_blog.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <folio/blog.hpp>
#include <folio/blog_io.hpp>
#include <folio/sql_log.hpp>
#include <folio/statement_cache.hpp>
#include <folio/transaction.hpp>

#include "support/backend.hpp"
#include "support/backend_only.hpp"

using folio_test::on_postgresql;
using folio_test::TempDir;
using folio_test::write_file;

namespace {

using folio_test::article_json;
using folio_test::author_json;

// A blog on this run's backend holding the authors alice and bob.
struct Seeded : folio_test::SeededBlog {
    folio::io::InputError import_error(bool articles, const std::string& content, std::size_t batch) {
        write_file(dir / "bad.json", content);
        return folio_test::catch_input_error([&] {
            folio::ImportOptions o;
            o.batch_size = batch;
            if (articles) folio::import_articles(blog, dir / "bad.json", o);
            else folio::import_authors(blog, dir / "bad.json", o);
        });
    }
};

const std::vector<std::string> malformed_authors = {
    R"({"username": 5, "email": "", "bio": ""})", "null", R"({"username": "m", "email": ""})", "17", "[1]",
    R"({"username": null, "email": "", "bio": ""})"};
const std::vector<std::string> malformed_articles = {
    R"({"created_at": 5, "author": "alice", "tags": [], "title": "t", "content": "c"})", "null",
    R"({"created_at": "2015-01-02", "author": "alice", "tags": [], "title": "t"})", "\"x\"", "[]",
    R"({"created_at": "2015-01-02", "author": "alice", "tags": [null], "title": "t", "content": "c"})"};

} // namespace

BOOST_AUTO_TEST_SUITE(import_bad_records)

// A record the database rejects at the flush (a username already there, an
// author that does not exist) comes BEFORE a record of the wrong shape: the
// error must name the earlier one, for each kind of shape error.
BOOST_AUTO_TEST_CASE(first_bad_record_is_reported_authors) {
    Seeded s;
    for (const auto& bad : malformed_authors) {
        const std::string text = "[" + author_json("u1") + "," + author_json("alice") + "," + author_json("u2") + "," + bad + "]";
        BOOST_TEST_CONTEXT(bad) {
            const auto e = s.import_error(false, text, 100);
            BOOST_TEST(e.record() == 1u, e.what());
            BOOST_TEST(e.field() == "username");
            BOOST_TEST(s.rows("author") == 2);
            // And the shape error, when it comes first, is the one reported.
            const auto e2 = s.import_error(false, "[" + author_json("u1") + "," + bad + "," + author_json("alice") + "]", 100);
            BOOST_TEST(e2.record() == 1u, e2.what());
            BOOST_TEST(s.rows("author") == 2);
        }
    }
    // A model error found at read time after a database error still in the batch.
    const auto e = s.import_error(false, "[" + author_json("bob") + "," + author_json("v", "not-an-email") + "]", 100);
    BOOST_TEST(e.record() == 0u, e.what());
    BOOST_TEST(s.rows("author") == 2);
}

BOOST_AUTO_TEST_CASE(first_bad_record_is_reported_articles) {
    Seeded s;
    for (const auto& bad : malformed_articles) {
        BOOST_TEST_CONTEXT(bad) {
            const auto e = s.import_error(true, "[" + article_json("alice") + "," + article_json("nobody") + "," + bad + "]", 100);
            BOOST_TEST(e.record() == 1u, e.what());
            BOOST_TEST(e.field() == "author");
            const auto e2 = s.import_error(true, "[" + bad + "," + article_json("nobody") + "]", 100);
            BOOST_TEST(e2.record() == 0u, e2.what());
            BOOST_TEST(s.rows("article") == 0);
            BOOST_TEST(s.rows("tag") == 0);
        }
    }
}

BOOST_AUTO_TEST_CASE(skip_invalid_skips_and_lists_every_kind) {
    Seeded s;
    for (bool naive : {false, true}) {
        BOOST_TEST_CONTEXT((naive ? "naive" : "bulk")) {
            std::string text = "[";
            for (const auto& bad : malformed_authors) text += bad + "," + author_json("n" + std::to_string(text.size()) + (naive ? "x" : "")) + ",";
            text += author_json("alice") + "]";
            write_file(s.dir / "mixed.json", text);
            const auto before = s.rows("author");
            folio::ImportOptions o{.naive = naive, .skip_invalid = true, .batch_size = 2, .progress = {}};
            const folio::ImportReport r = folio::import_authors(s.blog, s.dir / "mixed.json", o);
            BOOST_TEST(r.imported == malformed_authors.size());
            BOOST_REQUIRE(r.rejected.size() == malformed_authors.size() + 1);
            for (std::size_t i = 0; i < malformed_authors.size(); ++i) BOOST_TEST(r.rejected[i].index == 2 * i);
            BOOST_TEST(r.rejected[0].error.find("expected a string, got number 5") != std::string::npos);
            BOOST_TEST(r.rejected[1].error.find("expected an object, got null") != std::string::npos);
            BOOST_TEST(r.rejected[2].error.find("missing field \"bio\"") != std::string::npos);
            BOOST_TEST(r.rejected[3].error.find("expected an object, got number 17") != std::string::npos);
            BOOST_TEST(r.rejected[4].error.find("expected an object, got array") != std::string::npos);
            BOOST_TEST(r.rejected[5].error.find("expected a string, got null") != std::string::npos);
            BOOST_TEST(r.rejected.back().error.find("already in the database") != std::string::npos);
            BOOST_TEST(s.rows("author") == before + static_cast<std::int64_t>(malformed_authors.size()));
        }
    }
    for (bool naive : {false, true}) {
        BOOST_TEST_CONTEXT((naive ? "naive" : "bulk")) {
            std::string text = "[";
            for (const auto& bad : malformed_articles) text += bad + "," + article_json("bob") + ",";
            text += article_json("nobody") + "]";
            write_file(s.dir / "arts.json", text);
            const auto before = s.rows("article");
            folio::ImportOptions o{.naive = naive, .skip_invalid = true, .batch_size = 3, .progress = {}};
            const folio::ImportReport r = folio::import_articles(s.blog, s.dir / "arts.json", o);
            BOOST_TEST(r.imported == malformed_articles.size());
            BOOST_REQUIRE(r.rejected.size() == malformed_articles.size() + 1);
            for (std::size_t i = 0; i < malformed_articles.size(); ++i) BOOST_TEST(r.rejected[i].index == 2 * i);
            BOOST_TEST(r.rejected[0].error.find("field \"created_at\": expected a string, got number 5") != std::string::npos);
            BOOST_TEST(r.rejected[2].error.find("missing field \"content\"") != std::string::npos);
            BOOST_TEST(r.rejected[3].error.find("expected an object, got string") != std::string::npos);
            BOOST_TEST(r.rejected[5].error.find("element 0: expected a string, got null") != std::string::npos);
            BOOST_TEST(r.rejected.back().error.find("no author with username 'nobody'") != std::string::npos);
            BOOST_TEST(s.rows("article") == before + static_cast<std::int64_t>(malformed_articles.size()));
            BOOST_TEST(s.blog.authors().get("username", "bob").articles_count() == s.rows("article"));
        }
    }
}

// A file of mostly bad records: the report counts every one but lists only
// the first max_listed_rejects in file order, though the reader finds some
// (null) while it parses and the database others (a username already there,
// an author that does not exist) when their batch is flushed, later and out
// of order. Memory stays bounded by the cap, not by the file.
BOOST_AUTO_TEST_CASE(skip_invalid_lists_the_first_rejects_and_counts_them_all) {
    Seeded s;
    constexpr std::size_t records = 900;
    std::vector<std::size_t> bad;  // every rejected index, in file order
    std::string authors = "[", articles = "[";
    for (std::size_t i = 0; i < records; ++i) {
        const char* sep = i ? "," : "";
        if (i % 3 == 2) {
            authors += sep + author_json("cap" + std::to_string(i));
            articles += sep + article_json("bob");
            continue;
        }
        bad.push_back(i);
        authors += sep + (i % 3 == 0 ? std::string("null") : author_json("alice"));
        articles += sep + (i % 3 == 0 ? std::string("null") : article_json("nobody"));
    }
    write_file(s.dir / "authors.json", authors + "]");
    write_file(s.dir / "articles.json", articles + "]");
    for (bool naive : {false, true}) {
        for (std::size_t cap : {std::size_t{0}, std::size_t{1}, std::size_t{50}, SIZE_MAX}) {
            BOOST_TEST_CONTEXT((naive ? "naive" : "bulk") << ", cap " << cap) {
                folio::ImportOptions o{.naive = naive, .skip_invalid = true, .max_listed_rejects = cap,
                                       .batch_size = 7, .progress = {}};
                for (bool art : {false, true}) {
                    folio::Transaction tx(s.blog.db());  // rolled back: each run starts from the same rows
                    const folio::ImportReport r = art ? folio::import_articles(s.blog, s.dir / "articles.json", o)
                                                      : folio::import_authors(s.blog, s.dir / "authors.json", o);
                    BOOST_TEST(r.imported == records / 3);
                    BOOST_TEST(r.rejected_count == bad.size());
                    BOOST_REQUIRE_EQUAL(r.rejected.size(), std::min(cap, bad.size()));
                    for (std::size_t k = 0; k < r.rejected.size(); ++k) BOOST_TEST(r.rejected[k].index == bad[k]);
                    if (!r.rejected.empty())
                        BOOST_TEST(r.rejected[0].error.find("record 0") != std::string::npos, r.rejected[0].error);
                    if (r.rejected.size() > 1)
                        BOOST_TEST(r.rejected[1].error.find(art ? "nobody" : "alice") != std::string::npos,
                                   r.rejected[1].error);
                }
            }
        }
    }
}

// U+0000 is valid JSON ("\u0000") and valid UTF-8, but no text folio
// stores may hold it (Django's ProhibitNullCharactersValidator; PostgreSQL's
// text cannot): a username, an article's author or a tag with one is its
// record's error, on either path, also where the batch's values travel as
// one array (more than 256 distinct tags: SQLite's json_each would cut the
// name at the NUL and look up its prefix). Nothing else of the file is lost
// with skip_invalid, and without it nothing is written.
BOOST_AUTO_TEST_CASE(u0000_in_a_name_is_its_records_error) {
    Seeded s;
    const std::string nul = "\\u0000";
    std::string many_tags;  // 299 distinct tags, one of them "a<NUL>b"
    for (int t = 0; t < 298; ++t) many_tags += "\"t" + std::to_string(t) + "\",";
    many_tags += "\"a" + nul + "b\"";
    const std::string tag_record = R"({"created_at": "2015-01-02", "author": "alice", "tags": [)" + many_tags +
                                   R"(], "title": "T", "content": "c"})";
    const std::string author_record =
        R"({"created_at": "2015-01-02", "author": "al)" + nul + R"(ice", "tags": [], "title": "T", "content": "c"})";
    for (bool naive : {false, true}) {
        BOOST_TEST_CONTEXT((naive ? "naive" : "bulk")) {
            const std::string authors = "[" + author_json("ok" + std::string(naive ? "n" : "b")) + "," +
                                        R"({"username": "x)" + nul + R"(y", "email": "", "bio": ""})" + "]";
            write_file(s.dir / "au.json", authors);
            const std::string articles = "[" + article_json("bob") + "," + author_record + "," + tag_record + "]";
            write_file(s.dir / "ar.json", articles);
            const auto authors_before = s.rows("author"), articles_before = s.rows("article"),
                       tags_before = s.rows("tag");
            // Without skip_invalid: the first bad record, nothing written.
            folio::ImportOptions o{.naive = naive, .skip_invalid = false, .batch_size = 100, .progress = {}};
            auto e = folio_test::catch_input_error([&] { folio::import_authors(s.blog, s.dir / "au.json", o); });
            BOOST_TEST(e.record() == 1u);
            BOOST_TEST(e.field() == "username");
            BOOST_TEST(std::string(e.what()).find("U+0000") != std::string::npos, e.what());
            e = folio_test::catch_input_error([&] { folio::import_articles(s.blog, s.dir / "ar.json", o); });
            BOOST_TEST(e.record() == 1u);
            BOOST_TEST(e.field() == "author");
            BOOST_TEST(std::string(e.what()).find("U+0000") != std::string::npos, e.what());
            BOOST_TEST(s.rows("author") == authors_before);
            BOOST_TEST(s.rows("article") == articles_before);
            BOOST_TEST(s.rows("tag") == tags_before);
            // With skip_invalid: each bad record listed, the rest imported.
            o.skip_invalid = true;
            folio::ImportReport r = folio::import_authors(s.blog, s.dir / "au.json", o);
            BOOST_TEST(r.imported == 1u);
            BOOST_REQUIRE(r.rejected.size() == 1u);
            BOOST_TEST(r.rejected[0].index == 1u);
            BOOST_TEST(r.rejected[0].error.find("field \"username\"") != std::string::npos, r.rejected[0].error);
            BOOST_TEST(s.rows("author") == authors_before + 1);
            r = folio::import_articles(s.blog, s.dir / "ar.json", o);
            BOOST_TEST(r.imported == 1u);
            BOOST_REQUIRE(r.rejected.size() == 2u);
            BOOST_TEST(r.rejected[0].index == 1u);
            BOOST_TEST(r.rejected[0].error.find("field \"author\"") != std::string::npos, r.rejected[0].error);
            BOOST_TEST(r.rejected[1].index == 2u);
            BOOST_TEST(r.rejected[1].error.find("field \"tags\"") != std::string::npos, r.rejected[1].error);
            BOOST_TEST(r.rejected[1].error.find("U+0000") != std::string::npos, r.rejected[1].error);
            BOOST_TEST(s.rows("article") == articles_before + 1);
            // Not one of the 299 (the naive path's savepoint undoes its own),
            // and not the prefix "a" json_each would have cut the name to.
            BOOST_TEST(s.blog.tags().filter("name__in", std::vector<folio::Value>{"t0", "t297", "a"}).count() == 0);
            BOOST_TEST(s.blog.authors().get("username", "bob").articles_count() ==
                       s.blog.articles().filter("author__username", "bob").count());
        }
    }
}

// The bulk import's cost is a constant number of statements per batch,
// whatever the records are: 2 per batch for authors, 5 for articles, plus
// on SQLite the 6 PRAGMAs that size the page cache and keep temporary storage
// in memory for the import, and restore both (PostgreSQL has none to tune),
// and on PostgreSQL the authors import's LOCK TABLE (SQLite's BEGIN IMMEDIATE
// already excludes other writers).
BOOST_AUTO_TEST_CASE(statements_per_batch) {
    Seeded s;
    std::string authors = "[", articles = "[";
    for (int i = 0; i < 10; ++i) {
        authors += (i ? "," : "") + author_json("w" + std::to_string(i));
        articles += (i ? "," : "") + article_json(i % 2 ? "alice" : "bob");
    }
    write_file(s.dir / "a.json", authors + "]");
    write_file(s.dir / "b.json", articles + "]");
    folio::ImportOptions o;
    o.batch_size = 4;
    const std::size_t tuning = on_postgresql() ? 0u : 6u;
    {
        folio::QueryCapture q(s.blog.db());
        BOOST_TEST(folio::import_authors(s.blog, s.dir / "a.json", o).batches == 3u);
        const std::size_t lock = on_postgresql() ? 1u : 0u;
        BOOST_TEST(q.count() == 2u * 3u + tuning + lock);
    }
    {
        folio::QueryCapture q(s.blog.db());
        BOOST_TEST(folio::import_articles(s.blog, s.dir / "b.json", o).batches == 3u);
        BOOST_TEST(q.count() == 5u * 3u + tuning);
    }
    BOOST_TEST(s.blog.authors().get("username", "alice").articles_count() == 5);
    if (!on_postgresql()) {
        BOOST_TEST(s.blog.db().scalar("PRAGMA cache_size").as_integer() == -2000);  // restored
        BOOST_TEST(s.blog.db().scalar("PRAGMA temp_store").as_integer() == 0);
    }
}

// A batch ends at 20,000 tags as it does at 2 MB of text: records with many
// distinct tags (here 300 each) no longer pile them all into one batch,
// whose name -> id map, arrays and links grew with them (1,000 articles of
// 100 tags peaked at 170 MB). Still 5 statements a batch, however many tags
// (they travel as arrays), and every tag and link is there.
BOOST_AUTO_TEST_CASE(a_batch_ends_at_twenty_thousand_tags) {
    Seeded s;
    std::string articles = "[";
    for (int a = 0; a < 100; ++a) {
        std::string tags;
        for (int t = 0; t < 300; ++t) tags += (t ? ",\"" : "\"") + std::to_string(a) + "-" + std::to_string(t) + "\"";
        articles += (a ? "," : "") + std::string(R"({"created_at": "2015-01-02", "author": "alice", "tags": [)") + tags +
                    R"(], "title": "T", "content": "c"})";
    }
    write_file(s.dir / "tags.json", articles + "]");
    const std::size_t tuning = on_postgresql() ? 0u : 6u;
    folio::QueryCapture q(s.blog.db());
    const folio::ImportReport r = folio::import_articles(s.blog, s.dir / "tags.json");
    BOOST_TEST(r.imported == 100u);
    // 67 articles make 20,100 tags: the first batch ends there, the other 33 make the second.
    BOOST_TEST(r.batches == 2u);
    BOOST_TEST(q.count() == 5u * 2u + tuning);
    BOOST_TEST(s.rows("tag") == 30000);
    BOOST_TEST(s.rows("article_tags") == 30000);
    BOOST_TEST(s.blog.authors().get("username", "alice").articles_count() == 100);
    const std::int64_t first = s.blog.articles().order_by({"id"}).first()->id();
    BOOST_TEST(s.blog.articles().get("id", first).tags().filter("name", "0-299").count() == 1);
}

// The import's settings are tuning only: a connection whose own settings
// are already those of a bulk load keeps them (and runs fewer PRAGMAs), and
// one with a temporary database (where changing temp_store would drop its
// TEMP tables, and SQLite refuses it inside a transaction) keeps its setting
// and its tables, in a transaction or not; in every case the articles and
// their counts are right.
BOOST_AUTO_TEST_CASE(tuning_kept_or_refused_leaves_the_import_right,
                     *folio_test::sqlite_only("SQLite's PRAGMA cache_size and temp_store, and its TEMP tables")) {
    Seeded s;
    std::string articles = "[";
    for (int i = 0; i < 6; ++i) articles += (i ? "," : "") + article_json(i % 2 ? "alice" : "bob");
    write_file(s.dir / "b.json", articles + "]");
    folio::ImportOptions o;
    o.batch_size = 4;
    auto& db = s.blog.db();

    db.execute("PRAGMA cache_size = -65536");
    db.execute("PRAGMA temp_store = MEMORY");
    {
        folio::QueryCapture q(db);
        BOOST_TEST(folio::import_articles(s.blog, s.dir / "b.json", o).imported == 6u);
        BOOST_TEST(q.count() == 5u * 2u + 2u);  // only the two reads
    }
    BOOST_TEST(db.scalar("PRAGMA cache_size").as_integer() == -65536);
    BOOST_TEST(db.scalar("PRAGMA temp_store").as_integer() == 2);

    db.execute("PRAGMA temp_store = FILE");
    db.execute("CREATE TEMP TABLE scratch(x)");
    db.execute("INSERT INTO scratch VALUES (1)");
    {
        folio::QueryCapture q(db);
        BOOST_TEST(folio::import_articles(s.blog, s.dir / "b.json", o).imported == 6u);
        BOOST_TEST(q.count() == 5u * 2u + 1u);  // the cache size read (big enough), no temp_store
    }
    {
        folio::Transaction tx(db);
        db.execute("INSERT INTO scratch VALUES (2)");
        BOOST_TEST(folio::import_articles(s.blog, s.dir / "b.json", o).imported == 6u);
        tx.commit();
    }
    BOOST_TEST(db.scalar("PRAGMA temp_store").as_integer() == 1);
    BOOST_TEST(s.rows("temp.scratch") == 2);
    BOOST_TEST(s.rows("article") == 18);
    BOOST_TEST(s.blog.authors().get("username", "alice").articles_count() == 9);
}

// Batches of different sizes prepare statements of different shapes (IN
// lists, multi-row INSERTs); an import must not keep every one of them in
// the statement cache, or memory grows with the number of batches. Many
// batches of varying shapes (authors, tags and links per batch): the cache
// holds no more than a few idle handles afterwards, and has its capacity back.
BOOST_AUTO_TEST_CASE(statement_cache_stays_small_over_many_batch_shapes) {
    Seeded s;
    auto& cache = s.blog.db().statement_cache();
    const std::size_t capacity = cache.capacity();
    std::string authors = "[", articles = "[";
    for (int i = 0; i < 120; ++i) {
        authors += (i ? "," : "") + author_json("v" + std::to_string(i));
        std::string tags;
        for (int t = 0; t <= i % 7; ++t) tags += (t ? ", \"" : "\"") + std::string("t") + std::to_string((i * 7 + t) % 50) + "\"";
        articles += (i ? "," : "") + std::string(R"({"created_at": "2015-01-02", "author": "v)") + std::to_string(i % (1 + i % 9)) +
                    R"(", "tags": [)" + tags + R"(], "title": "T", "content": "c"})";
    }
    write_file(s.dir / "a.json", authors + "]");
    write_file(s.dir / "b.json", articles + "]");
    BOOST_TEST(folio::import_authors(s.blog, s.dir / "a.json").imported == 120u);
    cache.clear();
    const auto misses = cache.stats().misses;
    folio::ImportOptions o;
    o.batch_size = 5;
    BOOST_TEST(folio::import_articles(s.blog, s.dir / "b.json", o).imported == 120u);
    BOOST_TEST(cache.stats().misses - misses > 40u);  // many shapes were prepared...
    BOOST_TEST(cache.stats().idle <= 16u + 4u);       // ...and few kept (16, then the PRAGMAs that restore settings)
    BOOST_TEST(cache.capacity() == capacity);
    BOOST_TEST(s.blog.authors().get("username", "v1").articles_count() > 0);
}

BOOST_AUTO_TEST_SUITE_END()
