// The CSV export read back (every article once, fields intact, quotes,
// newlines and delimiters inside content surviving), and the crash test:
// an import killed with SIGKILL midway leaves the database as it was.
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include <folio/io/csv_writer.hpp>

#include "cli_support.hpp"
#include "support/backend.hpp"
#include "support/backend_only.hpp"

using namespace cli_test;

namespace {

struct Expected {
    std::string title, content, created_at, author;
};

// Articles whose text is hostile to CSV: delimiters, quotes, CR/LF, UTF-8.
std::vector<Expected> tricky_articles() {
    std::vector<Expected> out;
    const std::vector<std::string> contents = {
        "plain",
        "semi;colon; and, comma",
        "quote \" inside \"\" doubled",
        "line\nbreak\r\nand CRLF",
        "\"starts with a quote",
        "",
        "ends with delimiter;",
        "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x93\x9d",
        "tab\there",
    };
    for (std::size_t i = 0; i < 60; ++i) {
        const std::string& c = contents[i % contents.size()];
        out.push_back({"Title " + std::to_string(i) + (i % 3 ? "; \"q\"" : ""), c + " #" + std::to_string(i),
                       "20" + std::string(i % 2 ? "10" : "15") + "-0" + std::to_string(1 + i % 9) + "-1" +
                           std::to_string(i % 10),
                       i % 2 ? "alice" : "bob"});
    }
    return out;
}

// Starts `folio --db db import-articles file` and kills it with SIGKILL as
// soon as `midway()` holds (within 120 s), requiring that it had not ended.
template <class Midway>
void kill_import_when(const std::string& db, const std::string& file, const TempDir& dir, Midway midway,
                      bool exclusive = false) {
    std::vector<std::string> args{"--db", db, "import-articles", file};
    if (exclusive) args.push_back("--exclusive");
    pid_t pid = spawn(args, dir / "k.out", dir / "k.err");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    bool exited = false;
    while (!midway() && std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            exited = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    BOOST_REQUIRE_MESSAGE(!exited, "the import ended before it could be killed: " + read_file(dir / "k.err"));
    ::kill(pid, SIGKILL);
    BOOST_TEST(wait_code(pid) == 128 + SIGKILL);
}

} // namespace

BOOST_AUTO_TEST_CASE(csv_round_trip) {
    TempDir dir;
    const std::string db = dir / "csv.sqlite3";
    write_file(dir / "a.json", R"([{"username": "alice", "email": "", "bio": "x"},
                                   {"username": "bob", "email": "b@example.org", "bio": "y"}])");
    nlohmann::json arts = nlohmann::json::array();
    const auto expected = tricky_articles();
    for (const auto& e : expected)
        arts.push_back({{"created_at", e.created_at}, {"author", e.author}, {"tags", {"minus", "lorem"}},
                        {"title", e.title}, {"content", e.content}});
    write_file(dir / "b.json", arts.dump());
    BOOST_REQUIRE(run({"--db", db, "import-authors", dir / "a.json"}).code == 0);
    Result imp = run({"--db", db, "import-articles", dir / "b.json"});
    BOOST_REQUIRE_MESSAGE(imp.code == 0, imp.err);
    BOOST_REQUIRE(run({"--db", db, "disallow-comments", "--before", "2012"}).code == 0);

    Result e = run({"--db", db, "--stats-json", dir / "s.json", "export-articles", dir / "out.csv"});
    BOOST_REQUIRE_MESSAGE(e.code == 0, e.err);
    BOOST_TEST(nlohmann::json::parse(read_file(dir / "s.json"))["queries"].get<int>() == 1);
    std::istringstream in(read_file(dir / "out.csv"));
    auto rows = folio::io::read_csv_rows(in, ';', "out.csv");
    BOOST_REQUIRE_EQUAL(rows.size(), expected.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        BOOST_TEST_CONTEXT("row " << i) {
            BOOST_REQUIRE_EQUAL(rows[i].size(), 5u);
            BOOST_TEST(rows[i][0] == expected[i].title);
            BOOST_TEST(rows[i][1] == expected[i].content);
            BOOST_TEST(rows[i][2] == expected[i].created_at);
            BOOST_TEST(rows[i][3] == expected[i].author);
            BOOST_TEST(rows[i][4] == (expected[i].created_at < "2012" ? "False" : "True"));
        }
    }

