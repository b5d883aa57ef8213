// serve_load.cpp: folio-serve-load, the load on `folio serve`: N concurrent
// clients (cpp-httplib, loopback only) ask for list pages for a fixed time
// while an import writes to the same database file, as a blog being read
// while its editor imports. Reports requests per second, p50/p99 latency,
// errors (anything but a 200 page, or a failed connection) and busy
// failures (the import refused with SQLITE_BUSY/LOCKED, or a 500 from the
// server), and exits 1 when either is not zero. Bounded: the clients stop at
// the deadline, the server is stopped with SIGTERM, each request times out.
//
//   folio-serve-load --folio build/demo/folio --clients 16 --seconds 20
#include <httplib.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <folio/folio.hpp>
#include <folio/io/datagen.hpp>

#include "serve_child.hpp"  // test/serve/: the child process, shared with the serve suite

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    std::string folio;
    std::size_t clients = 16;
    double seconds = 20;
    std::size_t authors = 200;
    std::size_t articles = 10000;
    std::size_t content_bytes = 5000;
    std::size_t import_articles = 200;  // per import transaction
    int threads = 16;                   // the server's workers
    std::string dir;                    // where the database goes (default: a temporary directory)
};

struct ClientStats {
    std::vector<double> ms;
    std::size_t errors = 0, server_errors = 0;
};

double percentile(std::vector<double>& v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    CLI::App app{"folio-serve-load: concurrent clients on `folio serve`'s list page while an import writes"};
    app.add_option("--folio", o.folio, "the folio executable")->required()->check(CLI::ExistingFile);
    app.add_option("--clients", o.clients, "concurrent clients")->capture_default_str()->check(CLI::Range(1, 256));
    app.add_option("--seconds", o.seconds, "how long the clients ask")->capture_default_str()->check(CLI::Range(0.5, 600.0));
    app.add_option("--authors", o.authors, "authors in the data set")->capture_default_str()->check(CLI::Range(1, 100000));
    app.add_option("--articles", o.articles, "articles in the data set")->capture_default_str()->check(CLI::Range(1, 1000000));
    app.add_option("--content-bytes", o.content_bytes, "bytes of content per article")->capture_default_str();
    app.add_option("--import-articles", o.import_articles, "articles per import while the clients ask")
        ->capture_default_str()->check(CLI::Range(1, 100000));
    app.add_option("--threads", o.threads, "the server's worker threads")->capture_default_str()->check(CLI::Range(1, 256));
    app.add_option("--dir", o.dir, "directory for the database (default: a fresh temporary one, removed after)");
    CLI11_PARSE(app, argc, argv);

    const bool own_dir = o.dir.empty();
    const fs::path dir = own_dir ? fs::temp_directory_path() / fmt::format("folio-serve-load-{}", ::getpid()) : fs::path(o.dir);
    fs::create_directories(dir);
    struct Cleanup {
        fs::path dir;
        bool on;
        ~Cleanup() {
            std::error_code ec;
            if (on) fs::remove_all(dir, ec);
        }
    } cleanup{dir, own_dir};
    const std::string db = (dir / "load.sqlite3").string();
    fs::remove(db);

    try {
        // The data set, and a separate batch of articles for the import to write while the clients read.
        folio::io::GenOptions g;
        g.authors = o.authors;
        g.articles = o.articles;
        g.content_bytes = o.content_bytes;
        {
            std::ofstream a(dir / "authors.json"), b(dir / "articles.json");
            folio::io::write_authors_json(a, g);
            folio::io::write_articles_json(b, g);
            // The import's batch: articles by the same authors (usernames depend on the
            // seed), written again as new rows each time.
            folio::io::GenOptions more = g;
            more.articles = o.import_articles;
            std::ofstream c(dir / "more.json");
            folio::io::write_articles_json(c, more);
        }
        {
            folio::Blog blog = folio::Blog::open(db);
            folio::import_authors(blog, dir / "authors.json");
            folio::import_articles(blog, dir / "articles.json");
        }
        std::cout << fmt::format("data: {} authors, {} articles of ~{} bytes in {}\n", o.authors, o.articles,
                                 o.content_bytes, db);

        serve_child::ServeChild server(o.folio, db, (dir / "serve.log").string(),
                                       {"--threads", std::to_string(o.threads)});
        const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
        std::atomic<bool> stop_writer{false};
        std::size_t imports = 0, busy = 0, import_errors = 0;
        std::string first_import_error;
        std::thread writer([&] {
            folio::Blog blog = folio::Blog::open(db);
            while (!stop_writer) {
                try {
                    folio::import_articles(blog, dir / "more.json");
                    ++imports;
                } catch (const folio::OperationalError& e) {
                    const int code = e.sqlite_code();
                    if (code == 5 || code == 6) ++busy;  // SQLITE_BUSY, SQLITE_LOCKED
                    else ++import_errors;
                    if (first_import_error.empty()) first_import_error = e.what();
                } catch (const std::exception& e) {
                    ++import_errors;
                    if (first_import_error.empty()) first_import_error = e.what();
                }
            }
        });
        std::vector<ClientStats> stats(o.clients);
        std::vector<std::thread> clients;
        for (std::size_t c = 0; c < o.clients; ++c) {
            clients.emplace_back([&, c] {
                httplib::Client http(server.host(), server.port());
                http.set_read_timeout(10, 0);
                http.set_connection_timeout(5, 0);
                // A browser keeps its connection; a new one per request would
                // also measure httplib's listen backlog of 5 (SYN retries of 1 s).
                http.set_keep_alive(true);
                ClientStats& s = stats[c];
                for (std::size_t i = 0; Clock::now() < deadline; ++i) {
                    const std::string path = fmt::format("/?page={}", 1 + (c + i) % 5);
                    const auto t0 = Clock::now();
                    auto r = http.Get(path.c_str());
                    s.ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
                    if (!r || r->status != 200) ++s.errors;
                    if (r && r->status == 500) ++s.server_errors;
                }
            });
        }
        for (auto& t : clients) t.join();
        stop_writer = true;
        writer.join();
        const int stopped = server.stop();

        std::vector<double> all;
        std::size_t errors = 0, server_errors = 0;
        for (auto& s : stats) {
            all.insert(all.end(), s.ms.begin(), s.ms.end());
            errors += s.errors;
            server_errors += s.server_errors;
        }
        const std::size_t requests = all.size();
        const double p50 = percentile(all, 0.50), p99 = percentile(all, 0.99);
        std::cout << fmt::format(
            "{} clients x {:.0f} s on the list page (server: {} threads), import of {} articles running meanwhile\n"
            "requests: {}  rps: {:.0f}  p50: {:.2f} ms  p99: {:.2f} ms  errors: {}  busy failures: {}\n"
            "imports committed: {} ({} articles written), import errors: {}; server exit status on SIGTERM: {}\n",
            o.clients, o.seconds, o.threads, o.import_articles, requests, static_cast<double>(requests) / o.seconds, p50,
            p99, errors, busy + server_errors, imports, imports * o.import_articles, import_errors, stopped);
        if (!first_import_error.empty()) std::cout << "first import error: " << first_import_error << '\n';
        const bool ok = errors == 0 && busy == 0 && server_errors == 0 && import_errors == 0 && imports > 0 &&
                        stopped == 0 && requests > 0;
        if (!ok) std::cout << "FAILED: expected 0 errors, 0 busy failures, at least one import and a clean stop\n";
        return ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "folio-serve-load: " << e.what() << '\n';
        return 1;
    }
}
