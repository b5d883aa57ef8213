// How the CLI opens databases: many processes migrating a new file at once,
// a database newer than the code, a read-only directory, a mistyped --db on
// a command that only reads, and the tour's own file.
#include <sys/stat.h>

#include "cli_support.hpp"

using namespace cli_test;

namespace {

// A database with a few authors and articles, imported through the CLI.
struct Small {
    TempDir dir;
    std::string db = dir / "blog.sqlite3";
    Small() { import_generated(db, dir / "d", 5, 20, 50); }
};

} // namespace

BOOST_AUTO_TEST_CASE(concurrent_first_migrations) {
    // Every command that migrates on first use, started together on a new file.
    const std::vector<std::vector<std::string>> commands = {
        {"migrate"}, {"disallow-comments", "--before", "2000"}, {"delete-tagged", "x"}, {"import-authors", "A"}};
    for (int round = 0; round < 2; ++round) {
        TempDir dir;
        const std::string db = dir / "new.sqlite3";
        std::vector<pid_t> pids;
        for (int i = 0; i < 16; ++i) {
            const std::string authors = dir / ("authors" + std::to_string(i) + ".json");
            write_file(authors, R"([{"username":"u)" + std::to_string(i) + R"(","email":"","bio":""}])");
            std::vector<std::string> args = {"--db", db};
            for (const auto& a : commands[static_cast<std::size_t>(i) % commands.size()])
                args.push_back(a == "A" ? authors : a);
            pids.push_back(spawn(args, dir / ("o" + std::to_string(i)), dir / ("e" + std::to_string(i))));
        }
        for (std::size_t i = 0; i < pids.size(); ++i) {
            const int code = wait_code(pids[i]);
            BOOST_TEST(code == 0, "process " << i << ": " << read_file(dir / ("e" + std::to_string(i))));
        }
        BOOST_TEST(count_of(db, "PRAGMA user_version") == static_cast<std::int64_t>(folio::blog_migrations().size()));
        BOOST_TEST(count_of(db, "SELECT count(*) FROM author") == 4);  // the four imports, each once
        Result s = run({"--db", db, "showmigrations"});
        BOOST_TEST(s.code == 0);
        BOOST_TEST(s.out.find("[ ]") == std::string::npos, s.out);
    }
}

BOOST_AUTO_TEST_CASE(database_newer_than_the_code_is_refused_by_every_command) {
    TempDir dir;
    const std::string db = dir / "future.sqlite3";
    BOOST_REQUIRE(run({"--db", db, "migrate"}).code == 0);
    {
        folio::Database d(db);
        d.execute("PRAGMA user_version = 99");
    }
    const std::string before = checksum(db);
    const std::string known =
        "schema version 99, newer than this folio knows (" + std::to_string(folio::blog_migrations().size()) + ")";
    for (const std::vector<std::string>& cmd :
         {std::vector<std::string>{"migrate"}, {"showmigrations"}, {"top-authors"}, {"articles"},
          {"disallow-comments", "--before", "2000"}, {"migrate", "--target", "2"}, {"sqlmigrate", "0001_initial"}}) {
        std::vector<std::string> args = {"--db", db};
        args.insert(args.end(), cmd.begin(), cmd.end());
        Result r = run(args);
        BOOST_TEST(r.code == 1, cmd.front());
        BOOST_TEST(r.out == "", cmd.front());  // nothing printed before the refusal
        BOOST_TEST(r.err.find(known) != std::string::npos, r.err);
    }
    BOOST_TEST(checksum(db) == before);
    // sqlmigrate of an unknown name: the version's refusal comes first, and nothing else.
    Result q = run({"--db", db, "sqlmigrate", "nope"});
    BOOST_TEST(q.code == 1);
    BOOST_TEST(q.out == "");
    BOOST_TEST(q.err.find(known) != std::string::npos, q.err);
}

BOOST_AUTO_TEST_CASE(database_at_a_negative_schema_version_is_refused_by_every_command) {
    // Another program's file with a negative user_version: no folio version,
    // refused with exit 1 like a newer one (it once crashed `migrate`).
    TempDir dir;
    const std::string db = dir / "negative.sqlite3";
    {
        folio::Database d(db);
        d.execute_script("CREATE TABLE mine(x); PRAGMA user_version = -1");
    }
    const std::string before = checksum(db);
    for (const std::vector<std::string>& cmd :
         {std::vector<std::string>{"migrate"}, {"showmigrations"}, {"sqlmigrate", "0001_initial"}, {"articles"},
          {"top-authors"}}) {
        std::vector<std::string> args = {"--db", db};
        args.insert(args.end(), cmd.begin(), cmd.end());
        Result r = run(args);
        BOOST_TEST(r.code == 1, cmd.front());
        BOOST_TEST(r.out == "", cmd.front());
        BOOST_TEST(r.err.find("schema version -1, which no folio writes") != std::string::npos, r.err);
    }
    BOOST_TEST(checksum(db) == before);
}

