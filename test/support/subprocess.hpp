// subprocess.hpp: the built `folio` binary ($FOLIO_BIN, set by meson) run as
// a child process with its output captured, for the CLI and serve suites.
#pragma once

#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "files.hpp"

namespace folio_test {

inline std::string folio_bin() {
    const char* p = std::getenv("FOLIO_BIN");
    BOOST_REQUIRE_MESSAGE(p && *p, "FOLIO_BIN must name the built folio executable");
    return p;
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
    const std::filesystem::path base =
        std::filesystem::temp_directory_path() / ("folio-cli-run-" + std::to_string(::getpid()) + "-" +
                                                       std::to_string(n++));
    Result r;
    r.code = wait_code(spawn(args, base.string() + ".out", base.string() + ".err", env, wrapper));
    r.out = read_file(base.string() + ".out");
    r.err = read_file(base.string() + ".err");
    std::filesystem::remove(base.string() + ".out");
    std::filesystem::remove(base.string() + ".err");
    return r;
}

// A wrapper for run() that starts folio as user nobody where the tests run
// as root (which ignores file permissions); empty when already unprivileged.
inline std::vector<std::string> unprivileged() {
    if (::geteuid() != 0) return {};
    return {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
}

// A wrapper for run() that starts folio in directory `dir`.
inline std::vector<std::string> in_dir(const std::string& dir) {
    return {"sh", "-c", "cd \"$0\" && exec \"$@\"", dir};
}

} // namespace folio_test
