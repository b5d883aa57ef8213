// folio-bench harness implementation, part 1: Scale, timing, memory
// measurement (forked child, sampler thread) and statement counting; the
// Report lives in report.cpp. Linux-specific where memory is concerned
// (/proc/self/statm, /proc/self/status, /proc/self/clear_refs).
#include "harness.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace folio::bench {

Scale parse_scale(std::string_view text) {
    if (text == "tiny") return Scale::tiny;
    if (text == "small") return Scale::small;
    if (text == "full") return Scale::full;
    throw std::invalid_argument(fmt::format("unknown scale '{}' (tiny, small, full)", text));
}

std::string_view to_string(Scale s) {
    switch (s) {
        case Scale::tiny: return "tiny";
        case Scale::small: return "small";
        case Scale::full: return "full";
    }
    return "?";
}

std::string format_seconds(double s) {
    if (s >= 1) return fmt::format("{:.3g} s", s);
    if (s >= 1e-3) return fmt::format("{:.3g} ms", s * 1e3);
    if (s >= 1e-6) return fmt::format("{:.3g} µs", s * 1e6);
    return fmt::format("{:.3g} ns", s * 1e9);
}

// ---- timing ---------------------------------------------------------------

Timing time_runs(int runs, const std::function<void()>& setup, const std::function<void()>& body) {
    if (runs < 1) throw std::invalid_argument("time_runs: runs must be >= 1");
    Timing t;
    t.runs = runs;
    t.samples.reserve(static_cast<std::size_t>(runs));
    for (int i = 0; i < runs; ++i) {
        if (setup) setup();
        Stopwatch sw;
        body();
        t.samples.push_back(sw.seconds());
    }
    summarize(t);
    return t;
}

Timing time_runs(int runs, const std::function<void()>& body) { return time_runs(runs, {}, body); }

void summarize(Timing& t) {
    if (t.samples.empty()) throw std::invalid_argument("summarize: no samples");
    std::vector<double> sorted = t.samples;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t n = sorted.size();
    t.runs = static_cast<int>(n);
    t.min = sorted.front();
    t.median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

std::pair<Timing, Timing> time_alternating(int pairs, const std::function<void()>& a, const std::function<void()>& b) {
    if (pairs < 1) throw std::invalid_argument("time_alternating: pairs must be >= 1");
    std::vector<Timing> t = time_in_turns(pairs, {a, b});
    return {std::move(t[0]), std::move(t[1])};
}

std::vector<Timing> time_in_turns(int rounds, const std::vector<std::function<void()>>& bodies) {
    if (rounds < 1) throw std::invalid_argument("time_in_turns: rounds must be >= 1");
    std::vector<Timing> t(bodies.size());
    for (int i = 0; i < rounds; ++i)
        for (std::size_t k = 0; k < bodies.size(); ++k) {
            Stopwatch watch;
            bodies[k]();
            t[k].samples.push_back(watch.seconds());
        }
    for (Timing& one : t) summarize(one);
    return t;
}

// ---- memory ---------------------------------------------------------------

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

// Reads a small /proc file in one read(2): no iostream cost, cheap enough
// to call every few milliseconds.
std::string read_proc(const char* path) {
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

// Lets a fresh child's VmHWM start from its current RSS instead of the
// parent's peak, which fork copies along with the address space.
void reset_peak_rss() {
    int fd = ::open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return;
    [[maybe_unused]] ssize_t n = ::write(fd, "5", 1);
    ::close(fd);
}

void write_all(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

template <class T>
void put(std::string& out, T v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <class T>
T get(const std::string& in, std::size_t& pos) {
    if (pos + sizeof(T) > in.size()) throw std::runtime_error("measure_in_child: short reply");
    T v;
    std::memcpy(&v, in.data() + pos, sizeof v);
    pos += sizeof v;
    return v;
}

}  // namespace

double current_rss_mb() {
    const std::string statm = read_proc("/proc/self/statm");
    unsigned long long size = 0, resident = 0;
    if (std::sscanf(statm.c_str(), "%llu %llu", &size, &resident) != 2) return 0;
    return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)) / kMiB;
}

double peak_rss_mb() {
    const std::string status = read_proc("/proc/self/status");
    if (auto p = status.find("VmHWM:"); p != std::string::npos)
        return std::strtod(status.c_str() + p + 6, nullptr) / 1024.0;  // kB
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_maxrss) / 1024.0;  // kB on Linux
}

