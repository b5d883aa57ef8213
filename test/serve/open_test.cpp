// open_test.cpp: how `folio serve` opens its database: as the CLI's commands
// that only read (a mistyped --db is an error, not a new empty blog; an
// unmigrated file is not migrated; a file in a directory the server cannot
// write is served).
#include "served_blog.hpp"

#include <sys/wait.h>

#include <thread>

using namespace serve_test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// `folio ARGS...` with a deadline: its exit code, or -1 when it was still
// running after `limit` (a server that started where it should have refused).
cli_test::Result run_bounded(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                             std::chrono::seconds limit = 10s) {
    TempDir out;
    const pid_t pid = cli_test::spawn(args, out / "out", out / "err", env);
    cli_test::Result r;
    r.code = -1;
    for (auto until = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < until;
         std::this_thread::sleep_for(20ms)) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
    }
    if (r.code == -1) {
        ::kill(pid, SIGKILL);
        cli_test::wait_code(pid);
    }
    r.out = cli_test::read_file(out / "out");
    r.err = cli_test::read_file(out / "err");
    return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(serve_open)

BOOST_AUTO_TEST_CASE(a_missing_or_unmigrated_database_is_refused_and_nothing_is_written) {
    if (sqlite_only("a database file that does not exist or holds no blog")) return;
    TempDir dir;
    const std::string typo = dir / "nope.sqlite3";
    for (const auto& env : {std::vector<std::string>{}, std::vector<std::string>{"FOLIO_DB=" + typo}}) {
        std::vector<std::string> args = {"serve", "--port", "0"};
        if (env.empty()) args.insert(args.begin(), {"--db", typo});
        cli_test::Result r = run_bounded(args, env);
        BOOST_TEST(r.code == 1, r.code << ": " << r.out << r.err);
        BOOST_TEST(r.err.find("no database at '" + typo + "'") != std::string::npos, r.err);
        BOOST_TEST(r.out.find("listening") == std::string::npos, r.out);
        BOOST_TEST(!fs::exists(typo));
    }
    // A file that is not a migrated blog: said so, and left as it was.
    cli_test::write_file(typo, "");
    cli_test::Result m = run_bounded({"--db", typo, "serve", "--port", "0"});
    BOOST_TEST(m.code == 1, m.code << ": " << m.out << m.err);
    BOOST_TEST(m.err.find("run `folio --db " + typo + " migrate` first") != std::string::npos, m.err);
    BOOST_TEST(fs::file_size(typo) == 0u);
    BOOST_TEST(!fs::exists(typo + "-wal"));
}

BOOST_AUTO_TEST_CASE(a_blog_in_a_directory_the_server_cannot_write_is_served) {
    if (sqlite_only("file permissions, read-only and immutable opening, the WAL's -shm file")) return;
    TempDir dir;
    const std::string db = dir / "blog.sqlite3";
    make_blog(db);
    const auto as_user = folio_test::unprivileged();  // setpriv to nobody under root
    if (!as_user.empty() && cli_test::run({"--version"}, {}, as_user).code != 0) {
        BOOST_TEST_MESSAGE("setpriv cannot drop root here; read-only directory case skipped");
        return;
    }
    const std::string before = cli_test::checksum(db);
    struct Restore {
        fs::path p;
        ~Restore() { fs::permissions(p, fs::perms::owner_all, fs::perm_options::add); }
    } restore{dir.path()};
    const auto read_only_dir = [&] {
        fs::permissions(dir.path(), fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                        fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
    };
    const std::string log = fs::temp_directory_path() / ("folio-serve-ro-" + std::to_string(::getpid()) + ".log");
    {
        // No writer (no PATH-wal): SQLite cannot create PATH-shm, so the file is read immutable.
        read_only_dir();
        ServerProcess server(db, log, {}, as_user);
        for (const char* path : {"/", "/top", "/articles/1", "/authors/ann"}) {
            auto r = server.client().Get(path);
            BOOST_REQUIRE_MESSAGE(r, path);
            BOOST_TEST(r->status == 200, path);
        }
        BOOST_TEST(server.stop() == 0);
        BOOST_TEST(!fs::exists(db + "-shm"));
        BOOST_TEST(cli_test::checksum(db) == before);  // nothing written, nothing migrated
    }
    fs::permissions(dir.path(), fs::perms::owner_all, fs::perm_options::add);
    {
        // A writer holds the file open (its PATH-wal and PATH-shm exist and
        // are readable): a plain read-only open reads through them and sees its commits.
        Database writer(db);
        writer.execute("UPDATE author SET bio = 'written while served' WHERE username = 'ann'");
        BOOST_REQUIRE(fs::exists(db + "-shm"));
        read_only_dir();
        ServerProcess server(db, log, {}, as_user);
        auto r = server.client().Get("/authors/ann");
        BOOST_REQUIRE(r);
        BOOST_TEST(r->status == 200);
        BOOST_TEST(r->body.find("written while served") != std::string::npos);
        BOOST_TEST(server.stop() == 0);
    }
    fs::remove(log);
}

BOOST_AUTO_TEST_SUITE_END()
