// section_13_statement_cache.cpp: the statement cache (folio's answer to
// "a statement cache they did not have to write themselves"): 100,000
// lookups by primary key through get(), preparing every statement
// (cache disabled) vs reusing the cached one, and hand-written C-API code
// with one prepared statement as the limit. Times are per lookup.
#include <fmt/format.h>

#include "common.hpp"
#if FOLIO_BENCH_POSTGRESQL
#include "raw_postgresql.hpp"
#endif
#include "raw_detail.hpp"
#include "sections.hpp"

namespace folio::bench {
namespace {

constexpr int kSection = 13;
constexpr const char* kTitle = "Statement cache: lookups by primary key";

volatile std::int64_t g_sink = 0;

}  // namespace

void run_section_13(Context& ctx) {
    Blog& blog = dataset(ctx, "authors");
    Database& db = blog.db();
    const std::size_t n = ctx.sizes.s13_lookups;
    const auto authors = static_cast<std::uint64_t>(ctx.sizes.s9_authors);
    std::vector<std::int64_t> ids;
    ids.reserve(n);
    std::uint64_t x = 88172645463325252ULL;
    for (std::size_t i = 0; i < n; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        ids.push_back(1 + static_cast<std::int64_t>(x % authors));
    }

    auto variant = [&](std::string name, const std::function<void(std::int64_t)>& one, std::string ratio_to,
                       std::optional<std::size_t> at_most) {
        const std::size_t stmts = count_statements(db, [&] { one(ids.front()); });
        if (at_most) ctx.expect_at_most(kSection, name, stmts, *at_most);
        const auto before = db.statement_cache().stats();
        Timing t = time_variant(ctx, {}, [&] {
            for (std::int64_t id : ids) one(id);
        });
        const auto after = db.statement_cache().stats();
        ctx.add(kSection, kTitle, std::move(name), stmts, t.median / static_cast<double>(n), {}, std::move(ratio_to),
                fmt::format("{} of {} lookups; per lookup; per run: cache hits {}, prepares {}", runs_note(t), n,
                            (after.hits - before.hits) / static_cast<std::uint64_t>(t.runs),
                            (after.misses - before.misses) / static_cast<std::uint64_t>(t.runs)));
    };
    auto get = [&](std::int64_t id) { g_sink = blog.authors().get("id", id).id(); };

    const std::string before = "prepare every time";
    db.statement_cache().set_enabled(false);
    db.statement_cache().clear();  // no idle handle left to hit
    variant(before, get, {}, std::nullopt);
    db.statement_cache().set_enabled(true);
    variant("statement cache", get, before, 1);
    ctx.report.add_headline({kSection, "pk lookups: prepare each time -> statement cache", before, "statement cache"});

#if FOLIO_BENCH_POSTGRESQL
    if (PGconn* pg = raw::pg::connection_of(db)) {
        variant("raw", [&](std::int64_t id) {
            const auto row = raw::pg::find_author_by_id(pg, id);
            if (!row) throw std::runtime_error("§13: missing author");
            g_sink = row->id;
        }, {}, std::nullopt);
        return;
    }
#endif
    raw::Stmt st = raw::prepare(db.handle(),
                                "SELECT id, username, email, bio, articles_count FROM author WHERE id = ?1");
    variant("raw", [&](std::int64_t id) {
        raw::detail::ResetGuard guard{st.get()};
        raw::detail::bind_int(st.get(), 1, id);
        if (sqlite3_step(st.get()) != SQLITE_ROW) throw std::runtime_error("§13: missing author");
        raw::AuthorRow row{sqlite3_column_int64(st.get(), 0), std::string(raw::detail::column_text(st.get(), 1)),
                           std::string(raw::detail::column_text(st.get(), 2)),
                           std::string(raw::detail::column_text(st.get(), 3)), sqlite3_column_int64(st.get(), 4)};
        g_sink = row.id;
    }, {}, std::nullopt);
}

}  // namespace folio::bench
