// Bad input never crashes and never half-imports: every case exits 1 with a
// one-line error naming the file, the record and the field, and the
// database's content is the same afterwards. Also --skip-invalid, and
// database files that are not SQLite or cannot be written.
#include "cli_support.hpp"

using namespace cli_test;

namespace {

const std::string good_author = R"({"username": "alice", "email": "alice@example.com", "bio": "b"})";

std::string author(const std::string& username, const std::string& email = "") {
    return R"({"username": ")" + username + R"(", "email": ")" + email + R"(", "bio": "x"})";
}
std::string article(const std::string& author, const std::string& date = "2015-01-02",
                    const std::string& title = "A title", const std::string& tag = "minus") {
    return R"({"created_at": ")" + date + R"(", "author": ")" + author + R"(", "tags": ["lorem", ")" + tag +
           R"("], "title": ")" + title + R"(", "content": "c"})";
}

// A database holding two authors and one article, and its checksum.
struct Seeded {
    TempDir dir;
    std::string db = dir / "blog.sqlite3";
    std::string sum;
    Seeded() {
        write_file(dir / "a.json", "[" + good_author + "," + author("bob") + "]");
        write_file(dir / "b.json", "[" + article("alice") + "]");
        BOOST_REQUIRE(run({"--db", db, "import-authors", dir / "a.json"}).code == 0);
        BOOST_REQUIRE(run({"--db", db, "import-articles", dir / "b.json"}).code == 0);
        sum = checksum(db);
    }
    // Runs `command` on a file holding `content` (both paths, fast and
    // naive) and checks: exit 1, one line naming file/record/field, nothing written.
    void expect_rejected(const std::string& command, const std::string& content, const std::string& record,
                         const std::string& field) {
        const std::string file = dir / "bad.json";
        write_file(file, content);
        for (bool naive : {false, true}) {
            std::vector<std::string> args = {"--db", db, command, file};
            if (naive) args.push_back("--naive");
            Result r = run(args);
            BOOST_TEST_CONTEXT(command << (naive ? " --naive" : "") << " on " << content.substr(0, 120)) {
                BOOST_TEST(r.code == 1);
                BOOST_TEST(lines(r.err) == 1u);
                BOOST_TEST(r.err.find("bad.json") != std::string::npos, r.err);
                if (!record.empty()) BOOST_TEST(r.err.find(record) != std::string::npos, r.err);
                if (!field.empty()) BOOST_TEST(r.err.find(field) != std::string::npos, r.err);
                BOOST_TEST(checksum(db) == sum);
            }
        }
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(bad_author_files) {
    Seeded s;
    const std::string ok3 = author("u1") + "," + author("u2") + "," + author("u3") + ",";
    s.expect_rejected("import-authors", "[" + ok3 + R"({"username": "x", "email": "", "bio": )", "", "malformed");
    s.expect_rejected("import-authors", "[" + ok3 + "17]", "record 3", "object");
    s.expect_rejected("import-authors", "[" + ok3 + R"({"username": "x", "email": ""}])", "record 3", "bio");
    s.expect_rejected("import-authors", "[" + ok3 + R"({"username": 5, "email": "", "bio": ""}])", "record 3",
                      "username");
    s.expect_rejected("import-authors", "[" + ok3 + author("u2") + "]", "record 3", "username");
    s.expect_rejected("import-authors", "[" + ok3 + author("alice") + "]", "record 3", "username");
    s.expect_rejected("import-authors", "[" + ok3 + author(std::string(65, 'x')) + "]", "record 3", "username");
    s.expect_rejected("import-authors", "[" + ok3 + author("v", "not-an-email") + "]", "record 3", "email");
    s.expect_rejected("import-authors", "", "", "empty");
    s.expect_rejected("import-authors", "  \n", "", "empty");
    s.expect_rejected("import-authors", "{}", "", "array");
    s.expect_rejected("import-authors", "[" + ok3 + author("caf\xc3") + "]", "record 3", "ill-formed UTF-8");

    Result missing = run({"--db", s.db, "import-authors", s.dir / "no-such-file.json"});
    BOOST_TEST(missing.code == 1);
    BOOST_TEST(lines(missing.err) == 1u);
    BOOST_TEST(missing.err.find("no-such-file.json") != std::string::npos);
    // A fresh user's finding: with a --db that does not exist either, the
    // failed import left a new, empty database behind.
    for (const char* command : {"import-authors", "import-articles"})
        for (const std::string& input : {(s.dir / "no-such-file.json").string(), s.dir.path().string()}) {  // a directory too
            Result none = run({"--db", s.dir / "typo.db", command, input});
            BOOST_TEST(none.code == 1);
            BOOST_TEST(none.err.find("cannot open file") != std::string::npos, none.err);
            BOOST_TEST(!std::filesystem::exists(s.dir / "typo.db"));
        }
    BOOST_TEST(checksum(s.db) == s.sum);
}

BOOST_AUTO_TEST_CASE(bad_article_files) {
    Seeded s;
    const std::string ok3 = article("alice") + "," + article("bob") + "," + article("alice", "1990-01-01") + ",";
    s.expect_rejected("import-articles", "[" + ok3 + article("mallory") + "]", "record 3", "author");
    s.expect_rejected("import-articles", "[" + ok3 + article("bob", "2016-02-30") + "]", "record 3", "created_at");
    s.expect_rejected("import-articles", "[" + ok3 + article("bob", "11/06/2016") + "]", "record 3", "created_at");
    s.expect_rejected("import-articles", "[" + ok3 + article("bob", "2015-01-02", std::string(65, 't')) + "]",
                      "record 3", "title");
    s.expect_rejected("import-articles", "[" + ok3 + article("bob", "2015-01-02", "t", std::string(65, 'g')) + "]",
                      "record 3", "tags");
    s.expect_rejected("import-articles",
                      "[" + ok3 + R"({"created_at": "2015-01-01", "author": "bob", "tags": "x", "title": "t", "content": ""}])",
                      "record 3", "tags");
    s.expect_rejected("import-articles",
                      "[" + ok3 + R"({"created_at": "2015-01-01", "author": "bob", "tags": [], "title": "t"}])",
                      "record 3", "content");
    s.expect_rejected("import-articles", "[" + ok3 + "[1, 2]]", "record 3", "");
    s.expect_rejected("import-articles", "[" + ok3, "", "malformed");
    s.expect_rejected("import-articles", "", "", "empty");
}

BOOST_AUTO_TEST_CASE(skip_invalid_imports_the_rest) {
    Seeded s;
    write_file(s.dir / "mixed.json", "[" + author("c1") + "," + author("alice") + "," + author("c2") + "," +
                                         author("bad", "x@") + "," + author("c1") + "]");
    Result r = run({"--db", s.db, "import-authors", "--skip-invalid", s.dir / "mixed.json"});
    BOOST_TEST(r.code == 0);
    BOOST_TEST(r.out.find("Imported 2 authors") != std::string::npos, r.out);
    BOOST_TEST(r.out.find("3 rejected") != std::string::npos, r.out);
    BOOST_TEST(rejected_lines(r.err) == 3u, r.err);
    BOOST_TEST(r.err.find("record 1") != std::string::npos);
    BOOST_TEST(r.err.find("record 3") != std::string::npos);
    BOOST_TEST(r.err.find("record 4") != std::string::npos);
    BOOST_TEST(count_of(s.db, "SELECT count(*) FROM author") == 4);

    write_file(s.dir / "arts.json", "[" + article("alice") + "," + article("nobody") + "," +
                                        article("bob", "2015-13-01") + "," + article("c2") + "]");
    for (bool naive : {false, true}) {
        const auto before = count_of(s.db, "SELECT count(*) FROM article");
        std::vector<std::string> args = {"--db", s.db, "import-articles", "--skip-invalid", s.dir / "arts.json"};
        if (naive) args.push_back("--naive");
        Result a = run(args);
        BOOST_TEST(a.code == 0);
        BOOST_TEST(rejected_lines(a.err) == 2u, a.err);
        BOOST_TEST(count_of(s.db, "SELECT count(*) FROM article") == before + 2);
    }
}

// A file of mostly bad records lists the first --list-rejected (1,000 by
// default) in file order and says how many more it only counted: stderr
// and memory stay bounded by the cap, the count covers them all.
BOOST_AUTO_TEST_CASE(list_rejected_caps_the_listed_records_not_the_count) {
    Seeded s;
    std::string text = "[";
    for (int i = 0; i < 1205; ++i) text += (i ? "," : "") + (i % 241 == 7 ? author("m" + std::to_string(i)) : "17");
    write_file(s.dir / "many.json", text + "]");
    const std::int64_t before = count_of(s.db, "SELECT count(*) FROM author");
    Result r = run({"--db", s.db, "import-authors", "--skip-invalid", s.dir / "many.json"});
    BOOST_TEST(r.code == 0, r.err.substr(0, 1000));
    BOOST_TEST(r.out.find("Imported 5 authors") != std::string::npos, r.out);
    BOOST_TEST(r.out.find("; 1200 rejected") != std::string::npos, r.out);
    BOOST_TEST(rejected_lines(r.err) == 1000u);
    BOOST_TEST(r.err.find("record 0:") != std::string::npos);
    BOOST_TEST(r.err.find("record 1004:") != std::string::npos);  // the 1,000th bad one
    BOOST_TEST(r.err.find("record 1005:") == std::string::npos);
    BOOST_TEST(r.err.find("folio: 200 more rejected records not listed") != std::string::npos, r.err.substr(0, 1000));
    BOOST_TEST(count_of(s.db, "SELECT count(*) FROM author") == before + 5);

    r = run({"--db", s.db, "import-authors", "--skip-invalid", "--replace", "--list-rejected", "3", s.dir / "many.json"});
    BOOST_TEST(r.code == 0, r.err.substr(0, 1000));
    BOOST_TEST(rejected_lines(r.err) == 3u, r.err.substr(0, 1000));
    BOOST_TEST(r.err.find("record 0:") != std::string::npos);
    BOOST_TEST(r.err.find("record 2:") != std::string::npos);
    BOOST_TEST(r.err.find("record 3:") == std::string::npos);
    BOOST_TEST(r.err.find("folio: 1197 more rejected records not listed") != std::string::npos, r.err.substr(0, 1000));
    BOOST_TEST(r.out.find("; 1200 rejected") != std::string::npos, r.out);

    r = run({"--db", s.db, "import-authors", "--skip-invalid", "--list-rejected", "-1", s.dir / "many.json"});
    BOOST_TEST(r.code == 2, r.err.substr(0, 1000));
    BOOST_TEST(r.err.find("--list-rejected: Value -1 not in range") != std::string::npos, r.err.substr(0, 1000));
    BOOST_TEST(rejected_lines(r.err) == 0u);  // refused before any import
    r = run({"--db", s.db, "import-authors", "--skip-invalid", "--list-rejected", "99999999999999999999",
             s.dir / "many.json"});
    BOOST_TEST(r.code == 2, r.err.substr(0, 1000));
    // Only with --skip-invalid, which lists the records.
    r = run({"--db", s.db, "import-authors", "--list-rejected", "5", s.dir / "many.json"});
    BOOST_TEST(r.code == 2, r.err.substr(0, 1000));
    BOOST_TEST(r.err.find("--list-rejected requires --skip-invalid") != std::string::npos, r.err.substr(0, 1000));
}

// A record whose strings are not UTF-8 (in any field, in a tag) is a bad
// record like the others: without --skip-invalid the first one is the error
// (file, record, field, the byte), nothing written; with it, it is listed
// with its record number and reason and the rest is imported.
BOOST_AUTO_TEST_CASE(ill_formed_utf8_records_are_rejected_or_skipped) {
    Seeded s;
    s.expect_rejected("import-authors", "[" + author("c1") + "," + author("c\xC3(") + "," + author("c\xFF") + "]",
                      "record 1: field \"username\": ill-formed UTF-8 (byte 0xC3 at byte", "");
    s.expect_rejected("import-articles", "[" + article("alice") + "," + article("bob", "2015-01-02", "t", "\xED\xA0\x80") + "]",
                      "record 1: field \"tags\": element 1: ill-formed UTF-8 (byte 0xED", "");

    write_file(s.dir / "mixed.json", "[" + author("d1") + "," + author("d\x80") + "," + author("d2") + "]");
    Result r = run({"--db", s.db, "import-authors", "--skip-invalid", s.dir / "mixed.json"});
    BOOST_TEST(r.code == 0, r.err);
    BOOST_TEST(r.out.find("Imported 2 authors") != std::string::npos, r.out);
    BOOST_TEST(rejected_lines(r.err) == 1u, r.err);
    BOOST_TEST(r.err.find("record 1: field \"username\": ill-formed UTF-8 (byte 0x80 at byte") != std::string::npos,
               r.err);
    BOOST_TEST(count_of(s.db, "SELECT count(*) FROM author WHERE username IN ('d1', 'd2')") == 2);

    write_file(s.dir / "arts.json", "[" + article("alice", "2015-01-02", "caf\xE9") + "," + article("bob") + "]");
    for (bool naive : {false, true}) {
        const auto before = count_of(s.db, "SELECT count(*) FROM article");
        std::vector<std::string> args = {"--db", s.db, "import-articles", "--skip-invalid", s.dir / "arts.json"};
        if (naive) args.push_back("--naive");
        Result a = run(args);
        BOOST_TEST(a.code == 0, a.err);
        BOOST_TEST(rejected_lines(a.err) == 1u, a.err);
        BOOST_TEST(a.err.find("record 0: field \"title\": ill-formed UTF-8 (byte 0xE9 at byte") != std::string::npos,
                   a.err);
        BOOST_TEST(count_of(s.db, "SELECT count(*) FROM article") == before + 1);
    }
}

BOOST_AUTO_TEST_CASE(database_not_sqlite_or_read_only) {
    TempDir dir;
    write_file(dir / "a.json", "[" + good_author + "]");
    const std::string junk = dir / "junk.sqlite3";
    std::string garbage;
    for (int i = 0; i < 200; ++i) garbage += "this is not an SQLite database, just text. ";
    write_file(junk, garbage);
    for (const char* cmd : {"import-authors", "articles"}) {
        std::vector<std::string> args = {"--db", junk, cmd};
        if (std::string(cmd) == "import-authors") args.push_back(dir / "a.json");
        Result r = run(args);
        BOOST_TEST(r.code == 1);
        BOOST_TEST(lines(r.err) == 1u);
        BOOST_TEST(r.err.find("not") != std::string::npos, r.err);
        BOOST_TEST(read_file(junk) == garbage);
    }

    // A directory, and a path in a missing directory.
    BOOST_TEST(run({"--db", dir.path().string(), "articles"}).code == 1);
    BOOST_TEST(run({"--db", dir / "missing/x.sqlite3", "articles"}).code == 1);

    // Read-only: root ignores permission bits, so the file is made immutable.
    const std::string ro = dir / "ro.sqlite3";
    BOOST_REQUIRE(run({"--db", ro, "import-authors", dir / "a.json"}).code == 0);
    const std::string sum = checksum(ro);
    const bool root = ::geteuid() == 0;
    const std::string lock = root ? "chattr +i '" + ro + "' 2>/dev/null" : "chmod 0444 '" + ro + "'";
    if (std::system(lock.c_str()) != 0) {
        BOOST_TEST_MESSAGE("cannot make the database read-only here; read-only case skipped");
        return;
    }
    struct Unlock {
        std::string cmd;
        ~Unlock() { (void)std::system(cmd.c_str()); }
    } unlock{root ? "chattr -i '" + ro + "'" : "chmod 0644 '" + ro + "'"};
    write_file(dir / "b.json", "[" + author("bob") + "]");
    Result r = run({"--db", ro, "import-authors", dir / "b.json"});
    BOOST_TEST(r.code == 1);
    BOOST_TEST(lines(r.err) == 1u);
    BOOST_TEST(r.err.find("read") != std::string::npos, r.err);
    BOOST_TEST(run({"--db", ro, "disallow-comments", "--before", "2000"}).code == 1);
    BOOST_TEST(checksum(ro) == sum);
}
