// server.cpp: `folio serve`. cpp-httplib (Debian's libcpp-httplib-dev)
// parses requests and writes responses; HttpServer (http_server.hpp) runs
// each connection on one of its worker threads, and every worker has its own
// Blog (thread_blogs.hpp). The site answers every request httplib parsed
// from its pre-routing handler: a page (pages.cpp) with optionally its
// query panel (panel.cpp), 405 for a method other than GET and HEAD, 404
// for an address that names nothing. Requests httplib rejects itself (a
// malformed request line, an unknown method, a URI too long) get the site's
// own error pages from the error handler. Every response, whatever its
// status, gets one access-log line on stderr.
//
// X-Folio-Request-Id, with --panel only: every response but the panel's own
// (/__panel/...) carries it, and /__panel/<id>.json then has that request's
// panel, whatever its status (a 405 or a rejected request has a panel with
// no statement). Without --panel, no response carries it.
//
// Stopping: SIGINT/SIGTERM are blocked in every thread and taken by one
// watcher thread with sigtimedwait(), which calls HttpServer::shutdown() (not
// async-signal-safe, hence not from a handler): connections waiting for a
// request close at once; requests being answered are answered first.
#include "server.hpp"

#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <functional>
#include <iostream>
#include <mutex>
#include <regex>
#include <set>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include <folio/errors.hpp>
#include <folio/explain.hpp>

#include "html.hpp"
#include "http_server.hpp"
#include "listen_address.hpp"
#include "pages.hpp"
#include "panel.hpp"
#include "request_head.hpp"
#include "text.hpp"
#include "thread_blogs.hpp"

namespace folio_cli::web {

namespace {

// The panel a page rendered, waiting for the response's final status; set
// and taken on the worker thread that answers the request.
thread_local std::optional<PanelRecord> pending_panel;

// The statement a request's database error came from, for the server's
// log: its whole SQL and its arguments (the error's own message shortens
// the SQL and names no argument). Listens to `log` while it lives; the
// Database must outlive it.
class FailedStatementWatch {
public:
    explicit FailedStatementWatch(folio::SqlLog& log)
        : log_(log), id_(log.add_listener([this](const folio::LoggedStatement& s) {
              if (s.failed()) last_ = s;
          })) {}
    ~FailedStatementWatch() { log_.remove_listener(id_); }
    FailedStatementWatch(const FailedStatementWatch&) = delete;
    FailedStatementWatch& operator=(const FailedStatementWatch&) = delete;

    // The last statement that failed while watched, if any.
    const std::optional<folio::LoggedStatement>& last() const { return last_; }

private:
    folio::SqlLog& log_;
    std::size_t id_;
    std::optional<folio::LoggedStatement> last_;
};

bool is_panel_path(const std::string& path) { return path.rfind("/__panel/", 0) == 0; }

void html(httplib::Response& r, int status, const std::string& markup) {
    r.status = status;
    r.set_content(markup, "text/html; charset=utf-8");
}

class Site {
public:
    // A route's handler; `m` holds the groups of its pattern in the path.
    using Handler = std::function<void(const httplib::Request&, const std::smatch& m, httplib::Response&)>;

    explicit Site(const ServeOptions& o) : options_(o), blogs_(o.db) {
        route(R"(/)", [this](const httplib::Request& q, const std::smatch&, httplib::Response& r) {
            page(q, r, [&](Pages& p) { return p.list(parse_page(query_param(q, "page")), parse_variant(query_param(q, "variant"))); });
        });
        route(R"(/top)", [this](const httplib::Request& q, const std::smatch&, httplib::Response& r) {
            page(q, r, [&](Pages& p) { return p.top(); });
        });
        route(R"(/authors/(.+))", [this](const httplib::Request& q, const std::smatch& m, httplib::Response& r) {
            page(q, r, [&](Pages& p) { return p.author(m[1], parse_page(query_param(q, "page"))); });
        });
        route(R"(/articles/([^/]+))", [this](const httplib::Request& q, const std::smatch& m, httplib::Response& r) {
            page(q, r, [&](Pages& p) { return p.article(parse_id(m[1])); });
        });
        if (options_.panel) {
            route(R"(/__panel/(\d{1,19})\.json)", [this](const httplib::Request&, const std::smatch& m, httplib::Response& r) {
                auto rec = panels_.get(std::stoull(m[1]));
                if (!rec) {
                    r.status = 404;
                    r.set_content(R"json({"error": "no such request (only the last 200 are kept)"})json", "application/json");
                    return;
                }
                r.set_content(panel_json(*rec), "application/json");
            });
            route(R"(/__panel/(\d{1,19})/explain/(\d{1,9}))", [this](const httplib::Request&, const std::smatch& m, httplib::Response& r) {
                tool_page(r, [&] {
                    auto rec = panels_.get(std::stoull(m[1]));
                    if (!rec) throw HttpError(404, "no such request (only the last 200 are kept)");
                    folio::Database& db = blogs_.local().db();
                    return Page{std::string(folio::explain_command(db)), explain_body(*rec, std::stoul(m[2]), db)};
                });
            });
        }
    }

