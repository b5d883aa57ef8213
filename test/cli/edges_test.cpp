// The CLI's smaller promises: readable range errors, an unknown command
// named, --version, --sql folding trigger programs, a warning (or
// --replace) when importing into a table that holds rows, the JSON format
// in --help, and a progress bar that fits the terminal and says when it
// commits.
#include <regex>

#include "cli_support.hpp"

using namespace cli_test;

BOOST_AUTO_TEST_CASE(range_errors_are_short_and_name_the_value) {
    TempDir dir;
    const std::string db = dir / "r.sqlite3";
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"clone-article", "0"}, {"clone-article", "-5"}, {"clone-article", "x"},
          {"clone-article", "99999999999999999999999"}, {"gen-data", "--authors", "-1"},
          {"gen-data", "--articles", "1e3"}, {"articles", "--page", "0"}, {"top-authors", "--limit", "0"}}) {
        std::vector<std::string> full = {"--db", db};
        full.insert(full.end(), args.begin(), args.end());
        Result r = run(full);
        BOOST_TEST(r.code == 2, args.front() << " " << args.back());
        BOOST_TEST(r.err.size() < 300u, r.err);
        BOOST_TEST(!std::regex_search(r.err, std::regex("[0-9]{25}")), r.err);
        BOOST_TEST(r.err.find(args.back()) != std::string::npos, r.err);
    }
}

BOOST_AUTO_TEST_CASE(unknown_command_and_version) {
    Result r = run({"imprt-authors", "x.json"});
    BOOST_TEST(r.code == 2);
    BOOST_TEST(r.err.find("unknown command 'imprt-authors'") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("import-authors") != std::string::npos, r.err);
    Result g = run({"--db", "x.sqlite3", "frobnicate"});
    BOOST_TEST(g.code == 2);
    BOOST_TEST(g.err.find("unknown command 'frobnicate'") != std::string::npos, g.err);
    BOOST_TEST(!fs::exists("x.sqlite3"));
    Result v = run({"--version"});
    BOOST_TEST(v.code == 0);
    BOOST_TEST(std::regex_search(v.out, std::regex("^folio [0-9]+\\.[0-9]+\\.[0-9]+\n$")), v.out);
}

BOOST_AUTO_TEST_CASE(sql_log_folds_trigger_programs) {
    TempDir dir;
    const std::string db = dir / "q.sqlite3";
    BOOST_REQUIRE(run({"gen-data", "--authors", "5", "--articles", "200", "--out", dir / "d"}).code == 0);
    BOOST_REQUIRE(run({"--db", db, "import-authors", dir / "d/old_authors.json"}).code == 0);
    Result folded = run({"--db", db, "--sql", "import-articles", dir / "d/old_articles.json"});
    BOOST_REQUIRE_MESSAGE(folded.code == 0, folded.err);
    const auto count = [](const std::string& s, const std::string& what) {
        std::size_t n = 0;
        for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
        return n;
    };
    // One folded line per statement that fired the trigger, with its count.
    BOOST_TEST(count(folded.err, "-- TRIGGER article_count_insert") >= 1u);
    BOOST_TEST(count(folded.err, "-- TRIGGER article_count_insert") <= count(folded.err, "INSERT INTO \"article\""));
    BOOST_TEST(folded.err.find("(x200)") != std::string::npos, folded.err.substr(0, 2000));
    BOOST_TEST(lines(folded.err) < 100u);
    Result all = run({"--db", dir / "q2.sqlite3", "--sql=all", "import-authors", dir / "d/old_authors.json"});
    BOOST_REQUIRE(all.code == 0);
    Result all2 = run({"--db", dir / "q2.sqlite3", "--sql=all", "import-articles", dir / "d/old_articles.json"});
    BOOST_REQUIRE_MESSAGE(all2.code == 0, all2.err);
    BOOST_TEST(count(all2.err, "-- TRIGGER article_count_insert") == 200u);
    BOOST_TEST(run({"--db", db, "--sql=some", "top-authors"}).code == 2);
}

