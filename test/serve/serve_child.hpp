// serve_child.hpp: `folio serve` as a child process, for the serve tests and
// the load tool (bench/serve_load.cpp): starts it on an ephemeral loopback
// port (--port 0), reads the port from its first stdout line, sends its
// stderr (the access log) to a file, and stops it with a signal, returning
// the exit status. Header-only and free of Boost, so both can use it.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace serve_child {

class ServeChild {
public:
    // Runs `PREFIX... folio --db DB serve --port 0 EXTRA...` (a prefix such
    // as setpriv runs it as another user; found on $PATH); throws
    // std::runtime_error when it does not print its address (see `log_file`).
    ServeChild(const std::string& folio, const std::string& db, const std::string& log_file,
               const std::vector<std::string>& extra = {}, const std::vector<std::string>& prefix = {}) {
        int out[2];
        if (::pipe(out) != 0) throw std::runtime_error("pipe() failed");
        std::vector<std::string> args = prefix;
        args.insert(args.end(), {folio, "--db", db, "serve", "--port", "0"});
        args.insert(args.end(), extra.begin(), extra.end());
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork() failed");
        if (pid_ == 0) {
            ::dup2(out[1], 1);
            const int err = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (err >= 0) ::dup2(err, 2);
            ::close(out[0]);
            ::close(out[1]);
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execvp(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(out[1]);
        // "folio serve: listening on http://HOST:PORT/ ..." (HOST in brackets when IPv6)
        std::FILE* f = ::fdopen(out[0], "r");
        char line[512] = {};
        const bool got = std::fgets(line, sizeof line, f) != nullptr;
        std::fclose(f);
        first_line_ = line;
        const std::string marker = "listening on http://";
        const auto at = first_line_.find(marker);
        const auto slash = at == std::string::npos ? at : first_line_.find('/', at + marker.size());
        const auto colon = slash == std::string::npos ? slash : first_line_.rfind(':', slash);
        if (!got || colon == std::string::npos || colon < at + marker.size())
            throw std::runtime_error("folio serve did not start (first line: '" + first_line_ + "'); see " + log_file);
        host_ = first_line_.substr(at + marker.size(), colon - at - marker.size());
        if (host_.size() > 2 && host_.front() == '[') host_ = host_.substr(1, host_.size() - 2);
        port_ = std::stoi(first_line_.substr(colon + 1));
    }
    ~ServeChild() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    ServeChild(const ServeChild&) = delete;
    ServeChild& operator=(const ServeChild&) = delete;

    int port() const { return port_; }
    // The address it listens on, as printed (an IPv6 one without brackets).
    const std::string& host() const { return host_; }
    const std::string& first_line() const { return first_line_; }
    // Sends `sig`, waits at most 20 s; the exit status, or -1 when it did
    // not exit normally in time.
    int stop(int sig = SIGTERM) {
        ::kill(pid_, sig);
        for (int i = 0; i < 200; ++i) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return -1;
    }

private:
    pid_t pid_ = -1;
    int port_ = 0;
    std::string host_;
    std::string first_line_;
};

} // namespace serve_child
