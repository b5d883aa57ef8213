// serve_test.cpp: `folio serve` on an ephemeral loopback port, over HTTP:
// status codes, HTML escaping, pagination edges, the query panel's
// statement counts (2 optimized, 21 select_related, 41 naive), EXPLAIN on
// request, the doctor's unindexed-sort finding, a database error as a 500,
// the access log and the clean stop on SIGTERM.
#include "served_blog.hpp"

#include <cmath>
#include <regex>

using namespace folio;
using namespace serve_test;

BOOST_AUTO_TEST_SUITE(serve)

BOOST_AUTO_TEST_CASE(list_page_in_2_21_41_statements_as_the_panel_counts) {
    Served s;
    auto r = s.get("/");
    BOOST_TEST(r->status == 200);
    BOOST_TEST(r->get_header_value("Content-Type") == "text/html; charset=utf-8");
    BOOST_TEST(occurrences(r->body, "<article>") == 20u);
    BOOST_TEST(r->body.find("id=\"folio-panel\"") != std::string::npos);
    auto p = s.panel_of(r);
    BOOST_TEST(p["count"] == 2);
    BOOST_TEST(p["statements"].size() == 2u);
    BOOST_TEST(p["findings"].empty(), p["findings"].dump());  // the optimized page is clean, index included
    BOOST_TEST(r->body.find("<span id=\"folio-panel-count\">2</span>") != std::string::npos);
    // Every statement carries its SQL, arguments and time.
    for (const auto& st : p["statements"]) {
        BOOST_TEST(!st["sql"].get<std::string>().empty());
        BOOST_TEST(st["args"].is_array());
        BOOST_TEST(st["ms"].is_number());
    }

    auto sr = s.get("/?variant=select_related");
    BOOST_TEST(sr->status == 200);
    auto sp = s.panel_of(sr);
    BOOST_TEST(sp["count"] == 21);
    // The 20 tag look-ups share one shape: one similar group of 20.
    BOOST_TEST(sp["similar"].size() == 1u);
    BOOST_TEST(sp["similar"][0]["count"] == 20);

    auto naive = s.get("/?variant=naive&page=2");
    BOOST_TEST(naive->status == 200);
    auto np = s.panel_of(naive);
    BOOST_TEST(np["count"] == 41);
    BOOST_TEST(has_finding(np, "N+1"), np["findings"].dump());
    // 20 articles by 3 authors: the author look-ups repeat with the same arguments.
    bool author_duplicates = false;
    for (const auto& d : np["duplicates"])
        author_duplicates |= d["shape"].get<std::string>().find("\"author\"") != std::string::npos && d["count"] > 1;
    BOOST_TEST(author_duplicates, np["duplicates"].dump());
    // The three variants render the same articles.
    auto same = [](const std::string& body) { return body.substr(body.find("<article>"), body.find("<nav class=\"pages\">") - body.find("<article>")); };
    BOOST_TEST(same(s.get("/?page=2")->body) == same(naive->body));
}

