// section_09_index.cpp: guide §9, the author page: an author by username
// among 100,000 (full scale), through the QuerySet's get() without and with
// the index on username, and hand-written C-API lookups (prepared once,
// LIMIT 2 like get()) as the limit. Times are per lookup, from loops.
#include <algorithm>

#include <fmt/format.h>

#include "common.hpp"
#if FOLIO_BENCH_POSTGRESQL
#include "raw_postgresql.hpp"
#endif
#include "sections.hpp"

namespace folio::bench {
namespace {

constexpr int kSection = 9;
constexpr const char* kTitle = "Database indexes: author by username";

}  // namespace

void run_section_09(Context& ctx) {
    Blog& blog = dataset(ctx, "authors");
    Database& db = blog.db();
    const std::size_t n = ctx.sizes.s9_authors;
    std::vector<std::string> names;
    for (std::size_t i = 0; i < 1000; ++i) names.push_back(io::username_for(kSeed, (i * 7919) % n));

    auto lookups = [&](std::size_t count) {
        std::size_t found = 0;
        for (std::size_t i = 0; i < count; ++i) found += blog.authors().get("username", names[i]).id() > 0;
        return found;
    };
    auto variant = [&](std::string name, std::size_t count, const std::function<void()>& one,
                       const std::function<void()>& loop, std::string ratio_to, std::optional<std::size_t> at_most) {
        const std::size_t stmts = count_statements(db, one);
        if (at_most) ctx.expect_at_most(kSection, name, stmts, *at_most);
        Timing t = time_variant(ctx, {}, loop);
        ctx.add(kSection, kTitle, std::move(name), stmts, t.median / static_cast<double>(count), {},
                std::move(ratio_to), fmt::format("{} of {} lookups; per lookup", runs_note(t), count));
    };

    const std::string before = "get() without index";
    const std::string after = "get() with index";
    // Without the index first, as in the guide; put back afterwards (the
    // other sections read this data set).
    db.execute("DROP INDEX author_username");
    const std::size_t slow = ctx.sizes.s9_noindex_lookups;
    variant(before, slow, [&] { lookups(1); }, [&] { lookups(slow); }, {}, std::nullopt);
    db.execute("CREATE INDEX \"author_username\" ON \"author\" (\"username\")");

    raw::Stmt stmt;
#if FOLIO_BENCH_POSTGRESQL
    PGconn* const pg = raw::pg::connection_of(db);
#endif
    auto raw_lookups = [&](std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) {
#if FOLIO_BENCH_POSTGRESQL
            if (pg) {
                raw::pg::find_author_by_username(pg, names[i]);
                continue;
            }
#endif
            raw::find_author_by_username(db.handle(), stmt, names[i]);
        }
    };
    // The indexed lookups and the raw ones, whose ratio is the target, run in
    // turns: a run is ~10 ms, and sequential runs of each met different
    // moments of a shared machine (one run measured 1.11x, the next 1.41x).
    const std::size_t after_stmts = count_statements(db, [&] { lookups(1); });
    ctx.expect_at_most(kSection, after, after_stmts, 1);
    const std::size_t raw_stmts = count_statements(db, [&] { raw_lookups(1); });
    const auto [lib, rawt] = time_alternating(std::max(ctx.runs, 5) * 3, [&] { lookups(names.size()); },
                                              [&] { raw_lookups(names.size()); });
    const double per = static_cast<double>(names.size());
    ctx.add(kSection, kTitle, after, after_stmts, lib.median / per, {}, before,
            fmt::format("{} of {} lookups, alternating with raw; per lookup", runs_note(lib), names.size()));
    ctx.add(kSection, kTitle, "raw", raw_stmts, rawt.median / per, {}, {},
            fmt::format("{} of {} lookups; per lookup", runs_note(rawt), names.size()));
    ctx.report.add_headline({kSection, "author by username: no index -> index", before, after});
}

}  // namespace folio::bench
