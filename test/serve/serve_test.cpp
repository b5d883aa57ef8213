// serve_test.cpp: `folio serve` on an ephemeral loopback port, over HTTP:
// status codes, HTML escaping, pagination edges, the query panel's
// statement counts (2 optimized, 21 select_related, 41 naive), EXPLAIN on
// request, the doctor's unindexed-sort finding, a database error as a 500,
// the access log and the clean stop on SIGTERM.
#include "server_process.hpp"

#include <nlohmann/json.hpp>

#include <regex>

using namespace folio;
using cli_test::TempDir;
using serve_test::ServerProcess;

namespace {

constexpr int kArticles = 1210;  // 60 full pages and one of 10; over the doctor's 1000-row threshold
const std::string kScript = "<script>alert(1)</script>";

// A blog file: 3 authors (one whose name needs escaping and URL-encoding),
// kArticles articles, the newest titled kScript and tagged "<i>x</i>".
void make_blog(const std::string& path) {
    Blog blog = Blog::open(path);
    std::vector<Author> authors = {Author("ann", "ann@example.com", "Ann writes."), Author("bob", "", ""),
                                   Author("o'neil&<b>", "", "quotes & tags")};
    blog.authors().bulk_create(authors);
    std::vector<Tag> tags = {Tag("c++"), Tag("<i>x</i>")};
    blog.tags().bulk_create(tags);
    std::vector<Article> articles;
    for (int i = 0; i < kArticles; ++i) {
        Article a;
        char date[16];
        std::snprintf(date, sizeof date, "%04d-%02d-%02d", 2000 + i / 300, 1 + (i / 25) % 12, 1 + i % 25);
        a.set_title(i == kArticles - 1 ? kScript : "Article " + std::to_string(i))
            .set_content("First paragraph of " + std::to_string(i) + ".\n\nSecond <p>aragraph.")
            .set_created_at(date)
            .set_author_id(authors[static_cast<std::size_t>(i % 3)].id());
        articles.push_back(std::move(a));
    }
    blog.articles().bulk_create(articles);
    std::vector<std::pair<std::int64_t, std::int64_t>> links;
    for (const auto& a : articles) {
        links.emplace_back(a.id(), tags[0].id());
        if (a.title() == kScript) links.emplace_back(a.id(), tags[1].id());
    }
    bulk_link(blog.db(), Article::meta().many_to_many[0], links);
}

struct Served {
    TempDir dir;
    std::string db = dir / "blog.sqlite3";
    std::string log = dir / "serve.log";
    std::optional<ServerProcess> server;
    explicit Served(std::vector<std::string> extra = {"--panel"}) {
        make_blog(db);
        server.emplace(db, log, std::move(extra));
    }
    httplib::Result get(const std::string& path) {
        auto c = server->client();
        auto r = c.Get(path.c_str());
        BOOST_REQUIRE_MESSAGE(r, "GET " << path << " failed: " << httplib::to_string(r.error()));
        return r;
    }
    // The panel of the request that answered `r`.
    nlohmann::json panel_of(const httplib::Result& r) {
        const std::string id = r->get_header_value("X-Folio-Request-Id");
        BOOST_REQUIRE(!id.empty());
        auto p = get("/__panel/" + id + ".json");
        BOOST_REQUIRE_EQUAL(p->status, 200);
        return nlohmann::json::parse(p->body);
    }
    std::string log_text() const {
        std::ifstream in(log);
        return {std::istreambuf_iterator<char>(in), {}};
    }
};

std::size_t occurrences(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
    return n;
}

bool has_finding(const nlohmann::json& panel, const std::string& pattern) {
    for (const auto& f : panel["findings"])
        if (f["pattern"] == pattern) return true;
    return false;
}

} // namespace

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
    BOOST_TEST(s.panel_of(ann)["count"] == 3);
    BOOST_TEST(occurrences(s.get("/authors/ann?page=21")->body, "<article>") == 4u);
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
    // The index serves the order; only the page's 21 rows are re-sorted after the join (top level).
    BOOST_TEST(plan->body.find("SCAN article USING INDEX article_created_at") != std::string::npos, plan->body);
    BOOST_TEST(plan->body.find("  USE TEMP B-TREE FOR ORDER BY") == std::string::npos, plan->body);
    BOOST_TEST(s.get("/__panel/" + id + "/explain/3")->status == 404);
    // Without migration 0005's index, the page sorts the table, and the panel says so.
    {
        Database other(s.db);
        other.execute("DROP INDEX article_created_at");
    }
    auto slow = s.get("/");
    BOOST_TEST(slow->status == 200);
    auto p = s.panel_of(slow);
    BOOST_TEST(p["count"] == 2);
    BOOST_TEST(has_finding(p, "sort without index"), p["findings"].dump());
    BOOST_TEST(slow->body.find("CREATE INDEX &quot;article_created_at&quot;") != std::string::npos);
    const std::string slow_id = slow->get_header_value("X-Folio-Request-Id");
    // Now the whole table is read and sorted.
    const std::string slow_plan = s.get("/__panel/" + slow_id + "/explain/1")->body;
    BOOST_TEST(slow_plan.find("article_created_at") == std::string::npos, slow_plan);
    BOOST_TEST(slow_plan.find("SCAN article\n") != std::string::npos, slow_plan);
}

BOOST_AUTO_TEST_CASE(a_database_error_is_a_500_with_one_line_and_the_details_in_the_log) {
    Served s;
    BOOST_TEST(s.get("/")->status == 200);
    {
        Database other(s.db);
        other.execute("PRAGMA foreign_keys = OFF");
        other.execute("DROP TABLE article_tags");
    }
    auto r = s.get("/");
    BOOST_TEST(r->status == 500);
    BOOST_TEST(r->body.find("The database could not serve this page") != std::string::npos);
    BOOST_TEST(r->body.find("article_tags") == std::string::npos);  // no internals shown to the visitor
    BOOST_TEST(s.get("/top")->status == 200);                       // the server lives on
    BOOST_TEST(s.server->stop() == 0);
    const std::string log = s.log_text();
    BOOST_TEST(log.find("no such table: article_tags") != std::string::npos, log);
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
    BOOST_TEST(std::regex_search(log, std::regex(R"(127\.0\.0\.1 \[[0-9T:Z-]+\] "GET /\?page=3 HTTP/1\.1" 200 [0-9]+ [0-9.]+ms #1)")), log);
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