BOOST_AUTO_TEST_CASE(everything_shown_is_escaped) {
    Served s;
    auto r = s.get("/");
    BOOST_TEST(r->body.find(kScript) == std::string::npos);
    BOOST_TEST(r->body.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    BOOST_TEST(r->body.find("&lt;i&gt;x&lt;/i&gt;") != std::string::npos);  // a tag
    BOOST_TEST(r->body.find("<i>x</i>") == std::string::npos);
    // An author whose name needs both: the text escaped, the link percent-encoded.
    auto top = s.get("/top");
    BOOST_TEST(top->status == 200);
    BOOST_TEST(top->body.find("o&#39;neil&amp;&lt;b&gt;") != std::string::npos, top->body);
    BOOST_TEST(top->body.find("href=\"/authors/o%27neil%26%3Cb%3E\"") != std::string::npos, top->body);
    auto author = s.get("/authors/o%27neil%26%3Cb%3E");
    BOOST_TEST(author->status == 200);
    BOOST_TEST(author->body.find("quotes &amp; tags") != std::string::npos);
    // The article page: content escaped too, paragraphs kept.
    auto id = std::to_string(kArticles);  // the kScript article, the last inserted
    auto article = s.get("/articles/" + id);
    BOOST_TEST(article->status == 200);
    BOOST_TEST(article->body.find("&lt;script&gt;") != std::string::npos);
    BOOST_TEST(article->body.find("Second &lt;p&gt;aragraph.") != std::string::npos);
    BOOST_TEST(article->body.find(kScript) == std::string::npos);
    // The panel shows SQL and arguments escaped as well.
    auto p = s.get("/authors/o%27neil%26%3Cb%3E");
    const std::string panel = p->body.substr(p->body.find("<details id=\"folio-panel\""));
    BOOST_TEST(panel.find("neil&amp;&lt;b&gt;") != std::string::npos, panel);  // the bound username
    BOOST_TEST(panel.find("neil&<b>") == std::string::npos, panel);
    // Visitor text in error pages is escaped.
    auto bad = s.get("/?page=%3Cscript%3E");
    BOOST_TEST(bad->status == 400);
    BOOST_TEST(bad->body.find("<script>") == std::string::npos);
    BOOST_TEST(bad->body.find("&lt;script&gt;") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(dot_segment_usernames_link_to_their_own_pages) {
    Served s;
    // Names a browser would resolve as "this" or "parent" segment (/authors/.. is /),
    // and names that only look like them; the newest articles, so that "/" links them.
    const std::vector<std::string> names = {".", "..", "...", "a..b", ".x"};
    {
        Blog blog = Blog::open(s.db);
        std::vector<Author> authors;
        for (const auto& n : names) authors.emplace_back(n, "", "");
        blog.authors().bulk_create(authors);
        std::vector<Article> articles;
        for (std::size_t i = 0; i < 25; ++i) {
            Article a;
            a.set_title("dots " + std::to_string(i)).set_content("x").set_created_at(i < names.size() ? "2099-01-02" : "2099-01-01");
            a.set_author_id(authors[i < names.size() ? i : 1].id());  // ".." gets a second page
            articles.push_back(std::move(a));
        }
        blog.articles().bulk_create(articles);
    }
    const std::string list = s.get("/")->body;
    const std::map<std::string, std::string> href = {
        {".", "/authors/%2E"}, {"..", "/authors/%2E%2E"}, {"...", "/authors/..."}, {"a..b", "/authors/a..b"},
        {".x", "/authors/.x"}};
    BOOST_TEST(list.find("href=\"/authors/.\"") == std::string::npos);
    BOOST_TEST(list.find("href=\"/authors/..\"") == std::string::npos);
    for (const auto& [name, path] : href) {
        BOOST_TEST(list.find("href=\"" + path + "\"") != std::string::npos, name);
        auto r = s.get(path);
        BOOST_TEST(r->status == 200, path);
        BOOST_TEST(r->body.find("<h2>" + name + "</h2>") != std::string::npos, path);
    }
    // The pager of that author's page goes through the same encoder.
    const std::string dots = s.get("/authors/%2E%2E")->body;
    BOOST_TEST(dots.find("href=\"/authors/%2E%2E?page=2\"") != std::string::npos, dots);
    BOOST_TEST(s.get("/authors/%2E%2E?page=2")->status == 200);
}

BOOST_AUTO_TEST_CASE(a_repeated_query_parameter_takes_its_last_value_as_django_does) {
    Served s(std::vector<std::string>{});
    const auto main_part = [](const std::string& body) { return body.substr(0, body.find("</main>")); };
    const std::string page1 = main_part(s.get("/?page=1")->body), page2 = main_part(s.get("/?page=2")->body);
    BOOST_TEST(s.get("/?page=abc&page=1")->status == 200);
    BOOST_TEST(main_part(s.get("/?page=abc&page=1")->body) == page1);
    BOOST_TEST(s.get("/?page=1&page=abc")->status == 400);
    BOOST_TEST(main_part(s.get("/?page=1&page=2")->body) == page2);
    BOOST_TEST(main_part(s.get("/?page=2&page=1")->body) == page1);
    BOOST_TEST(s.get("/?variant=bogus&variant=naive")->status == 200);
    BOOST_TEST(s.get("/?variant=naive&variant=bogus")->status == 400);
    BOOST_TEST(s.get("/authors/ann?page=999&page=1")->status == 200);
    // Only '&' separates pairs (WHATWG URL, Python's parse_qsl since 3.9.2):
    // ";page=2" is part of the value, which is then no page number.
    for (const char* q : {"/?page=1;page=2", "/?page=2;x=1", "/authors/ann?page=1;page=2"})
        BOOST_TEST(s.get(q)->status == 400, q);
    BOOST_TEST(s.get("/?page=1;page=2")->body.find("1;page=2") != std::string::npos);
    // Names and values are percent-decoded, '+' is a space.
    BOOST_TEST(main_part(s.get("/?pa%67e=%32")->body) == page2);
    BOOST_TEST(main_part(s.get("/?x=1&page=2#top")->body) == page2);
    BOOST_TEST(s.get("/?page=+2")->status == 400);
    BOOST_TEST(s.get("/authors/ann?page=1&page=999")->status == 404);
}

BOOST_AUTO_TEST_CASE(pagination_edges_and_bad_requests) {
    Served s;
    auto first = s.get("/?page=1");
    BOOST_TEST(first->status == 200);
    BOOST_TEST(first->body.find("rel=\"prev\"") == std::string::npos);
    BOOST_TEST(first->body.find("rel=\"next\" href=\"/?page=2\"") != std::string::npos);
    auto last = s.get("/?page=61");  // 1210 = 60 x 20 + 10
    BOOST_TEST(last->status == 200);
    BOOST_TEST(occurrences(last->body, "<article>") == 10u);
    BOOST_TEST(last->body.find("rel=\"next\"") == std::string::npos);
    BOOST_TEST(last->body.find("rel=\"prev\" href=\"/?page=60\"") != std::string::npos);
    auto full_last = s.get("/?page=60");
    BOOST_TEST(full_last->body.find("rel=\"next\"") != std::string::npos);
    BOOST_TEST(s.panel_of(last)["count"] == 2);
    for (const char* q : {"/?page=62", "/?page=0", "/?page=-1", "/?page=99999999999999999999", "/?page=461168601842738790",
                          "/?variant=naive&page=62", "/articles/999999", "/articles/0", "/articles/abc",
                          "/articles/99999999999999999999", "/authors/nobody", "/authors/ann?page=999",
                          "/authors/ann?page=0", "/nowhere", "/authors/",
                          // bytes that are not UTF-8 name no author: nothing is there, never a 500
                          "/authors/%C3", "/authors/%FF", "/authors/%C0%AF", "/authors/%ED%A0%80"}) {
        auto r = s.get(q);
        BOOST_TEST(r->status == 404, q << " -> " << r->status);
        BOOST_TEST(r->body.find("404") != std::string::npos, q);
    }
    for (const char* q : {"/?page=abc", "/?page=", "/?page=1.5", "/?page=%2B1", "/?variant=fast", "/authors/ann?page=x"}) {
        auto r = s.get(q);
        BOOST_TEST(r->status == 400, q << " -> " << r->status);
        BOOST_TEST(r->body.find("400") != std::string::npos, q);
    }
    // The author page: 404 beyond the author's own last page, counted without COUNT(*).
    auto ann = s.get("/authors/ann");  // 404 articles: 21 pages, the last of 4
    BOOST_TEST(ann->status == 200);
    BOOST_TEST(occurrences(ann->body, "<article>") == 20u);
    const auto ap = s.panel_of(ann);
    BOOST_TEST(ap["count"] == 3);
    // Exactly the page's 20 articles are read, and only their tags fetched:
    // the page count, not a look-ahead row, says a next page exists.
    BOOST_REQUIRE_EQUAL(ap["statements"].size(), 3u);
    BOOST_TEST(ap["statements"][1]["rows"] == 20, ap["statements"][1].dump());
    BOOST_TEST(ap["statements"][2]["args"].size() == 20u, ap["statements"][2].dump());
    BOOST_TEST(ann->body.find("rel=\"next\"") != std::string::npos);
    const auto final_page = s.get("/authors/ann?page=21");
    BOOST_TEST(occurrences(final_page->body, "<article>") == 4u);
    BOOST_TEST(final_page->body.find("rel=\"next\"") == std::string::npos);
    BOOST_TEST(s.get("/authors/ann?page=20")->body.find("rel=\"next\"") != std::string::npos);
    BOOST_TEST(s.get("/authors/ann?page=22")->status == 404);
    auto top = s.get("/top");
    BOOST_TEST(s.panel_of(top)["count"] == 1);
    auto article = s.get("/articles/1");
    BOOST_TEST(article->status == 200);
    BOOST_TEST(s.panel_of(article)["count"] == 2);
    BOOST_TEST(s.get("/__panel/999999.json")->status == 404);
}

BOOST_AUTO_TEST_CASE(explain_on_request_and_the_unindexed_sort_finding) {
    Served s;
    auto r = s.get("/");
    const std::string id = r->get_header_value("X-Folio-Request-Id");
    BOOST_TEST(r->body.find("/__panel/" + id + "/explain/1") != std::string::npos);
    auto plan = s.get("/__panel/" + id + "/explain/1");
    BOOST_TEST(plan->status == 200);
    const bool pg = folio_test::on_postgresql();
    // Titled with the backend's own command.
    BOOST_TEST(plan->body.find(pg ? "<h2>EXPLAIN</h2>" : "<h2>EXPLAIN QUERY PLAN</h2>") != std::string::npos, plan->body);
    BOOST_TEST(plan->body.find(pg ? "<title>EXPLAIN " : "<title>EXPLAIN QUERY PLAN") != std::string::npos, plan->body);
    // The index serves the order; only the page's 21 rows are re-sorted after the join (top level).
    BOOST_TEST(plan->body.find(pg ? "Index Scan Backward using article_created_at on article"
                                  : "SCAN article USING INDEX article_created_at") != std::string::npos,
               plan->body);
    BOOST_TEST(plan->body.find(pg ? "Seq Scan on article" : "  USE TEMP B-TREE FOR ORDER BY") == std::string::npos,
               plan->body);
    BOOST_TEST(s.get("/__panel/" + id + "/explain/3")->status == 404);
    // Without migration 0005's index, the page sorts the table, and the panel says so.
    {
        Database other(s.db);
        other.execute("DROP INDEX article_created_at");
    }
    auto slow = s.get("/");
    BOOST_TEST(slow->status == 200);
    auto p = s.panel_of(slow);
    BOOST_TEST(p["count"] == 2, p["statements"].dump());
    BOOST_TEST(has_finding(p, "sort without index"), p["findings"].dump());
    BOOST_TEST(slow->body.find("CREATE INDEX &quot;article_created_at&quot;") != std::string::npos);
    const std::string slow_id = slow->get_header_value("X-Folio-Request-Id");
    // Now the whole table is read and sorted (through whatever access path
    // SQLite picks for the join: the page's plan follows the model's
    // declared db_index, which this test removed behind its back).
    const std::string slow_plan = s.get("/__panel/" + slow_id + "/explain/1")->body;
    BOOST_TEST(slow_plan.find("article_created_at") == std::string::npos, slow_plan);
    BOOST_TEST(slow_plan.find(pg ? "Seq Scan on article" : "SCAN article") != std::string::npos, slow_plan);
    BOOST_TEST(slow_plan.find(pg ? "Sort Key: " : "USE TEMP B-TREE FOR ORDER BY") != std::string::npos, slow_plan);
}

BOOST_AUTO_TEST_CASE(a_database_error_is_a_500_with_one_line_and_the_details_in_the_log) {
    Served s(std::vector<std::string>{});
    BOOST_TEST(s.get("/")->status == 200);
    drop_table(s.db, "article_tags");
    auto r = s.get("/");
    BOOST_TEST(r->status == 500);
    BOOST_TEST(r->body.find("The database could not serve this page") != std::string::npos);
    BOOST_TEST(r->body.find("article_tags") == std::string::npos);  // no internals shown to the visitor
    BOOST_TEST(s.get("/top")->status == 200);                       // the server lives on
    BOOST_TEST(s.server->stop() == 0);
    const std::string log = s.log_text();
    // The database's own words: "no such table: article_tags" (SQLite), "relation "article_tags" does not exist".
    BOOST_TEST(log.find(folio_test::on_postgresql() ? "relation \"article_tags\" does not exist"
                                                    : "no such table: article_tags") != std::string::npos,
               log);
    // ... and the statement it came from, whole (the error's message shortens
    // it) with its arguments: the tags of the page's 20 articles.
    const std::size_t at = log.find(" | statement: ");
    BOOST_REQUIRE(at != std::string::npos);
    const std::string statement = log.substr(at, log.find('\n', at) - at);
    const std::size_t args = statement.find("; args=(");
    BOOST_REQUIRE(args != std::string::npos);
    const std::string sql = statement.substr(0, args);
    BOOST_TEST(sql.find("\"article_tags\"") != std::string::npos, statement);
    BOOST_TEST(sql.find("...") == std::string::npos, statement);
    BOOST_TEST(sql.ends_with(")"), statement);  // whole, to its closing parenthesis
    BOOST_TEST(statement.find(std::to_string(kArticles), args) != std::string::npos, statement);
}

// The same when the statement fails already when prepared (no worker has
// prepared it yet): the panel and the log have the arguments it was to run
// with, not an empty list.
BOOST_AUTO_TEST_CASE(every_variants_statement_that_fails_to_prepare_is_shown_with_its_arguments) {
    // naive: the tags of the first article through its lazy manager; select_related: the same.
    for (const char* variant : {"naive", "select_related"}) {
        Served s({"--panel", "--threads", "1"});
        drop_table(s.db, "article_tags");
        auto r = s.get(std::string("/?variant=") + variant);
        BOOST_TEST(r->status == 500, variant);
        auto p = s.panel_of(r);
        BOOST_REQUIRE(!p["statements"].empty());
        const auto& failed = p["statements"].back();
        BOOST_TEST(failed.contains("error"), failed.dump());
        BOOST_TEST(failed["args"].size() == 1u, failed.dump());
        BOOST_TEST(!failed.contains("args_known"), failed.dump());
    }
}

BOOST_AUTO_TEST_CASE(a_statement_that_fails_to_prepare_is_shown_with_its_arguments) {
    Served s({"--panel"});
    drop_table(s.db, "article_tags");
    auto r = s.get("/");
    BOOST_TEST(r->status == 500);
    auto p = s.panel_of(r);
    BOOST_REQUIRE_EQUAL(p["statements"].size(), 2u);
    const auto& failed = p["statements"][1];
    BOOST_TEST(failed["error"].get<std::string>().find("article_tags") != std::string::npos, failed.dump());
    BOOST_TEST(failed["args"].size() == 20u, failed.dump());
    BOOST_TEST(failed["args"].dump().find(std::to_string(kArticles)) != std::string::npos, failed.dump());
    BOOST_TEST(!failed.contains("args_known"), failed.dump());
    BOOST_TEST(s.server->stop() == 0);
    const std::string log = s.log_text();
    const std::size_t at = log.find(" | statement: ");
    BOOST_REQUIRE(at != std::string::npos);
    const std::string statement = log.substr(at, log.find('\n', at) - at);
    BOOST_TEST(statement.find(std::to_string(kArticles)) != std::string::npos, statement);
    BOOST_TEST(statement.find("args unknown") == std::string::npos, statement);
}

// A fresh user's point 12: the statement that failed is in the 500's panel,
// with its arguments and the database's error, not only those that ran. One
// worker, so that the second request runs the statements the first prepared.
BOOST_AUTO_TEST_CASE(the_500_panel_lists_the_failed_statement_with_its_arguments_and_error) {
    Served s({"--panel", "--threads", "1"});
    BOOST_TEST(s.get("/")->status == 200);
    drop_table(s.db, "article_tags");
    // The tags' prefetch was prepared by the first request: it fails when it
    // runs, its 20 arguments bound.
    auto r = s.get("/");
    BOOST_TEST(r->status == 500);
    auto p = s.panel_of(r);
    BOOST_TEST(p["count"] == 2, p.dump());  // the page's articles, then the tags' prefetch that failed
    BOOST_REQUIRE_EQUAL(p["statements"].size(), 2u);
    BOOST_TEST(!p["statements"][0].contains("error"), p.dump());
    const auto& failed = p["statements"][1];
    BOOST_TEST(failed["sql"].get<std::string>().find("\"article_tags\"") != std::string::npos, failed.dump());
    BOOST_TEST(failed["error"].get<std::string>().find("article_tags") != std::string::npos, failed.dump());
    BOOST_TEST(failed["args"].size() == 20u, failed.dump());  // the ids of the articles the page would show
    BOOST_TEST(failed["args"].dump().find(std::to_string(kArticles)) != std::string::npos, failed.dump());
    // The page's block shows it too, with no EXPLAIN link (it has no plan to show).
    const std::string panel = r->body.substr(r->body.find("<details id=\"folio-panel\""));
    BOOST_TEST(panel.find("<tr class=\"failed\">") != std::string::npos, panel);
    BOOST_TEST(panel.find("statement 2 failed: <code>") != std::string::npos, panel);
    BOOST_TEST(panel.find("/explain/2") == std::string::npos, panel);
    BOOST_TEST(s.get("/__panel/" + r->get_header_value("X-Folio-Request-Id") + "/explain/2")->status == 400);
    // Outside the panel, the visitor's page names no table.
    BOOST_TEST(r->body.substr(0, r->body.find("<details id=\"folio-panel\"")).find("article_tags") == std::string::npos);
    BOOST_TEST(!p.contains("note"), p.dump());  // the doctor did not try to EXPLAIN what failed

    // A statement the database refuses to prepare (the article page's tags,
    // never prepared on this worker) is listed too, with the arguments it
    // was to run with: the article's id.
    auto a = s.get("/articles/1");
    BOOST_TEST(a->status == 500);
    auto ap = s.panel_of(a);
    BOOST_REQUIRE(!ap["statements"].empty());
    const auto& refused = ap["statements"].back();
    BOOST_TEST(refused["sql"].get<std::string>().find("\"article_tags\"") != std::string::npos, refused.dump());
    BOOST_TEST(refused["error"].get<std::string>().find("article_tags") != std::string::npos, refused.dump());
    BOOST_TEST(refused["args"] == nlohmann::json::array({1}), refused.dump());
    BOOST_TEST(!refused.contains("args_known"), refused.dump());
}

BOOST_AUTO_TEST_CASE(a_worker_opens_a_new_connection_after_its_connection_was_lost) {
    // A PostgreSQL server that restarts, or a link that breaks, leaves each
    // worker's connection dead: the request that finds it so is a 500, and
    // the next one must work again (Django's close_if_unusable_or_obsolete),
    // not fail until `folio serve` restarts.
    if (!folio_test::on_postgresql()) {
        BOOST_TEST_MESSAGE("PostgreSQL only (a lost server connection; SQLite has none to lose): not run");
        return;
    }
    TempDir dir;
    ServedDatabase database(dir);
    // The application name marks this server's connections, so only they are cut.
    const std::string app = "folio_serve_reconnect_" + std::to_string(::getpid());
    const std::string db = database.target() + " application_name=" + app;
    make_blog(db);
    ServerProcess server(db, dir / "serve.log", {"--threads", "1"});
    auto get = [&](const char* path) {
        auto c = server.client();
        auto r = c.Get(path);
        BOOST_REQUIRE_MESSAGE(r, "GET " << path << " failed: " << httplib::to_string(r.error()));
        return r->status;
    };
    BOOST_TEST(get("/") == 200);
    Database admin(folio_test::postgresql_server());
    const Value cut = admin.scalar(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?", {Value(app)});
    BOOST_TEST(cut.as_integer() >= 1);
    BOOST_TEST(get("/") == 500);  // the worker finds its connection gone
    BOOST_TEST(get("/") == 200);  // and the next request has a new one
    BOOST_TEST(get("/top") == 200);
    BOOST_TEST(server.stop(SIGTERM) == 0);
    std::ifstream in(dir / "serve.log");
    const std::string log{std::istreambuf_iterator<char>(in), {}};
    BOOST_TEST(occurrences(log, "\" 500 ") == 1u, log);
}

BOOST_AUTO_TEST_CASE(access_log_without_panel_and_clean_stop) {
    Served s(std::vector<std::string>{});
    BOOST_TEST(s.server->first_line().find("http://127.0.0.1:") != std::string::npos);
    auto r = s.get("/?page=3");
    BOOST_TEST(r->status == 200);
    BOOST_TEST(r->body.find("id=\"folio-panel\"") == std::string::npos);  // off unless asked
    BOOST_TEST(s.get("/__panel/1.json")->status == 404);
    BOOST_TEST(s.get("/nowhere")->status == 404);
    BOOST_TEST(s.server->stop(SIGTERM) == 0);
    const std::string log = s.log_text();
    BOOST_TEST(std::regex_search(log, std::regex(R"(127\.0\.0\.1 \[[0-9T:Z-]+\] "GET /\?page=3 HTTP/1\.1" 200 [0-9]+ [0-9.]+ms #[0-9]+)")), log);  // ids are unique, not ordered: a worker takes its id when it starts reading
    BOOST_TEST(log.find("\"GET /nowhere HTTP/1.1\" 404") != std::string::npos, log);
    BOOST_TEST(log.find("SIGTERM received") != std::string::npos, log);
    BOOST_TEST(log.find("folio serve: stopped") != std::string::npos, log);
}

BOOST_AUTO_TEST_CASE(stops_on_sigint_too_and_refuses_a_busy_port) {
    Served s(std::vector<std::string>{});
    BOOST_TEST(s.get("/")->status == 200);
    cli_test::Result busy = cli_test::run({"--db", s.db, "serve", "--port", std::to_string(s.server->port())});
    BOOST_TEST(busy.code == 1);
    BOOST_TEST(busy.err.find("cannot listen") != std::string::npos, busy.err);
    BOOST_TEST(s.server->stop(SIGINT) == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(serve_panel)

// Item: every response that names a request id has its panel, whatever its
// status; the panel's own answers name none; without --panel nothing does.
BOOST_AUTO_TEST_CASE(every_request_id_has_its_panel_whatever_the_status) {
    Served s;
    auto c = s.server->client();
    for (const auto& [path, status] : std::vector<std::pair<std::string, int>>{
             {"/", 200}, {"/nowhere", 404}, {"/?page=abc", 400}, {"/authors/nobody", 404}, {"/?page=999", 404}}) {
        auto r = s.get(path);
        BOOST_TEST(r->status == status, path);
        auto p = s.panel_of(r);
        BOOST_TEST(p["status"] == status, path);
        BOOST_TEST(p["path"] == path, path);
    }
    auto post = c.Post("/", "x=1", "application/x-www-form-urlencoded");
    BOOST_REQUIRE(post);
    BOOST_TEST(post->status == 405);
    auto pp = s.panel_of(post);
    BOOST_TEST(pp["status"] == 405);
    BOOST_TEST(pp["method"] == "POST");
    BOOST_TEST(pp["count"] == 0);
    // A database error: a 500 with its panel, the statements up to the failure included.
    drop_table(s.db, "article_tags");
    auto broken = s.get("/");
    BOOST_TEST(broken->status == 500);
    auto bp = s.panel_of(broken);
    BOOST_TEST(bp["status"] == 500);
    BOOST_TEST(bp["count"].get<int>() >= 1, bp.dump());
    BOOST_TEST(broken->body.find("id=\"folio-panel\"") != std::string::npos);
    // The panel's answers carry no id of their own (they would push the pages' panels out).
    auto json = s.get("/__panel/" + broken->get_header_value("X-Folio-Request-Id") + ".json");
    BOOST_TEST(!json->has_header("X-Folio-Request-Id"));
    BOOST_TEST(!s.get("/__panel/999999.json")->has_header("X-Folio-Request-Id"));
}

BOOST_AUTO_TEST_CASE(no_request_id_without_the_panel) {
    Served s(std::vector<std::string>{});
    for (const char* path : {"/", "/nowhere", "/?page=abc", "/__panel/1.json"})
        BOOST_TEST(!s.get(path)->has_header("X-Folio-Request-Id"), path);
    auto post = s.server->client().Post("/", "", "text/plain");
    BOOST_REQUIRE(post);
    BOOST_TEST(post->status == 405);
    BOOST_TEST(!post->has_header("X-Folio-Request-Id"));
}

// Item: statement times at microsecond resolution, not whole milliseconds
// (SQLite's own profile clock).
BOOST_AUTO_TEST_CASE(statement_times_have_microsecond_resolution) {
    Served s;
    bool fraction = false;
    std::size_t timed = 0;
    for (const char* path : {"/", "/?variant=naive", "/top"}) {
        auto p = s.panel_of(s.get(path));
        for (const auto& st : p["statements"]) {
            const double ms = st["ms"].get<double>();
            BOOST_TEST(ms >= 0.0);
            timed += ms > 0;
            fraction |= ms > 0 && ms != std::floor(ms);
        }
    }
    // 44 statements on a small file: whole milliseconds would show them as 0.
    BOOST_TEST(timed > 40u);
    BOOST_TEST(fraction);
}

// Item: the optimized list prefetches tags for the 20 articles it shows,
// not for the look-ahead row, in 2 statements.
BOOST_AUTO_TEST_CASE(the_optimized_list_prefetches_only_what_it_shows) {
    Served s;
    for (const auto& [path, shown] : std::vector<std::pair<std::string, std::size_t>>{{"/", 20}, {"/?page=61", 10}}) {
        auto r = s.get(path);
        auto p = s.panel_of(r);
        BOOST_TEST(p["count"] == 2, path);
        BOOST_TEST(occurrences(r->body, "<article>") == shown, path);
        const auto& tags = p["statements"][1];
        BOOST_TEST(tags["sql"].get<std::string>().find("\"tag\"") != std::string::npos, tags.dump());
        BOOST_TEST(tags["args"].size() == shown, path << ": " << tags["args"].dump());  // the ids of the shown articles
    }
}

// Item: one shape for "args" in the panel's JSON: an array of values.
BOOST_AUTO_TEST_CASE(args_have_one_shape_in_statements_and_duplicates) {
    Served s;
    auto p = s.panel_of(s.get("/?variant=naive"));
    BOOST_REQUIRE(!p["duplicates"].empty());
    for (const auto& d : p["duplicates"]) {
        BOOST_TEST(d["args"].is_array(), d.dump());
        BOOST_TEST(d["args"].size() == 1u);
        BOOST_TEST(d["args"][0].is_number_integer());
    }
    for (const auto& st : p["statements"]) BOOST_TEST(st["args"].is_array());
}

// Item: the doctor's N+1 finding counts the lazy loads that happened (20),
// not the threshold at which it was first filed (5).
BOOST_AUTO_TEST_CASE(the_n_plus_one_finding_counts_every_lazy_load) {
    Served s;
    auto r = s.get("/?variant=naive");
    auto p = s.panel_of(r);
    std::size_t n_plus_one = 0;
    for (const auto& f : p["findings"])
        if (f["pattern"] == "N+1") {
            ++n_plus_one;
            BOOST_TEST(f["count"] == 20, f.dump());
            BOOST_TEST(f["what"].get<std::string>().find("20 objects") != std::string::npos, f.dump());
        }
    BOOST_TEST(n_plus_one == 2u, p["findings"].dump());  // authors and tags
    BOOST_TEST(r->body.find("20 objects") != std::string::npos);
}

// Item: singular and plural right on the pages.
BOOST_AUTO_TEST_CASE(counts_read_right_in_the_singular_and_plural) {
    Served s;
    auto solo = s.get("/authors/solo");
    BOOST_TEST(solo->status == 200);
    BOOST_TEST(solo->body.find(">1 article<") != std::string::npos, solo->body);
    BOOST_TEST(solo->body.find("1 articles") == std::string::npos);
    auto beyond = s.get("/authors/solo?page=2");
    BOOST_TEST(beyond->status == 404);
    BOOST_TEST(beyond->body.find("(1 page)") != std::string::npos, beyond->body);
    BOOST_TEST(beyond->body.find("1 pages") == std::string::npos);
    auto quiet = s.get("/authors/quiet");
    BOOST_TEST(quiet->body.find(">0 articles<") != std::string::npos, quiet->body);
    auto ann = s.get("/authors/ann?page=99");
    BOOST_TEST(ann->body.find("(21 pages)") != std::string::npos, ann->body);
    // The panel: /top runs 1 statement, no finding.
    auto top = s.get("/top");
    BOOST_TEST(top->body.find("<span id=\"folio-panel-count\">1</span> statement,") != std::string::npos, top->body);
    BOOST_TEST(top->body.find("0 similar groups, 0 duplicate groups") != std::string::npos, top->body);
    BOOST_TEST(top->body.find("<span id=\"folio-panel-findings\">0</span> findings") != std::string::npos);
    BOOST_TEST(s.get("/")->body.find("<span id=\"folio-panel-count\">2</span> statements,") != std::string::npos);
    auto naive = s.get("/?variant=naive");
    BOOST_TEST(naive->body.find("2 similar groups") != std::string::npos, naive->body);
    BOOST_TEST(naive->body.find("(s)") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
