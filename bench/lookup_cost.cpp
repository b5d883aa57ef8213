// lookup_cost.cpp: folio-lookup-cost, the driver behind the instructions per
// lookup of issue 9 (bench/RESULTS.md): what one blog.authors().get(...)
// costs next to the same lookup in hand-written C-API code on the same
// connection. Made to run under callgrind, twice per kind (N lookups, then
// none), so that the difference divided by N is the cost of one lookup
// without the setup; tools/lookup_instructions.sh does exactly that.
//   folio-lookup-cost username|id|raw-username|raw-id [lookups=5000]
// Both runs of a kind first do the same warm-up lookups, so the first
// lookup's preparing and compiling is in neither difference.
#include <folio/folio.hpp>

#include <sqlite3.h>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr int kAuthors = 1000;
constexpr int kWarmUp = 10;

volatile std::int64_t g_sink = 0;

// The C API's lookup, as folio-bench's raw variants write it: the statement
// prepared once, the row copied out into plain strings.
class RawLookup {
public:
    RawLookup(sqlite3* db, const char* sql) {
        if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st_, nullptr) != SQLITE_OK)
            throw std::runtime_error(sqlite3_errmsg(db));
    }
    ~RawLookup() { sqlite3_finalize(st_); }
    RawLookup(const RawLookup&) = delete;
    RawLookup& operator=(const RawLookup&) = delete;

    void by_text(std::string_view text) {
        sqlite3_bind_text64(st_, 1, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
        run();
    }
    void by_int(std::int64_t id) {
        sqlite3_bind_int64(st_, 1, id);
        run();
    }

private:
    void run() {
        if (sqlite3_step(st_) != SQLITE_ROW) throw std::runtime_error("no such author");
        struct Row {
            std::int64_t id;
            std::string username, email, bio;
            std::int64_t articles_count;
        } row{sqlite3_column_int64(st_, 0), text(1), text(2), text(3), sqlite3_column_int64(st_, 4)};
        g_sink = row.id + row.articles_count + static_cast<std::int64_t>(row.username.size());
        sqlite3_step(st_);  // LIMIT 2 (by username): tells "one" from "several", as get() does
        sqlite3_reset(st_);
        sqlite3_clear_bindings(st_);
    }
    std::string text(int col) {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, col));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(st_, col))) : std::string();
    }
    sqlite3_stmt* st_ = nullptr;
};

std::string username(int i) { return "author" + std::to_string(i); }
std::int64_t id_of(int i) { return 1 + (static_cast<std::int64_t>(i) * 7919) % kAuthors; }

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: folio-lookup-cost username|id|raw-username|raw-id [lookups=5000]\n";
        return 2;
    }
    const std::string kind = argv[1];
    const int n = argc > 2 ? std::atoi(argv[2]) : 5000;
    folio::Blog blog = folio::Blog::open(":memory:");
    std::vector<folio::Author> authors;
    for (int i = 0; i < kAuthors; ++i) authors.emplace_back(username(i), username(i) + "@example.com", "bio");
    blog.authors().bulk_create(authors);
    std::vector<std::string> names;
    for (int i = 0; i < kAuthors; ++i) names.push_back(username(static_cast<int>(id_of(i) - 1)));

    // Prepared before the runs, finalized before the Blog closes.
    const bool by_username = kind == "username" || kind == "raw-username";
    RawLookup raw(blog.db().handle(), by_username ? "SELECT id, username, email, bio, articles_count FROM author"
                                                    " WHERE username = ?1 LIMIT 2"
                                                  : "SELECT id, username, email, bio, articles_count FROM author"
                                                    " WHERE id = ?1");
    auto run = [&](int count) {
        if (kind == "username") {
            for (int i = 0; i < count; ++i) g_sink = blog.authors().get("username", names[i % kAuthors]).id();
        } else if (kind == "id") {
            for (int i = 0; i < count; ++i) g_sink = blog.authors().get("id", id_of(i)).id();
        } else if (kind == "raw-username") {
            for (int i = 0; i < count; ++i) raw.by_text(names[i % kAuthors]);
        } else if (kind == "raw-id") {
            for (int i = 0; i < count; ++i) raw.by_int(id_of(i));
        } else {
            throw std::runtime_error("unknown kind '" + kind + "'");
        }
    };
    try {
        run(kWarmUp);
        run(n);
    } catch (const std::exception& e) {
        std::cerr << "folio-lookup-cost: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