    void install(HttpServer& svr) {
        svr.set_pre_routing_handler([this](const httplib::Request& q, httplib::Response& r) {
            HttpServer::current().routed = true;
            dispatch(q, r);
            return httplib::Server::HandlerResponse::Handled;
        });
        svr.set_error_handler(httplib::Server::HandlerWithResponse(
            [this](const httplib::Request& q, httplib::Response& r) { return rejected(q, r); }));
        // A last resort: whatever escaped a handler is a 500, logged.
        svr.set_exception_handler([](const httplib::Request&, httplib::Response& r, std::exception_ptr ep) {
            std::string what = "unknown exception";
            try {
                std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                what = e.what();
            } catch (...) {
            }
            log_line(fmt::format("folio serve: request #{}: {}", HttpServer::current().id(), printable(what)));
            html(r, 500, layout(status_title(500), error_body(500, "The server could not answer this request.")));
        });
        svr.set_post_routing_handler([this](const httplib::Request& q, httplib::Response& r) { finish(q, r); });
        svr.set_logger([](const httplib::Request& q, const httplib::Response& r) { access_log(q, r); });
    }

    // One line on stderr, whole even when workers log at once.
    static void log_line(const std::string& line) {
        static std::mutex m;
        std::lock_guard lock(m);
        std::cerr << line << '\n';
    }

    folio::Blog& open_main() { return blogs_.local(); }

private:
    struct Route {
        std::regex pattern;
        Handler handler;
    };

    void route(const char* pattern, Handler handler) { routes_.push_back({std::regex(pattern), std::move(handler)}); }

    // Every request httplib parsed (and one whose Range header it could not
    // parse: see rejected()). GET and HEAD only; the site reads no body.
    void dispatch(const httplib::Request& q, httplib::Response& r) {
        RequestContext& ctx = HttpServer::current();
        if (const std::string problem = framing_problem(q); !problem.empty()) {
            // Where this request ends is unknown: what follows it on the
            // connection cannot be taken for the next request.
            ctx.close_after = true;
            html(r, 400, layout(status_title(400), error_body(400, problem)));
            return;
        }
        // A body the site will not read: skipped when small and of known
        // length (Transfer-Encoding overrides Content-Length), so the
        // connection lives on; else closed after the answer.
        const std::optional<std::uint64_t> length = content_length(q);
        if (q.has_header("Transfer-Encoding") || (length && *length > HttpServer::max_discard))
            ctx.close_after = true;
        else if (length)
            ctx.discard = *length;
        std::smatch m;
        const Route* found = nullptr;
        const std::string path = origin_path(q);  // m refers into it
        for (const auto& route : routes_)
            if (std::regex_match(path, m, route.pattern)) {
                found = &route;
                break;
            }
        if (!found) {
            html(r, 404, layout(status_title(404), error_body(404, "There is nothing at this address.")));
            return;
        }
        if (q.method != "GET" && q.method != "HEAD") {
            r.set_header("Allow", "GET, HEAD");
            html(r, 405, layout(status_title(405), error_body(405, fmt::format("This page answers GET and HEAD, not {}.",
                                                                              printable(q.method)))));
            return;
        }
        found->handler(q, m, r);
    }