BOOST_AUTO_TEST_CASE(importing_again_warns_or_replaces) {
    TempDir dir;
    const std::string db = dir / "i.sqlite3";
    BOOST_REQUIRE(run({"gen-data", "--authors", "5", "--articles", "30", "--out", dir / "d"}).code == 0);
    BOOST_REQUIRE(run({"--db", db, "import-authors", dir / "d/old_authors.json"}).code == 0);
    Result first = run({"--db", db, "import-articles", dir / "d/old_articles.json"});
    BOOST_REQUIRE(first.code == 0);
    BOOST_TEST(first.err.find("warning") == std::string::npos, first.err);
    Result again = run({"--db", db, "import-articles", dir / "d/old_articles.json"});
    BOOST_TEST(again.code == 0);
    BOOST_TEST(again.err.find("already held 30 articles") != std::string::npos, again.err);
    BOOST_TEST(again.err.find("--replace") != std::string::npos, again.err);
    BOOST_TEST(count_of(db, "SELECT count(*) FROM article") == 60);
    Result replaced = run({"--db", db, "import-articles", "--replace", dir / "d/old_articles.json"});
    BOOST_TEST(replaced.code == 0, replaced.err);
    BOOST_TEST(replaced.out.find("replaced 60") != std::string::npos, replaced.out);
    BOOST_TEST(count_of(db, "SELECT count(*) FROM article") == 30);
    BOOST_TEST(count_of(db, "SELECT sum(articles_count) FROM author") == 30);
    // --replace with a file that fails: the old rows stay.
    write_file(dir / "bad.json", R"([{"created_at":"2011-02-30","author":"x","tags":[],"title":"t","content":""}])");
    Result bad = run({"--db", db, "import-articles", "--replace", dir / "bad.json"});
    BOOST_TEST(bad.code == 1);
    BOOST_TEST(count_of(db, "SELECT count(*) FROM article") == 30);
    // --replace --skip-invalid with a file whose every record is rejected: refused, the old rows stay
    // (it would otherwise empty the table and exit 0).
    Result none_valid = run({"--db", db, "import-articles", "--replace", "--skip-invalid", dir / "bad.json"});
    BOOST_TEST(none_valid.code == 1, none_valid.err);
    BOOST_TEST(none_valid.err.find("every record of") != std::string::npos, none_valid.err);
    BOOST_TEST(none_valid.err.find("rejected: ") != std::string::npos, none_valid.err);
    BOOST_TEST(none_valid.err.find("record 0") != std::string::npos, none_valid.err);
    BOOST_TEST(count_of(db, "SELECT count(*) FROM article") == 30);
    BOOST_TEST(count_of(db, "SELECT sum(articles_count) FROM author") == 30);
    // One valid record among the rejected ones: --replace does replace, with what was valid.
    write_file(dir / "one_good.json",
               R"([{"created_at":"2011-02-30","author":"x","tags":[],"title":"t","content":""},)"
               R"( {"created_at":"2011-02-28","author":")" +
                   folio::Database(db).scalar("SELECT username FROM author ORDER BY id LIMIT 1").as_text() +
                   R"(","tags":[],"title":"kept","content":""}])");
    Result one_good = run({"--db", db, "import-articles", "--replace", "--skip-invalid", dir / "one_good.json"});
    BOOST_TEST(one_good.code == 0, one_good.err);
    BOOST_TEST(one_good.out.find("replaced 30") != std::string::npos, one_good.out);
    BOOST_TEST(count_of(db, "SELECT count(*) FROM article") == 1);
    BOOST_TEST(count_of(db, "SELECT sum(articles_count) FROM author") == 1);
    const Result restored = run({"--db", db, "import-articles", "--replace", dir / "d/old_articles.json"});
    BOOST_REQUIRE_MESSAGE(restored.code == 0, restored.err);
    // A file of no records ([]): refused too, whether or not --skip-invalid.
    write_file(dir / "empty_array.json", " [ ] ");
    for (bool skip : {false, true}) {
        std::vector<std::string> args = {"--db", db, "import-articles", "--replace", dir / "empty_array.json"};
        if (skip) args.push_back("--skip-invalid");
        Result empty = run(args);
        BOOST_TEST(empty.code == 1, empty.err);
        BOOST_TEST(empty.err.find("holds no records; --replace kept the 30 articles") != std::string::npos, empty.err);
        BOOST_TEST(count_of(db, "SELECT count(*) FROM article") == 30);
    }
    // Authors too; their articles go with them (CASCADE), and the summary says so.
    Result authors = run({"--db", db, "import-authors", "--replace", dir / "d/old_authors.json"});
    BOOST_TEST(authors.code == 0, authors.err);
    BOOST_TEST(authors.out.find("replaced 5 (and their 30 articles)") != std::string::npos, authors.out);
    BOOST_TEST(count_of(db, "SELECT count(*) FROM author") == 5);
    BOOST_TEST(count_of(db, "SELECT count(*) FROM article") == 0);
    write_file(dir / "bad_authors.json", R"([{"username":"","email":"","bio":""}])");
    Result no_authors = run({"--db", db, "import-authors", "--replace", "--skip-invalid", dir / "bad_authors.json"});
    BOOST_TEST(no_authors.code == 1, no_authors.err);
    BOOST_TEST(no_authors.err.find("kept the 5 authors") != std::string::npos, no_authors.err);
    BOOST_TEST(count_of(db, "SELECT count(*) FROM author") == 5);
}

