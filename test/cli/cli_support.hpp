// Shared helpers for the CLI tests: running the built `folio` binary (path in
// $FOLIO_BIN, set by meson) as a child process with its output captured, a
// self-deleting temporary directory, and a checksum of a database's content
// used to prove that a failed command wrote nothing.
#pragma once

#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <folio/folio.hpp>

// Lets BOOST_TEST print folio::Value operands when a comparison fails.
namespace folio {
inline std::ostream& boost_test_print_type(std::ostream& os, const Value& v) { return os << v.repr(); }
} // namespace folio

namespace cli_test {

namespace fs = std::filesystem;

inline std::string folio_bin() {
    const char* p = std::getenv("FOLIO_BIN");
    BOOST_REQUIRE_MESSAGE(p && *p, "FOLIO_BIN must name the built folio executable");
    return p;
}

class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        path_ = fs::temp_directory_path() /
                ("folio-cli-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }
    std::string operator/(const std::string& name) const { return (path_ / name).string(); }

private:
    fs::path path_;
};

inline void write_file(const std::string& p, const std::string& content) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << content;
    BOOST_REQUIRE(out.good());
}

inline std::string read_file(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Result {
    int code = -1;  // exit status, or 128 + signal when killed
    std::string out, err;
};

// Starts folio with `args`; stdout/stderr go to files under `dir`. Extra
// environment entries ("NAME=value") are set in the child only. A `wrapper`
// (e.g. {"setpriv", "--reuid=65534", ...}) runs folio as its last argument
// before `args`: `wrapper... folio args...`, found on $PATH.
inline pid_t spawn(const std::vector<std::string>& args, const std::string& out_file, const std::string& err_file,
                   const std::vector<std::string>& env = {}, const std::vector<std::string>& wrapper = {}) {
    const std::string bin = folio_bin();
    pid_t pid = ::fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        int in = ::open("/dev/null", O_RDONLY);
        int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0 || err < 0) ::_exit(127);
        ::dup2(in, 0);
        ::dup2(out, 1);
        ::dup2(err, 2);
        ::unsetenv("FOLIO_DB");
        for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
        std::vector<char*> argv;
        for (const auto& w : wrapper) argv.push_back(const_cast<char*>(w.c_str()));
        argv.push_back(const_cast<char*>(bin.c_str()));
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        if (wrapper.empty()) ::execv(bin.c_str(), argv.data());
        else ::execvp(argv[0], argv.data());
        ::_exit(127);
    }
    return pid;
}

inline int wait_code(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Runs folio to completion in `cwd`'s temp files and returns its exit code and output.
inline Result run(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                  const std::vector<std::string>& wrapper = {}) {
    static std::atomic<int> n{0};
    const fs::path base = fs::temp_directory_path() / ("folio-cli-run-" + std::to_string(::getpid()) + "-" +
                                                       std::to_string(n++));
    Result r;
    r.code = wait_code(spawn(args, base.string() + ".out", base.string() + ".err", env, wrapper));
    r.out = read_file(base.string() + ".out");
    r.err = read_file(base.string() + ".err");
    fs::remove(base.string() + ".out");
    fs::remove(base.string() + ".err");
    return r;
}

// A wrapper for run() that starts folio in directory `dir`.
inline std::vector<std::string> in_dir(const std::string& dir) {
    return {"sh", "-c", "cd \"$0\" && exec \"$@\"", dir};
}

inline std::size_t lines(const std::string& s) {
    std::size_t n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

// Lines of `err` that list a record rejected by --skip-invalid.
inline std::size_t rejected_lines(const std::string& err) {
    std::size_t n = 0;
    for (std::size_t at = err.find("rejected: "); at != std::string::npos; at = err.find("rejected: ", at + 1))
        n += at == 0 || err[at - 1] == '\n';
    return n;
}

// A database's content: row counts and a hash of every row of the blog's
// tables (the links without their surrogate id), plus the schema version.
inline std::string checksum(const std::string& db_path) {
    folio::Database db(db_path);
    std::string summary;
    const std::vector<std::pair<std::string, std::string>> tables = {
        {"author", "SELECT * FROM author ORDER BY id"},
        {"tag", "SELECT * FROM tag ORDER BY id"},
        {"article", "SELECT * FROM article ORDER BY id"},
        {"article_tags", "SELECT article_id, tag_id FROM article_tags ORDER BY article_id, tag_id"},
    };
    summary += "version=" + db.scalar("PRAGMA user_version").repr();
    for (const auto& [name, sql] : tables) {
        if (db.scalar("SELECT count(*) FROM sqlite_schema WHERE name = ?", {name}).as_integer() == 0) continue;
        std::uint64_t h = 1469598103934665603ull, rows = 0;
        folio::Statement st = db.prepare(sql);
        while (st.step()) {
            ++rows;
            for (int i = 0; i < st.column_count(); ++i)
                for (char c : st.column(i).repr(std::string::npos) + "\x1f") h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
        }
        summary += " " + name + "=" + std::to_string(rows) + "#" + std::to_string(h);
    }
    return summary;
}

inline std::int64_t count_of(const std::string& db_path, const std::string& sql) {
    folio::Database db(db_path);
    return db.scalar(sql).as_integer();
}

} // namespace cli_test