    // The error handler: runs for every response of status >= 400. The
    // site's own error responses already have their page; the others are
    // requests httplib refused before routing.
    httplib::Server::HandlerResponse rejected(const httplib::Request& q, httplib::Response& r) {
        RequestContext& ctx = HttpServer::current();
        if (ctx.routed) return httplib::Server::HandlerResponse::Unhandled;
        // httplib stopped reading this request somewhere in its head: what
        // follows on the connection is not the start of a request.
        ctx.close_after = true;
        static const std::set<std::string> parsed_methods = {"GET",     "HEAD",    "POST",  "PUT",   "DELETE",
                                                             "CONNECT", "OPTIONS", "TRACE", "PATCH", "PRI"};
        if (r.status == 416) {
            // httplib could not parse the Range header (having read the whole
            // head). RFC 9110 (14.2) has a server ignore a Range it does not
            // understand: answer the request.
            ctx.close_after = false;
            ctx.routed = true;
            dispatch(q, r);
            // Unhandled: httplib then applies none of the ranges it half
            // parsed, and leaves Content-Length to us.
            r.set_header("Content-Length", std::to_string(r.body.size()));
            return httplib::Server::HandlerResponse::Unhandled;
        }
        std::string message = "The server could not understand this request.";
        if (r.status == 400 && ctx.cut == RequestContext::Cut::timeout) {
            r.status = 408;  // RFC 9110 15.5.9: the request did not come in full within the read timeout
            message = "The request did not arrive in full in time.";
        } else if (r.status == 400 && ctx.cut == RequestContext::Cut::shutdown) {
            r.status = 503;  // the server stopped while the request came in: not the client's fault
            message = "The server is stopping; try again later.";
        } else if (r.status == 400 && !q.method.empty() && !parsed_methods.count(q.method) &&
            (q.version == "HTTP/1.1" || q.version == "HTTP/1.0")) {
            // A well-formed request line with a method this server does not know (RFC 9110: 501).
            r.status = 501;
            r.set_header("Allow", "GET, HEAD");
            message = fmt::format("This server does not know the method {}; its pages answer GET and HEAD.",
                                  printable(q.method));
        } else if (r.status == 414) {
            message = "The address is too long.";
        }
        html(r, r.status, layout(status_title(r.status), error_body(r.status, message)));
        // Handled: httplib sets Content-Length (and there is no range to apply).
        return httplib::Server::HandlerResponse::Handled;
    }

    // The post-routing handler: every response, its status final. Files the
    // request's panel and names it in X-Folio-Request-Id (with --panel);
    // announces the close of a connection whose body was left unread.
    void finish(const httplib::Request& q, httplib::Response& r) {
        RequestContext& ctx = HttpServer::current();
        std::optional<PanelRecord> rec = std::exchange(pending_panel, std::nullopt);
        if (options_.panel && !is_panel_path(origin_path(q))) {
            if (!rec) rec.emplace();  // nothing ran: a panel with no statement
            rec->id = ctx.id();
            rec->method = printable(q.method);
            rec->target = printable(q.target);
            rec->status = r.status;
            if (rec->total_ms == 0)
                rec->total_ms =
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - ctx.start).count();
            panels_.add(std::move(*rec));
            r.set_header("X-Folio-Request-Id", std::to_string(ctx.id()));
        }
        // No byte ranges here (Range is ignored). httplib has already added
        // "Accept-Ranges: bytes" to a HEAD response by now, and set_header()
        // adds a second field rather than replacing it: remove it first, so
        // HEAD sends GET's headers (RFC 9110 9.3.2).
        r.headers.erase("Accept-Ranges");
        r.set_header("Accept-Ranges", "none");
        if (ctx.close_after) {
            r.headers.erase("Keep-Alive");
            r.headers.erase("Connection");
            r.set_header("Connection", "close");
        }
    }

    // One line per response: client, time, request line, status, body bytes
    // sent, duration, request id. Every field from the request is printable().
    static void access_log(const httplib::Request& q, const httplib::Response& r) {
        RequestContext& ctx = HttpServer::current();
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - ctx.start).count();
        std::time_t now = std::time(nullptr);
        std::tm tm{};
        gmtime_r(&now, &tm);
        char when[32];
        std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        const auto field = [](const std::string& s) { return s.empty() ? std::string("-") : printable(s, true); };
        const std::size_t bytes = q.method == "HEAD" ? 0 : r.body.size();
        log_line(fmt::format("{} [{}] \"{} {} {}\" {} {} {:.3f}ms #{}", field(ctx.peer), when, field(q.method),
                             field(q.target), field(q.version), r.status, bytes, ms, ctx.id()));
    }