BOOST_AUTO_TEST_CASE(help_documents_the_json_input) {
    Result a = run({"import-articles", "--help"});
    BOOST_TEST(a.code == 0);
    for (const char* key : {"\"title\"", "\"content\"", "\"created_at\"", "YYYY-MM-DD", "\"author\"", "\"tags\""})
        BOOST_TEST(a.out.find(key) != std::string::npos, key);
    Result u = run({"import-authors", "--help"});
    for (const char* key : {"\"username\"", "\"email\"", "\"bio\""}) BOOST_TEST(u.out.find(key) != std::string::npos, key);
}

BOOST_AUTO_TEST_CASE(progress_bar_fits_a_narrow_terminal_and_says_when_it_commits) {
    TempDir dir;
    const std::string db = dir / "p.sqlite3";
    BOOST_REQUIRE(run({"gen-data", "--authors", "5", "--articles", "300", "--out", dir / "d"}).code == 0);
    BOOST_REQUIRE(run({"--db", db, "import-authors", dir / "d/old_authors.json"}).code == 0);
    // script(1) gives folio a terminal of 50 columns; its output is the terminal's.
    Result r = run({"--db", db, "import-articles", dir / "d/old_articles.json"}, {},
                   {"sh", "-c", "exec script -qec \"stty cols 50; exec $0 $*\" /dev/null"});
    if (r.code == 127 || r.out.find("import-articles") == std::string::npos) {
        BOOST_TEST_MESSAGE("script(1) cannot give folio a terminal here; progress bar case skipped: " << r.err);
        return;
    }
    // "committing..." is drawn once, just before the COMMIT, and "committed"
    // once it has returned; nothing claims a commit while records still come.
    const std::size_t committing = r.out.find("committing...");
    BOOST_TEST(committing != std::string::npos, r.out);
    BOOST_TEST(r.out.rfind("committing...") == committing, r.out);
    BOOST_TEST(r.out.find("records/s", committing) == std::string::npos, r.out);
    BOOST_TEST(r.out.find("committed", committing) != std::string::npos, r.out);
    // Every redraw (between carriage returns) fits in 49 columns.
    std::string clean = std::regex_replace(r.out, std::regex("\x1b\\[K"), "");
    std::size_t start = 0;
    for (std::size_t i = 0; i <= clean.size(); ++i) {
        if (i == clean.size() || clean[i] == '\r' || clean[i] == '\n') {
            const std::string piece = clean.substr(start, i - start);
            if (piece.find("import-articles [") != std::string::npos || piece.find("records") != std::string::npos)
                BOOST_TEST(piece.size() <= 49u, piece);
            start = i + 1;
        }
    }
}
