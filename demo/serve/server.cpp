// server.cpp: `folio serve`. cpp-httplib (Debian's libcpp-httplib-dev)
// accepts connections and runs each request on one of its worker threads;
// every worker has its own Blog (thread_blogs.hpp). A request gets an id,
// its page (pages.cpp), optionally its query panel (panel.cpp), and one
// access-log line on stderr. Visitor mistakes become 400/404 pages; a
// database failure a 500 page with one line, its details in the log.
//
// Stopping: SIGINT/SIGTERM are blocked in every thread and taken by one
// watcher thread with sigtimedwait(), which calls Server::stop() (not
// async-signal-safe, hence not from a handler); listen returns once the
// requests in flight are answered.
#include "server.hpp"

#include <httplib.h>

#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <functional>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include <folio/errors.hpp>

#include "html.hpp"
#include "pages.hpp"
#include "panel.hpp"
#include "thread_blogs.hpp"

namespace folio_cli::web {

namespace {

// Set by the pre-routing handler for the request the worker runs now, read
// by the route and by the access log (same thread, same request).
thread_local std::uint64_t current_id = 0;
thread_local std::chrono::steady_clock::time_point current_start;

std::optional<std::string> param(const httplib::Request& req, const char* key) {
    if (!req.has_param(key)) return std::nullopt;
    return req.get_param_value(key);
}

std::string one_line(std::string s) {
    for (char& c : s)
        if (c == '\n' || c == '\r') c = ' ';
    return s;
}

class Site {
public:
    Site(const ServeOptions& o) : options_(o), blogs_(o.db) {}

    void install(httplib::Server& svr) {
        svr.set_pre_routing_handler([this](const httplib::Request&, httplib::Response&) {
            current_id = ++next_id_;
            current_start = std::chrono::steady_clock::now();
            return httplib::Server::HandlerResponse::Unhandled;
        });
        svr.Get("/", [this](const httplib::Request& q, httplib::Response& r) {
            respond(q, r, [&](Pages& p) { return p.list(parse_page(param(q, "page")), parse_variant(param(q, "variant"))); });
        });
        svr.Get("/top", [this](const httplib::Request& q, httplib::Response& r) {
            respond(q, r, [&](Pages& p) { return p.top(); });
        });
        svr.Get(R"(/authors/(.+))", [this](const httplib::Request& q, httplib::Response& r) {
            respond(q, r, [&](Pages& p) { return p.author(q.matches[1], parse_page(param(q, "page"))); });
        });
        svr.Get(R"(/articles/([^/]+))", [this](const httplib::Request& q, httplib::Response& r) {
            respond(q, r, [&](Pages& p) { return p.article(parse_id(q.matches[1])); });
        });
        if (options_.panel) {
            svr.Get(R"(/__panel/(\d{1,19})\.json)", [this](const httplib::Request& q, httplib::Response& r) {
                auto rec = panels_.get(std::stoull(q.matches[1]));
                if (!rec) {
                    r.status = 404;
                    r.set_content(R"json({"error": "no such request (only the last 200 are kept)"})json", "application/json");
                    return;
                }
                r.set_content(panel_json(*rec), "application/json");
            });
            svr.Get(R"(/__panel/(\d{1,19})/explain/(\d{1,9}))", [this](const httplib::Request& q, httplib::Response& r) {
                guarded(q, r, "EXPLAIN QUERY PLAN", [&] {
                    auto rec = panels_.get(std::stoull(q.matches[1]));
                    if (!rec) throw HttpError(404, "no such request (only the last 200 are kept)");
                    return explain_body(*rec, std::stoul(q.matches[2]), blogs_.local().db());
                });
            });
        }
        // Unmatched paths and methods: the site's own 404 page (httplib's is empty).
        svr.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& r) {
            if (!r.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
            r.set_content(layout("Not found", error_body(r.status, "There is nothing at this address.")),
                          "text/html; charset=utf-8");
            return httplib::Server::HandlerResponse::Handled;
        }));
        // A last resort: whatever escaped a route is a 500, logged.
        svr.set_exception_handler([](const httplib::Request&, httplib::Response& r, std::exception_ptr ep) {
            std::string what = "unknown exception";
            try {
                std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                what = e.what();
            } catch (...) {
            }
            log_line(fmt::format("folio serve: request #{}: {}", current_id, one_line(what)));
            r.status = 500;
            r.set_content(layout("Server error", error_body(500, "The server could not answer this request.")),
                          "text/html; charset=utf-8");
        });
        svr.set_logger([](const httplib::Request& q, const httplib::Response& r) {
            const double ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - current_start).count();
            std::time_t now = std::time(nullptr);
            std::tm tm{};
            gmtime_r(&now, &tm);
            char when[32];
            std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
            log_line(fmt::format("{} [{}] \"{} {} {}\" {} {} {:.2f}ms #{}", q.remote_addr, when, q.method,
                                 one_line(q.target), q.version, r.status, r.body.size(), ms, current_id));
        });
    }

    // One line on stderr, whole even when workers log at once.
    static void log_line(const std::string& line) {
        static std::mutex m;
        std::lock_guard lock(m);
        std::cerr << line << '\n';
    }

    folio::Blog& open_main() { return blogs_.local(); }