    // A page of the blog: `build` renders it; visitor mistakes become 400 and
    // 404 pages, anything else a 500 page (details in the log). With
    // --panel the request is watched whatever the outcome.
    void page(const httplib::Request& q, httplib::Response& r, const std::function<Page(Pages&)>& build) {
        int status = 200;
        Page result;
        std::optional<RequestPanel> watch;
        std::optional<FailedStatementWatch> failure;
        bool database_failed = false;
        try {
            folio::Blog& blog = blogs_.local();
            failure.emplace(blog.db().log());
            if (options_.panel) watch.emplace(blog.db());
            Pages pages(blog);
            try {
                result = build(pages);
            } catch (const HttpError& e) {
                status = e.status();
                result = {std::string(status_title(status)), error_body(status, e.what())};
            } catch (const folio::ValidationError&) {
                // A value from the address that no row can hold (a name that is
                // not UTF-8, which filter() refuses): there is nothing there.
                status = 404;
                result = {std::string(status_title(404)), error_body(404, "There is nothing at this address.")};
            }
        } catch (const folio::OperationalError& e) {
            status = 500;
            database_failed = true;
            result = {std::string(status_title(500)), server_error(q, e, failure)};
        } catch (const std::exception& e) {
            status = 500;
            result = {std::string(status_title(500)), server_error(q, e, failure)};
        }
        failure.reset();
        std::string panel;
        if (watch) {
            pending_panel = watch->finish();
            panel = panel_html_for(*pending_panel);
            watch.reset();  // it refers to the Blog's Database
        }
        // The connection may be unusable now (a lost PostgreSQL link, a server
        // that restarted): the worker's next request opens a new one.
        if (database_failed) blogs_.discard_local();
        html(r, status, layout(result.title, result.body, panel));
    }

    // The panel's block as the page shows it: with the id the request is
    // filed under (finish() files it once the status is final).
    static std::string panel_html_for(PanelRecord& rec) {
        rec.id = HttpServer::current().id();
        return panel_html(rec);
    }

    // The panel's own pages (EXPLAIN): not watched, not filed.
    void tool_page(httplib::Response& r, const std::function<Page()>& make) {
        try {
            const Page p = make();
            html(r, 200, layout(p.title, p.body));
        } catch (const HttpError& e) {
            html(r, e.status(), layout(status_title(e.status()), error_body(e.status(), e.what())));
        } catch (const std::exception& e) {
            html(r, 500, layout(status_title(500), error_body(500, "The database could not explain this statement "
                                                                   "(the details are in the server's log).")));
            log_line(fmt::format("folio serve: request #{}: {}", HttpServer::current().id(), printable(e.what())));
        }
    }

    // Logs `e` (and the statement it came from, whole, with its arguments)
    // and returns the 500 page's body, which names neither.
    static std::string server_error(const httplib::Request& q, const std::exception& e,
                                    const std::optional<FailedStatementWatch>& failure) {
        const std::uint64_t id = HttpServer::current().id();
        std::string line = fmt::format("folio serve: request #{} {} {}: {}", id, printable(q.method),
                                       printable(q.target), printable(e.what()));
        if (failure && failure->last()) line += " | statement: " + printable(failure->last()->to_string());
        log_line(line);
        return error_body(500, fmt::format("The database could not serve this page (request #{}; the details are in "
                                           "the server's log).",
                                           id));
    }

    const ServeOptions& options_;
    std::vector<Route> routes_;
    ThreadBlogs blogs_;
    PanelStore panels_;
};

// Blocks SIGINT/SIGTERM in the calling thread (and so in every thread it
// starts), and shuts `svr` down when one arrives.
class SignalStop {
public:
    explicit SignalStop(HttpServer& svr) {
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
                    // listen_after_bind() may not have started yet: wait until it runs.
                    while (!done_ && !svr.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
                    svr.shutdown();
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
    if (const std::string problem = host_problem(options.host); !problem.empty()) throw std::invalid_argument(problem);
    Site site(options);
    folio::Blog& main_blog = site.open_main();  // opens now: a missing or unmigrated file fails before listening
    HttpServer svr;
    const std::size_t threads = static_cast<std::size_t>(options.threads);
    svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    site.install(svr);
    // Keep-alive connections (browsers, the load tool) are served until idle
    // for 5 s (or until the server stops), not closed after httplib's
    // default of 5 requests.
    svr.set_keep_alive_max_count(1000);
    svr.set_keep_alive_timeout(5);
    svr.set_read_timeout(5, 0);
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
    if (port < 0) throw std::runtime_error(listen_failure(options.host, options.port));
    std::cout << fmt::format("folio serve: listening on {} (database {}, {}{})", base_url(options.host, port),
                             main_blog.db().path(),  // a server's conninfo without its password
                             count_of(options.threads, "thread", "threads"),
                             options.panel ? ", query panel on" : "")
              << std::endl;
    svr.listen_after_bind();
    Site::log_line("folio serve: stopped");
    return 0;
}

} // namespace folio_cli::web