std::vector<MemSample> sample_memory(const std::function<void()>& body, std::chrono::milliseconds period) {
    std::vector<MemSample> samples;
    samples.reserve(4096);
    std::mutex m;
    std::condition_variable cv;
    bool stop = false;
    Stopwatch sw;
    samples.push_back({0.0, current_rss_mb()});
    // Only the sampler touches `samples` until join(); the flag needs the lock.
    std::thread sampler([&] {
        auto next = Stopwatch::clock::now() + period;
        std::unique_lock lock(m);
        while (!cv.wait_until(lock, next, [&] { return stop; })) {
            samples.push_back({sw.seconds(), current_rss_mb()});
            next += period;
        }
    });
    auto finish = [&] {
        {
            std::lock_guard lock(m);
            stop = true;
        }
        cv.notify_one();
        sampler.join();
    };
    try {
        body();
    } catch (...) {
        finish();
        throw;
    }
    finish();
    samples.push_back({sw.seconds(), current_rss_mb()});
    return samples;
}

ChildMemory measure_in_child(const std::function<std::vector<std::int64_t>()>& body, bool sample,
                             std::chrono::milliseconds period) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("measure_in_child: pipe failed");
    // Unflushed output would be written twice, once by each process.
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        throw std::runtime_error("measure_in_child: fork failed");
    }
    if (pid == 0) {
        ::close(fds[0]);
        std::string reply;
        try {
            reset_peak_rss();
            const double start = current_rss_mb();
            std::vector<MemSample> samples;
            std::vector<std::int64_t> values;
            Stopwatch sw;
            if (sample)
                samples = sample_memory([&] { values = body(); }, period);
            else
                values = body();
            const double seconds = sw.seconds();
            const double peak = std::max(peak_rss_mb(), start);
            reply = "O";
            put(reply, start);
            put(reply, peak);
            put(reply, seconds);
            put(reply, static_cast<std::uint64_t>(values.size()));
            for (std::int64_t v : values) put(reply, v);
            put(reply, static_cast<std::uint64_t>(samples.size()));
            for (const MemSample& s : samples) {
                put(reply, s.t_seconds);
                put(reply, s.rss_mb);
            }
        } catch (const std::exception& e) {
            reply = std::string("E") + e.what();
        } catch (...) {
            reply = "Eunknown exception";
        }
        write_all(fds[1], reply);
        std::cout.flush();
        ::_exit(0);  // no atexit handlers or static destructors of the parent's state
    }
    ::close(fds[1]);
    std::string reply;
    char buf[65536];
    for (;;) {  // read to EOF before waiting: the reply may exceed the pipe buffer
        ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        reply.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (reply.empty() || !WIFEXITED(status))
        throw std::runtime_error("measure_in_child: child died (signal or crash)");
    if (reply[0] == 'E') throw std::runtime_error("measure_in_child: " + reply.substr(1));
    ChildMemory out;
    std::size_t pos = 1;
    out.start_rss_mb = get<double>(reply, pos);
    out.peak_rss_mb = get<double>(reply, pos);
    out.seconds = get<double>(reply, pos);
    const auto nv = get<std::uint64_t>(reply, pos);
    for (std::uint64_t i = 0; i < nv; ++i) out.values.push_back(get<std::int64_t>(reply, pos));
    const auto n = get<std::uint64_t>(reply, pos);
    out.samples.reserve(n);
    for (std::uint64_t i = 0; i < n; ++i) {
        const double t = get<double>(reply, pos);
        out.samples.push_back({t, get<double>(reply, pos)});
    }
    return out;
}

// ---- statement counting ---------------------------------------------------

StatementCounter::StatementCounter(sqlite3* db, bool count_transaction_control)
    : db_(db), count_tx_(count_transaction_control) {
    // PROFILE fires once when a run of a top-level statement ends; STMT would
    // also fire for each trigger and foreign-key action subprogram it runs.
    sqlite3_trace_v2(db_, SQLITE_TRACE_PROFILE, &StatementCounter::on_trace, this);
}

StatementCounter::~StatementCounter() { sqlite3_trace_v2(db_, 0, nullptr, nullptr); }

int StatementCounter::on_trace(unsigned type, void* self, void* stmt, void*) {
    auto* me = static_cast<StatementCounter*>(self);
    auto* st = static_cast<sqlite3_stmt*>(stmt);
    if (type != SQLITE_TRACE_PROFILE) return 0;
    if (!me->count_tx_) {
        const char* sql = sqlite3_sql(st);
        while (sql && (*sql == ' ' || *sql == '\n' || *sql == '\t')) ++sql;
        std::string word;
        for (; sql && std::isalpha(static_cast<unsigned char>(*sql)); ++sql)
            word += static_cast<char>(std::toupper(static_cast<unsigned char>(*sql)));
        for (const char* kw : {"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"})
            if (word == kw) return 0;
    }
    ++me->count_;
    return 0;
}

}  // namespace folio::bench
