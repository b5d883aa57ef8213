// cmd_serve.cpp: registers `folio serve`; the server itself is in demo/serve/.
#include "cli.hpp"
#include "serve/listen_address.hpp"
#include "serve/server.hpp"

namespace folio_cli {

void add_serve_command(CLI::App& app, Commands& out) {
    auto* sub = app.add_subcommand("serve", "serve the blog on the web: the list page, authors, top, articles "
                                            "(and the query panel with --panel)");
    auto o = std::make_shared<web::ServeOptions>();
    sub->add_option("--host", o->host, "address to listen on: IPv4, IPv6 (::1) or a host name (loopback by default)")
        ->capture_default_str()
        ->check(CLI::Validator([](std::string& host) { return web::host_problem(host); }, "HOST"));
    sub->add_option("--port", o->port, "TCP port; 0 picks a free one (printed on stdout)")
        ->capture_default_str()
        ->check(CLI::Range(0, 65535));
    sub->add_flag("--panel", o->panel,
                  "show the query panel at the bottom of each page (statements, similar/duplicates, EXPLAIN, the "
                  "doctor's findings) and serve /__panel/<request-id>.json");
    sub->add_option("--threads", o->threads, "worker threads, each with its own database connection")
        ->capture_default_str()
        ->check(CLI::Range(1, 256));
    out.push_back({sub, [o](Env& env) {
                       web::ServeOptions options = *o;
                       options.db = env.db_path();
                       return web::serve(options);
                   },
                   /*read_only=*/true});
}

} // namespace folio_cli