private:
    // Runs `body` (the markup of the page), turning errors into pages.
    void guarded(const httplib::Request& q, httplib::Response& r, const char* title,
                 const std::function<std::string()>& body) {
        std::string markup;
        try {
            markup = layout(title, body());
        } catch (const HttpError& e) {
            r.status = e.status();
            markup = layout(e.status() == 400 ? "Bad request" : "Not found", error_body(e.status(), e.what()));
        } catch (const std::exception& e) {
            server_error(q, r, e, markup);
        }
        r.set_header("X-Folio-Request-Id", std::to_string(current_id));
        r.set_content(markup, "text/html; charset=utf-8");
    }

    void server_error(const httplib::Request& q, httplib::Response& r, const std::exception& e, std::string& markup) {
        log_line(fmt::format("folio serve: request #{} {} {}: {}", current_id, q.method, one_line(q.target),
                             one_line(e.what())));
        r.status = 500;
        markup = layout("Server error", error_body(500, fmt::format("The database could not serve this page "
                                                                    "(request #{}; the details are in the server's log).",
                                                                    current_id)));
    }

    void respond(const httplib::Request& q, httplib::Response& r, const std::function<Page(Pages&)>& build) {
        int status = 200;
        Page page;
        std::string panel;
        try {
            folio::Blog& blog = blogs_.local();
            std::optional<RequestPanel> watch;
            if (options_.panel) watch.emplace(blog.db());
            Pages pages(blog);
            try {
                page = build(pages);
            } catch (const HttpError& e) {
                status = e.status();
                page = {status == 400 ? "Bad request" : "Not found", error_body(status, e.what())};
            } catch (const folio::ValidationError&) {
                // A value from the address that no row can hold (a name that is
                // not UTF-8, which filter() refuses): there is nothing there.
                status = 404;
                page = {"Not found", error_body(status, "There is nothing at this address.")};
            }
            if (watch) {
                PanelRecord rec = watch->finish();
                rec.id = current_id;
                rec.method = q.method;
                rec.target = q.target;
                rec.status = status;
                panel = panel_html(rec);
                panels_.add(std::move(rec));
            }
        } catch (const std::exception& e) {
            std::string markup;
            server_error(q, r, e, markup);
            r.set_header("X-Folio-Request-Id", std::to_string(current_id));
            r.set_content(markup, "text/html; charset=utf-8");
            return;
        }
        r.status = status;
        r.set_header("X-Folio-Request-Id", std::to_string(current_id));
        r.set_content(layout(page.title, page.body, panel), "text/html; charset=utf-8");
    }

    const ServeOptions& options_;
    ThreadBlogs blogs_;
    PanelStore panels_;
    std::atomic<std::uint64_t> next_id_{0};
};

// Blocks SIGINT/SIGTERM in the calling thread (and so in every thread it
// starts), and stops `svr` when one arrives.
class SignalStop {
public:
    explicit SignalStop(httplib::Server& svr) {
        sigemptyset(&set_);
        sigaddset(&set_, SIGINT);
        sigaddset(&set_, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set_, &old_);
        watcher_ = std::thread([this, &svr] {
            const timespec tick{0, 100 * 1000 * 1000};
            while (!done_) {
                const int sig = sigtimedwait(&set_, nullptr, &tick);
                if (sig == SIGINT || sig == SIGTERM) {
                    Site::log_line(fmt::format("folio serve: {} received, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM"));
                    // listen_after_bind() may not have started yet: keep asking until it stops.
                    while (!done_ && !svr.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
                    svr.stop();
                    return;
                }
            }
        });
    }
    ~SignalStop() {
        done_ = true;
        watcher_.join();
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    SignalStop(const SignalStop&) = delete;
    SignalStop& operator=(const SignalStop&) = delete;

private:
    sigset_t set_, old_;
    std::atomic<bool> done_{false};
    std::thread watcher_;
};

} // namespace

int serve(const ServeOptions& options) {
    if (options.threads < 1) throw std::invalid_argument("--threads must be at least 1");
    Site site(options);
    folio::Blog& main_blog = site.open_main();  // opens and migrates now: a bad file fails before listening
    (void)main_blog;
    httplib::Server svr;
    const std::size_t threads = static_cast<std::size_t>(options.threads);
    svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    site.install(svr);
    // Keep-alive connections (browsers, the load tool) are served until idle
    // for 5 s, not closed after httplib's default of 5 requests.
    svr.set_keep_alive_max_count(1000);
    // SO_REUSEADDR for a quick restart, but not httplib's default SO_REUSEPORT:
    // a second server on a busy port must fail, not share it silently.
    svr.set_socket_options([](int sock) {
        int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    SignalStop stop(svr);  // before any worker thread exists, so they inherit the mask
    int port = options.port;
    if (port == 0) port = svr.bind_to_any_port(options.host);
    else if (!svr.bind_to_port(options.host, port)) port = -1;
    if (port < 0)
        throw std::runtime_error(fmt::format("cannot listen on {}:{} (address in use or not local?)", options.host,
                                             options.port));
    std::cout << fmt::format("folio serve: listening on http://{}:{}/ (database {}, {} threads{})", options.host, port,
                             options.db, options.threads, options.panel ? ", query panel on" : "")
              << std::endl;
    svr.listen_after_bind();
    Site::log_line("folio serve: stopped");
    return 0;
}

} // namespace folio_cli::web
