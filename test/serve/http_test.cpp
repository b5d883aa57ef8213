// http_test.cpp: `folio serve` as an HTTP server, byte for byte (raw_http.hpp):
// ranges, methods, bodies, pipelining, what the address may hold, the access
// log for every kind of request (those httplib rejects itself included),
// --host checks and IPv6 URLs, and a prompt stop with idle keep-alive clients.
#include "raw_http.hpp"
#include "served_blog.hpp"

#include <folio/io/validate.hpp>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

using namespace serve_test;
using namespace std::chrono_literals;

namespace {

std::string get_line(const std::string& target, const std::string& extra_headers = {}) {
    return "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + extra_headers + "\r\n";
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// An access-log line: client [time] "method target version" status bytes duration #id
const std::regex access_line(R"re(^(\S+) \[[0-9T:Z-]+\] "([^"]*)" ([0-9]{3}) ([0-9]+) ([0-9]+\.[0-9]{3})ms #([0-9]+)$)re");

} // namespace

BOOST_AUTO_TEST_SUITE(serve_http)

BOOST_AUTO_TEST_CASE(range_requests_get_the_whole_page) {
    Served s;
    const std::string whole = s.get("/top")->body;
    for (const char* range : {"bytes=0-10", "bytes=5-", "bytes=-3", "bytes=0-1,4-5", "bytes=99999-", "items=0-1",
                              "bytes=abc"}) {
        RawConnection c(s.server->host(), s.server->port());
        c.send(get_line("/top", std::string("Range: ") + range + "\r\n"));
        auto r = c.read_response();
        BOOST_REQUIRE_MESSAGE(r, range);
        BOOST_TEST(r->status == 200, range);
        BOOST_TEST(r->header("content-length") == std::to_string(r->body.size()), range);
        BOOST_TEST(r->header("content-range").empty(), range);
        BOOST_TEST(r->header("accept-ranges") == "none", range);
        // The same page (the panel's request id and timings differ).
        BOOST_TEST(r->body.substr(0, r->body.find("<details")) == whole.substr(0, whole.find("<details")), range);
    }
}

BOOST_AUTO_TEST_CASE(methods_other_than_get_and_head) {
    Served s;
    for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"}) {
        for (const char* path : {"/", "/top", "/articles/1", "/authors/ann"}) {
            RawConnection c(s.server->host(), s.server->port());
            c.send(std::string(method) + " " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
            // A bodiless request is answered at once (not after a 5 s read timeout).
            auto r = c.read_response(2s);
            BOOST_REQUIRE_MESSAGE(r, method << " " << path << ": no answer within 2 s");
            BOOST_TEST(r->status == 405, method << " " << path);
            BOOST_TEST(r->header("allow") == "GET, HEAD", method << " " << path);
            BOOST_TEST(r->body.find("<title>Method not allowed") != std::string::npos, method << " " << path);
        }
        RawConnection c(s.server->host(), s.server->port());
        c.send(std::string(method) + " /nowhere HTTP/1.1\r\nHost: x\r\n\r\n");
        auto r = c.read_response(2s);
        BOOST_REQUIRE(r);
        BOOST_TEST(r->status == 404, method);
        BOOST_TEST(r->body.find("<title>Not found") != std::string::npos);
    }
    // A method httplib does not know: 501, titled so, never "Not found".
    for (const char* method : {"BREW", "FOO", "get"}) {
        RawConnection c(s.server->host(), s.server->port());
        c.send(std::string(method) + " / HTTP/1.1\r\nHost: x\r\n\r\n");
        auto r = c.read_response(2s);
        BOOST_REQUIRE(r);
        BOOST_TEST(r->status == 501, method);
        BOOST_TEST(r->body.find("<title>Not implemented") != std::string::npos, r->body);
        BOOST_TEST(r->body.find("Not found") == std::string::npos);
    }
    // A malformed request line: 400 titled "Bad request".
    RawConnection c(s.server->host(), s.server->port());
    c.send("GARBAGE\r\n\r\n");
    auto r = c.read_response(2s);
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 400);
    BOOST_TEST(r->body.find("<title>Bad request") != std::string::npos, r->body);
    // HEAD: the page's headers, no body.
    RawConnection h(s.server->host(), s.server->port());
    h.send("HEAD /top HTTP/1.1\r\nHost: x\r\n\r\n");
    auto head = h.read_response(2s, true);
    BOOST_REQUIRE(head);
    BOOST_TEST(head->status == 200);
    BOOST_TEST(std::stoul(head->header("content-length")) > 0u);
    // HEAD sends GET's header fields (RFC 9110 9.3.2): one Accept-Ranges, "none", on both.
    for (const bool is_head : {true, false}) {
        auto c = s.server->client();
        auto res = is_head ? c.Head("/top") : c.Get("/top");
        BOOST_REQUIRE(res);
        BOOST_TEST(res->get_header_value_count("Accept-Ranges") == 1u, (is_head ? "HEAD" : "GET"));
        BOOST_TEST(res->get_header_value("Accept-Ranges") == "none");
    }
}

BOOST_AUTO_TEST_CASE(bodies_are_skipped_or_the_connection_closed_and_pipelining_answers_all) {
    Served s;
    // Pipelined: three requests in one write, three answers in order.
    {
        RawConnection c(s.server->host(), s.server->port());
        c.send(get_line("/top") + get_line("/nowhere") + get_line("/articles/1"));
        for (int status : {200, 404, 200}) {
            auto r = c.read_response(5s);
            BOOST_REQUIRE_MESSAGE(r, "no answer for the pipelined request answered " << status);
            BOOST_TEST(r->status == status);
        }
    }
    // A POST with a small body, then a GET on the same connection: the body is skipped.
    {
        RawConnection c(s.server->host(), s.server->port());
        c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello=world" + get_line("/top"));
        auto post = c.read_response(2s);
        BOOST_REQUIRE(post);
        BOOST_TEST(post->status == 405);
        auto next = c.read_response(2s);
        BOOST_REQUIRE(next);
        BOOST_TEST(next->status == 200);
    }
    // A chunked body is not read: answered, then the connection closes.
    {
        RawConnection c(s.server->host(), s.server->port());
        c.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
        auto post = c.read_response(2s);
        BOOST_REQUIRE(post);
        BOOST_TEST(post->status == 405);
        BOOST_TEST(post->header("connection") == "close");
        BOOST_TEST(post->header("keep-alive").empty());
        BOOST_TEST(c.closed_by_server(3s));
    }
}

BOOST_AUTO_TEST_CASE(framing_follows_rfc_9112) {
    Served s;
    // A Content-Length that is not one decimal number: 400, and what follows
    // on the connection is never answered as a request (request smuggling).
    for (const char* lengths : {"Content-Length: 0\r\nContent-Length: 41\r\n", "Content-Length: 41\r\nContent-Length: 0\r\n",
                                "Content-Length: 0, 41\r\n", "Content-Length: abc\r\n", "Content-Length: -5\r\n",
                                "Content-Length: +5\r\n", "Content-Length: 5 5\r\n",
                                "Content-Length: 99999999999999999999999\r\n"}) {
        for (const char* method : {"GET", "POST"}) {
            RawConnection c(s.server->host(), s.server->port());
            c.send(std::string(method) + " /top HTTP/1.1\r\nHost: x\r\n" + lengths + "\r\n" + get_line("/nowhere"));
            auto r = c.read_response(3s);
            BOOST_REQUIRE_MESSAGE(r, method << " " << lengths);
            BOOST_TEST(r->status == 400, method << " " << lengths);
            BOOST_TEST(r->header("connection") == "close", method << " " << lengths);
            BOOST_TEST(r->body.find("Content-Length") != std::string::npos, r->body);
            BOOST_TEST(!c.read_response(1s), "the smuggled request was answered: " << method << " " << lengths);
            BOOST_TEST(c.closed_by_server(3s), method << " " << lengths);
        }
    }
    // Identical lengths are one length: the body is skipped, the next request answered.
    for (const char* lengths : {"Content-Length: 3\r\nContent-Length: 3\r\n", "Content-Length: 3, 3\r\n"}) {
        RawConnection c(s.server->host(), s.server->port());
        c.send(std::string("POST /top HTTP/1.1\r\nHost: x\r\n") + lengths + "\r\nabc" + get_line("/top"));
        auto post = c.read_response(3s);
        BOOST_REQUIRE_MESSAGE(post, lengths);
        BOOST_TEST(post->status == 405, lengths);
        auto next = c.read_response(3s);
        BOOST_REQUIRE_MESSAGE(next, lengths);
        BOOST_TEST(next->status == 200, lengths);
    }
    // Host: required in HTTP/1.1, never twice; HTTP/1.0 may leave it out.
    for (const char* head : {"GET /top HTTP/1.1\r\n\r\n", "GET /top HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
                             "GET /top HTTP/1.0\r\nHost: x\r\nHost: x\r\n\r\n"}) {
        RawConnection c(s.server->host(), s.server->port());
        c.send(head);
        auto r = c.read_response(3s);
        BOOST_REQUIRE_MESSAGE(r, head);
        BOOST_TEST(r->status == 400, head);
        BOOST_TEST(r->body.find("Host") != std::string::npos, r->body);
    }
    {
        RawConnection c(s.server->host(), s.server->port());
        c.send("GET /top HTTP/1.0\r\n\r\n");
        auto r = c.read_response(3s);
        BOOST_REQUIRE(r);
        BOOST_TEST(r->status == 200);
    }
    // An absolute-form target is served as its path, whatever the case of its scheme.
    const std::string top = s.get("/top")->body;
    for (const char* target : {"http://x/top", "HTTP://example.org:8000/top", "https://x/top?page=1"}) {
        RawConnection c(s.server->host(), s.server->port());
        c.send(get_line(target));
        auto r = c.read_response(3s);
        BOOST_REQUIRE_MESSAGE(r, target);
        BOOST_TEST(r->status == 200, target);
        BOOST_TEST(r->body.substr(0, r->body.find("<details")) == top.substr(0, top.find("<details")), target);
    }
    for (const char* target : {"http://x", "http://x/"}) {
        RawConnection c(s.server->host(), s.server->port());
        c.send(get_line(target));
        auto r = c.read_response(3s);
        BOOST_REQUIRE_MESSAGE(r, target);
        BOOST_TEST(r->status == 200, target);
        BOOST_TEST(r->body.find("<title>Articles") != std::string::npos, target);
    }
}

BOOST_AUTO_TEST_CASE(what_the_address_holds_is_never_echoed_raw) {
    Served s;
    for (const char* path : {"/authors/%00x", "/authors/a%01%7Fb", "/?page=%FF", "/?page=%00", "/?variant=%C3%28",
                             "/articles/%FE%00", "/authors/%ED%A0%80"}) {
        auto r = s.get(path);
        BOOST_TEST((r->status == 400 || r->status == 404), path << " -> " << r->status);
        BOOST_TEST(folio::io::invalid_utf8_offset(r->body) == std::string_view::npos, path);
        bool controls = false;
        for (unsigned char ch : r->body) controls |= (ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f;
        BOOST_TEST(!controls, path);
    }
    BOOST_TEST(s.get("/authors/%00x")->body.find("there is no author &#39;\\x00x&#39;") != std::string::npos);
    BOOST_TEST(s.get("/?page=%FF")->body.find("not &#39;\\xff&#39;") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_access_log_is_right_for_every_kind_of_request) {
    Served s;
    BOOST_TEST(s.get("/top")->status == 200);
    std::this_thread::sleep_for(1200ms);  // a stale start time would show as > 1 s below
    {
        RawConnection c(s.server->host(), s.server->port());
        c.send("GARBAGE\r\n\r\n");
        BOOST_REQUIRE(c.read_response(2s));
    }
    {
        RawConnection c(s.server->host(), s.server->port());
        c.send(std::string("GET /a\x01\x1b[31m\x7f\xff\"b HTTP/1.1\r\nHost: x\r\n\r\n"));
        BOOST_REQUIRE(c.read_response(2s));
    }
    {
        RawConnection c(s.server->host(), s.server->port());
        c.send(std::string("GET /") + std::string(9000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
        auto r = c.read_response(2s);
        BOOST_REQUIRE(r);
        BOOST_TEST(r->status == 414);
    }
    {
        RawConnection c(s.server->host(), s.server->port());
        c.send("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n");
        BOOST_REQUIRE(c.read_response(2s));
    }
    BOOST_TEST(s.get("/nowhere")->status == 404);
    BOOST_TEST(s.server->stop() == 0);
    std::vector<std::string> requests;
    std::set<std::string> ids;
    for (const auto& line : lines_of(s.log_text())) {
        if (line.rfind("folio serve:", 0) == 0) continue;
        std::smatch m;
        BOOST_TEST_REQUIRE(std::regex_match(line, m, access_line), "not an access-log line: " << line);
        for (unsigned char ch : line) BOOST_TEST((ch >= 0x20 && ch != 0x7f), line);
        BOOST_TEST(folio::io::invalid_utf8_offset(line) == std::string_view::npos, line);
        BOOST_TEST(m[1] == "127.0.0.1", line);
        BOOST_TEST(ids.insert(m[6]).second, "id used twice: " << line);
        requests.push_back(m[2].str() + " " + m[3].str());
        if (m[2].str().find("GARBAGE") != std::string::npos || m[3] == "414" || m[3] == "501")
            BOOST_TEST(std::stod(m[5]) < 1000.0, "a rejected request took its time from an earlier one: " << line);
    }
    // Each request came on its own connection, after the previous answer; a
    // worker may still be preempted between writing its answer and logging
    // it, so lines of different connections may come in any order.
    std::vector<std::string> expected = {
        "GET /top HTTP/1.1 200",
        "GARBAGE - - 400",
        "GET /a\\x01\\x1b[31m\\x7f\\xff\\x22b HTTP/1.1 404",
        "- - - 414",  // httplib refuses the line before parsing it: nothing to show but the status
        "BREW /pot HTTP/1.1 501",
        "GET /nowhere HTTP/1.1 404",
    };
    std::sort(requests.begin(), requests.end());
    std::sort(expected.begin(), expected.end());
    BOOST_TEST(requests == expected, boost::test_tools::per_element());
    if (requests != expected) BOOST_TEST_MESSAGE(s.log_text());
}

BOOST_AUTO_TEST_CASE(host_is_checked_and_ipv6_urls_are_bracketed) {
    TempDir dir;
    ServedDatabase database(dir);
    const std::string db = database.target();
    for (const char* host : {"", " ", "[::1]", "::1::2", "300.1.1.1", "bad host", "-x.example", "a\x01"}) {
        cli_test::Result r = cli_test::run({"--db", db, "serve", "--host", host, "--port", "0"});
        BOOST_TEST(r.code == 2, "--host '" << host << "' -> " << r.code << ": " << r.err);
        BOOST_TEST(r.err.find("--host") != std::string::npos, r.err);
    }
    make_blog(db);
    ServerProcess v6(db, dir / "serve6.log", {"--host", "::1"});
    BOOST_TEST(v6.first_line().find("http://[::1]:" + std::to_string(v6.port()) + "/") != std::string::npos,
               v6.first_line());
    BOOST_TEST(v6.host() == "::1");
    auto r = v6.client().Get("/top");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 200);
    BOOST_TEST(v6.stop() == 0);
    // A busy port is refused with the address written as in a URL.
    ServerProcess busy(db, dir / "busy.log", {"--host", "::1"});
    cli_test::Result again = cli_test::run({"--db", db, "serve", "--host", "::1", "--port", std::to_string(busy.port())});
    BOOST_TEST(again.code == 1);
    BOOST_TEST(again.err.find("cannot listen on [::1]:" + std::to_string(busy.port()) + ": port " +
                              std::to_string(busy.port()) + " is in use") != std::string::npos,
               again.err);
    // Each other cause named as what it is, with the port asked.
    const std::vector<std::pair<std::vector<std::string>, std::string>> causes = {
        {{"--host", "example.invalid", "--port", "0"},
         "cannot listen on example.invalid:0: the name 'example.invalid' does not resolve"},
        {{"--host", "192.0.2.1", "--port", "0"}, "cannot listen on 192.0.2.1:0: 192.0.2.1 is not an address of this machine"},
    };
    for (const auto& [args, message] : causes) {
        std::vector<std::string> cmd = {"--db", db, "serve"};
        cmd.insert(cmd.end(), args.begin(), args.end());
        cli_test::Result r = cli_test::run(cmd);
        BOOST_TEST(r.code == 1, message);
        BOOST_TEST(r.err.find(message) != std::string::npos, r.err);
        BOOST_TEST(r.err.find("?") == std::string::npos, r.err);  // no guess
    }
    // As another user (port 80 needs privileges); not on PostgreSQL, whose
    // test server's socket only its owner and root reach.
    if (::geteuid() == 0 && !folio_test::on_postgresql()) {
        const std::vector<std::string> nobody = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
        if (cli_test::run({"--version"}, {}, nobody).code == 0) {
            cli_test::Result r = cli_test::run({"--db", db, "serve", "--port", "80"}, {}, nobody);
            BOOST_TEST(r.code == 1);
            BOOST_TEST(r.err.find("cannot listen on 127.0.0.1:80: permission denied") != std::string::npos, r.err);
        }
    }
}

BOOST_AUTO_TEST_CASE(stop_does_not_wait_for_idle_keep_alive_clients) {
    Served s(std::vector<std::string>{});
    // Two idle keep-alive connections: one after an answered request, one that never sent a byte.
    RawConnection idle(s.server->host(), s.server->port());
    idle.send(get_line("/top"));
    BOOST_REQUIRE(idle.read_response(5s));
    RawConnection silent(s.server->host(), s.server->port());
    // And one that sent half a request.
    RawConnection half(s.server->host(), s.server->port());
    half.send("GET /top HTTP/1.1\r\nHo");
    std::this_thread::sleep_for(200ms);
    const auto t0 = std::chrono::steady_clock::now();
    BOOST_TEST(s.server->stop(SIGTERM) == 0);
    const auto took = std::chrono::steady_clock::now() - t0;
    // A bounded check, not a benchmark: httplib's keep-alive wait alone was 5 s.
    BOOST_TEST(took < 3s, std::chrono::duration<double>(took).count() << " s");
    BOOST_TEST(idle.closed_by_server(1s));
    // The request cut off by the stop is not blamed on its client (400): 503, then closed.
    auto cut = half.read_response(1s);
    BOOST_REQUIRE(cut);
    BOOST_TEST(cut->status == 503);
    BOOST_TEST(cut->header("connection") == "close");
    BOOST_TEST(half.closed_by_server(1s));
}

BOOST_AUTO_TEST_CASE(a_request_that_stops_coming_gets_408) {
    Served s(std::vector<std::string>{});
    // The request line, then nothing: answered when the 5 s read timeout ends, with 408.
    for (const char* sent : {"GET /top HTTP/1.1\r\n", "GET /top HTTP/1.1\r\nHost: x\r\n"}) {
        RawConnection c(s.server->host(), s.server->port());
        c.send(sent);
        auto r = c.read_response(10s);
        BOOST_REQUIRE_MESSAGE(r, sent);
        BOOST_TEST(r->status == 408, sent);
        BOOST_TEST(r->body.find("<title>Request timeout") != std::string::npos, r->body);
        BOOST_TEST(c.closed_by_server(2s), sent);
    }
}

BOOST_AUTO_TEST_SUITE_END()
