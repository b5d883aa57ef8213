// A database file this user may not write (chmod 444) in a directory it may:
// every command that writes fails with exit 1, naming the file and what to
// do, and changes nothing; the commands that only read still work. Run as
// user nobody where the tests run as root (root ignores permissions).
#include <sys/stat.h>

#include "cli_support.hpp"

using namespace cli_test;

namespace {

// A blog file with data, and one left at schema version 5 (a migration to
// apply), in a directory everyone may write; both files read-only.
struct ReadOnlyFiles {
    TempDir dir;
    std::string db = dir / "blog.sqlite3";
    std::string old = dir / "old.sqlite3";
    std::string tag;
    ReadOnlyFiles() {
        import_generated(db, dir / "d", 3, 10, 20);
        BOOST_REQUIRE(run({"--db", old, "migrate", "--target", "5"}).code == 0);
        tag = folio::Database(db).scalar("SELECT name FROM tag ORDER BY id LIMIT 1").as_text();
        fs::permissions(dir.path(), fs::perms::all);
        fs::permissions(db, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
        fs::permissions(old, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(read_only_file)

BOOST_AUTO_TEST_CASE(every_command_that_writes_names_the_read_only_file) {
    ReadOnlyFiles f;
    const auto as_user = unprivileged();
    BOOST_REQUIRE_MESSAGE(as_user.empty() || run({"--version"}, {}, as_user).code == 0,
                          "setpriv cannot run folio as user nobody here");
    const std::string before = checksum(f.db), old_before = checksum(f.old);
    write_file(f.dir / "a.json", R"([{"username":"newcomer","email":"","bio":""}])");
    struct Case {
        std::string db;
        std::vector<std::string> args;
    };
    for (const Case& c : {Case{f.db, {"import-authors", f.dir / "a.json"}},
                          Case{f.db, {"import-articles", f.dir / "d/old_articles.json"}},
                          Case{f.db, {"disallow-comments", "--before", "2100"}},
                          Case{f.db, {"delete-tagged", f.tag}},
                          Case{f.db, {"clone-article", "1"}},
                          Case{f.db, {"tour", "--force", "--authors", "2", "--articles", "3"}},
                          Case{f.old, {"migrate"}},
                          Case{f.old, {"import-authors", f.dir / "a.json"}}}) {
        std::vector<std::string> args = {"--db", c.db};
        args.insert(args.end(), c.args.begin(), c.args.end());
        BOOST_TEST_CONTEXT(c.args.front() << " on " << c.db) {
            Result r = run(args, {}, as_user);
            BOOST_TEST(r.code == 1, r.err);
            const std::string file = fs::canonical(c.db).string();
            BOOST_TEST(r.err.find("database file '" + file + "' is read-only for this user") != std::string::npos,
                       r.err);
            BOOST_TEST(r.err.find("chmod u+w") != std::string::npos, r.err);
        }
    }
    BOOST_TEST(checksum(f.db) == before);
    BOOST_TEST(checksum(f.old) == old_before);
    // Reading needs no write: these work on the same file.
    for (const std::vector<std::string>& cmd :
         {std::vector<std::string>{"articles"}, {"top-authors"}, {"showmigrations"}, {"export-articles", "-"}}) {
        std::vector<std::string> args = {"--db", f.db};
        args.insert(args.end(), cmd.begin(), cmd.end());
        Result r = run(args, {}, as_user);
        BOOST_TEST(r.code == 0, cmd.front() << ": " << r.err);
    }
}

BOOST_AUTO_TEST_SUITE_END()