    // Another delimiter, a header, and stdout.
    Result s = run({"--db", db, "export-articles", "-", "--delimiter", ",", "--header"});
    BOOST_REQUIRE(s.code == 0);
    std::istringstream in2(s.out);
    auto rows2 = folio::io::read_csv_rows(in2, ',', "stdout");
    BOOST_REQUIRE_EQUAL(rows2.size(), expected.size() + 1);
    BOOST_TEST(rows2[0][0] == "title");
    for (std::size_t i = 0; i < expected.size(); ++i) BOOST_TEST(rows2[i + 1][1] == expected[i].content);
    BOOST_TEST(s.err.find("Exported 60 articles") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(large_export_every_article_once) {
    TempDir dir;
    const std::string db = dir / "big.sqlite3";
    BOOST_REQUIRE(run({"gen-data", "--authors", "100", "--articles", "3000", "--content-bytes", "500", "--out",
                       dir / "d"}).code == 0);
    BOOST_REQUIRE(run({"--db", db, "import-authors", dir / "d/old_authors.json"}).code == 0);
    BOOST_REQUIRE(run({"--db", db, "import-articles", dir / "d/old_articles.json"}).code == 0);
    BOOST_REQUIRE(run({"--db", db, "export-articles", dir / "big.csv"}).code == 0);
    std::istringstream in(read_file(dir / "big.csv"));
    auto rows = folio::io::read_csv_rows(in, ';', "big.csv");
    BOOST_TEST(rows.size() == 3000u);
    std::multiset<std::string> keys;
    for (const auto& r : rows) keys.insert(r[0] + "\x1f" + r[2] + "\x1f" + r[1].substr(0, 40));
    BOOST_TEST(std::set<std::string>(keys.begin(), keys.end()).size() == keys.size());
}

namespace {

// The size of `p`, 0 when it does not exist.
std::uintmax_t size_or_zero(const fs::path& p) {
    std::error_code ec;
    const auto s = fs::file_size(p, ec);
    return ec ? std::uintmax_t{0} : s;
}

// `dir`/kill.sqlite3 holding the 200 authors of `dir`/d, whose 20,000
// articles (about 40 MB) the SIGKILL cases import.
std::string authors_only_for_kill(const TempDir& dir) {
    const std::string db = dir / "kill.sqlite3";
    BOOST_REQUIRE(run({"gen-data", "--authors", "200", "--articles", "20000", "--content-bytes", "2000", "--out",
                       dir / "d"}).code == 0);
    BOOST_REQUIRE(run({"--db", db, "import-authors", dir / "d/old_authors.json"}).code == 0);
    return db;
}

} // namespace

BOOST_AUTO_TEST_CASE(sigkill_midway_leaves_the_database_unchanged) {
    TempDir dir;
    const std::string db = authors_only_for_kill(dir);
    const std::string before = checksum(db);

    const fs::path wal = db + "-wal";
    const auto size_of = [&] { return size_or_zero(wal); };
    const std::uintmax_t wal_start = size_of();
    // Midway: once the import has written a few MB of its transaction to the WAL.
    kill_import_when(db, dir / "d/old_articles.json", dir, [&] { return size_of() >= wal_start + 4 * 1024 * 1024; });
    BOOST_TEST_MESSAGE("killed with a WAL of " << size_of() << " bytes");

    // Reopening recovers from the WAL: the uncommitted import is gone.
    BOOST_TEST(checksum(db) == before);
    BOOST_TEST(count_of(db, "SELECT count(*) FROM article") == 0);
    Result again = run({"--db", db, "import-articles", dir / "d/old_articles.json"});
    BOOST_TEST(again.code == 0, again.err);
    BOOST_TEST(count_of(db, "SELECT count(*) FROM article") == 20000);
}

// The same with --exclusive, where SQLite's rollback journal replaces the
// WAL: the import writes its pages into the database file itself, and the
// original content of the pages it changes into PATH-journal. Killed once
// the file has grown by a few MB, it leaves a hot journal; the next
// connection rolls it back, also that of a command that only reads (which
// opens the file read-only, where SQLite could not roll back). The file is
// back in WAL afterwards, and the same import runs to the end.
BOOST_AUTO_TEST_CASE(sigkill_midway_through_an_exclusive_import_leaves_the_database_unchanged) {
    TempDir dir;
    const std::string db = authors_only_for_kill(dir);
    const std::string before = checksum(db);
    const std::uintmax_t size_before = fs::file_size(db);
    const auto size_of = size_or_zero;
    kill_import_when(
        db, dir / "d/old_articles.json", dir,
        [&] { return size_of(db + "-journal") > 0 && size_of(db) >= size_before + 4 * 1024 * 1024; }, true);
    BOOST_TEST_MESSAGE("killed with a database of " << size_of(db) << " bytes and a journal of "
                                                    << size_of(db + "-journal"));
    BOOST_REQUIRE(size_of(db + "-journal") > 0);  // hot: left for the next connection to roll back

    Result read = run({"--db", db, "top-authors"});  // opens it read-only
    BOOST_TEST(read.code == 0, read.err);
    BOOST_TEST(size_of(db + "-journal") == 0u);
    BOOST_TEST(checksum(db) == before);
    BOOST_TEST(count_of(db, "SELECT count(*) FROM article") == 0);
    BOOST_TEST(folio::Database(db).scalar("PRAGMA integrity_check").as_text() == "ok");
    Result again = run({"--db", db, "import-articles", "--exclusive", dir / "d/old_articles.json"});
    BOOST_TEST(again.code == 0, again.err);
    BOOST_TEST(count_of(db, "SELECT count(*) FROM article") == 20000);
    BOOST_TEST(count_of(db, "SELECT sum(articles_count) FROM author") == 20000);
    // Back in WAL for good: the file header's read/write versions (bytes
    // 18 and 19) are 2 in WAL mode, 1 with a rollback journal (SQLite's file
    // format); folio's own open would ask for WAL and hide it.
    std::string header(20, '\0');
    std::ifstream(db, std::ios::binary).read(header.data(), 20);
    BOOST_TEST(static_cast<int>(header[18]) == 2);
    BOOST_TEST(static_cast<int>(header[19]) == 2);
}

// The same on PostgreSQL: the import runs in one transaction on the server,
// so a client killed midway leaves the database as it was (the server rolls
// the transaction back when the connection drops), counts and articles_count
// included, and the same import then runs to the end.
BOOST_AUTO_TEST_CASE(sigkill_midway_on_postgresql_leaves_the_database_unchanged,
                     *folio_test::needs_postgresql_server()) {
    TempDir dir;
    folio_test::TestDatabaseTarget where("postgresql", true);
    const std::string db = where.target();
    BOOST_REQUIRE(run({"gen-data", "--authors", "200", "--articles", "10000", "--content-bytes", "2000", "--out",
                       dir / "d"}).code == 0);
    BOOST_REQUIRE(run({"--db", db, "import-authors", dir / "d/old_authors.json"}).code == 0);
    const std::string before = checksum(db);
    BOOST_REQUIRE(count_of(db, "SELECT count(*) FROM author") == 200);

    // Midway: the article table's heap has grown by a few MB of rows that no
    // one else can see yet (the file size counts uncommitted rows).
    folio::Database watcher(db);
    const auto article_bytes = [&] { return watcher.scalar("SELECT pg_total_relation_size('article')").as_integer(); };
    const std::int64_t bytes_start = article_bytes();
    kill_import_when(db, dir / "d/old_articles.json", dir,
                     [&] { return article_bytes() >= bytes_start + 4 * 1024 * 1024; });
    BOOST_TEST_MESSAGE("killed with article at " << article_bytes() << " bytes on disk");

    BOOST_TEST(checksum(db) == before);
    BOOST_TEST(count_of(db, "SELECT count(*) FROM article") == 0);
    BOOST_TEST(count_of(db, "SELECT count(*) FROM tag") == 0);
    BOOST_TEST(count_of(db, "SELECT count(*) FROM author WHERE articles_count <> 0") == 0);
    Result again = run({"--db", db, "import-articles", dir / "d/old_articles.json"});
    BOOST_TEST(again.code == 0, again.err);
    BOOST_TEST(count_of(db, "SELECT count(*) FROM article") == 10000);
    BOOST_TEST(count_of(db, "SELECT sum(articles_count) FROM author") == 10000);
}