BOOST_AUTO_TEST_CASE(read_only_directory) {
    Small s;
    const auto as_user = unprivileged();
    if (!as_user.empty() && run({"--version"}, {}, as_user).code != 0) {
        BOOST_TEST_MESSAGE("setpriv cannot drop root here; read-only directory case skipped");
        return;
    }
    fs::permissions(s.db, fs::perms::all & ~fs::perms::owner_exec & ~fs::perms::group_exec & ~fs::perms::others_exec);
    // r-x for everyone: nobody may create PATH-wal / PATH-shm beside the file.
    fs::permissions(s.dir.path(), fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                      fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
    struct Restore {
        fs::path p;
        ~Restore() { fs::permissions(p, fs::perms::owner_all, fs::perm_options::add); }
    } restore{s.dir.path()};
    const std::string before = checksum(s.db);
    // Commands that only read open the file read-only and work; so does a
    // migrate with nothing to apply (it checks before it writes).
    for (const std::vector<std::string>& cmd : {std::vector<std::string>{"top-authors"}, {"articles"},
                                                {"showmigrations"}, {"export-articles", "-"}, {"migrate"}}) {
        std::vector<std::string> args = {"--db", s.db};
        args.insert(args.end(), cmd.begin(), cmd.end());
        Result r = run(args, {}, as_user);
        BOOST_TEST(r.code == 0, cmd.front() << ": " << r.err);
        BOOST_TEST(!r.out.empty(), cmd.front());
    }
    // Commands that write say what to fix: the directory, for WAL.
    for (const std::vector<std::string>& cmd : {std::vector<std::string>{"disallow-comments", "--before", "2000"},
                                                {"delete-tagged", "minus"}}) {
        std::vector<std::string> args = {"--db", s.db};
        args.insert(args.end(), cmd.begin(), cmd.end());
        Result r = run(args, {}, as_user);
        BOOST_TEST(r.code == 1, cmd.front());
        BOOST_TEST(r.err.find("directory of '" + s.db + "' must be writable") != std::string::npos, r.err);
        BOOST_TEST(r.err.find("WAL") != std::string::npos, r.err);
    }
    fs::permissions(s.dir.path(), fs::perms::owner_all, fs::perm_options::add);
    BOOST_TEST(checksum(s.db) == before);
}

BOOST_AUTO_TEST_CASE(a_mistyped_db_on_a_read_only_command_creates_nothing) {
    TempDir dir;
    const std::string typo = dir / "blgo.sqlite3";
    for (const std::vector<std::string>& cmd :
         {std::vector<std::string>{"top-authors"}, {"articles"}, {"author", "ann"}, {"showmigrations"},
          {"sqlmigrate", "0001_initial"}, {"export-articles", dir / "out.csv"}}) {
        std::vector<std::string> args = {"--db", typo};
        args.insert(args.end(), cmd.begin(), cmd.end());
        Result r = run(args);
        BOOST_TEST(r.code == 1, cmd.front());
        BOOST_TEST(r.err.find("no database at '" + typo + "'") != std::string::npos, r.err);
        BOOST_TEST(!fs::exists(typo), cmd.front());
    }
    BOOST_TEST(!fs::exists(dir / "out.csv"));
    // The same through $FOLIO_DB.
    Result e = run({"top-authors"}, {"FOLIO_DB=" + typo});
    BOOST_TEST(e.code == 1);
    BOOST_TEST(!fs::exists(typo));
    // An existing file not yet migrated: say to migrate, write nothing.
    write_file(typo, "");
    Result m = run({"--db", typo, "articles"});
    BOOST_TEST(m.code == 1);
    BOOST_TEST(m.err.find("migrate") != std::string::npos, m.err);
    BOOST_TEST(fs::file_size(typo) == 0u);
}

BOOST_AUTO_TEST_CASE(tour_keeps_to_its_own_file) {
    Small s;
    const std::string before = checksum(s.db);
    // $FOLIO_DB names the user's blog: the tour leaves it alone.
    Result t = run({"tour", "--authors", "20", "--articles", "100"}, {"FOLIO_DB=" + s.db}, in_dir(s.dir / ""));
    BOOST_REQUIRE_MESSAGE(t.code == 0, t.err);
    BOOST_TEST(checksum(s.db) == before);
    BOOST_TEST(fs::exists(s.dir / "folio-tour.sqlite3"));
    BOOST_TEST(t.out.find("`folio --db folio-tour.sqlite3 articles`") != std::string::npos, t.out);
    // Named with --db and holding data: refused without --force, nothing touched.
    Result refused = run({"--db", s.db, "tour", "--authors", "20", "--articles", "100"});
    BOOST_TEST(refused.code == 2);
    BOOST_TEST(refused.err.find("--force") != std::string::npos, refused.err);
    BOOST_TEST(refused.err.find("20 articles") != std::string::npos, refused.err);
    BOOST_TEST(checksum(s.db) == before);
    Result forced = run({"--db", s.db, "tour", "--force", "--authors", "20", "--articles", "100"});
    BOOST_REQUIRE_MESSAGE(forced.code == 0, forced.err);
    BOOST_TEST(forced.out.find("`folio --db " + s.db + " articles`") != std::string::npos, forced.out);
    BOOST_TEST(count_of(s.db, "SELECT count(*) FROM author") == 20);
    // A path with a space is quoted in the hint, so that it can be pasted.
    const std::string spaced = s.dir / "my blog.sqlite3";
    Result q = run({"--db", spaced, "tour", "--authors", "5", "--articles", "10"});
    BOOST_REQUIRE_MESSAGE(q.code == 0, q.err);
    BOOST_TEST(q.out.find("`folio --db '" + spaced + "' articles`") != std::string::npos, q.out);
}
