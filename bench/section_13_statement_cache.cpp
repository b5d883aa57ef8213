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

    struct Variant {
        std::string name;
        std::function<void(std::int64_t)> one;
        bool cache;  // the connection's statement cache on while it runs
        std::string ratio_to;
        std::optional<std::size_t> at_most;
        std::size_t stmts = 0;                 // statements of one lookup
        std::uint64_t hits = 0, prepares = 0;  // summed over its timed runs
    };
    auto get = [&](std::int64_t id) { g_sink = blog.authors().get("id", id).id(); };
    const std::string before = "prepare every time";
    std::vector<Variant> variants;
    variants.push_back({before, get, false, {}, std::nullopt});
    variants.push_back({"statement cache", get, true, before, 1});

    std::optional<raw::Stmt> st;
    bool raw_on_server = false;
#if FOLIO_BENCH_POSTGRESQL
    if (PGconn* pg = raw::pg::connection_of(db)) {
        raw_on_server = true;
        variants.push_back({"raw", [pg](std::int64_t id) {
                                const auto row = raw::pg::find_author_by_id(pg, id);
                                if (!row) throw std::runtime_error("§13: missing author");
                                g_sink = row->id;
                            }, true, {}, std::nullopt});
    }
#endif
    if (!raw_on_server) {
        st.emplace(raw::prepare(db.handle(), "SELECT id, username, email, bio, articles_count FROM author WHERE id = ?1"));
        variants.push_back({"raw", [&st](std::int64_t id) {
                                sqlite3_stmt* s = st->get();
                                raw::detail::ResetGuard guard{s};
                                raw::detail::bind_int(s, 1, id);
                                if (sqlite3_step(s) != SQLITE_ROW) throw std::runtime_error("§13: missing author");
                                raw::AuthorRow row{sqlite3_column_int64(s, 0), std::string(raw::detail::column_text(s, 1)),
                                                   std::string(raw::detail::column_text(s, 2)),
                                                   std::string(raw::detail::column_text(s, 3)), sqlite3_column_int64(s, 4)};
                                g_sink = row.id;
                            }, true, {}, std::nullopt});
    }

    auto use_cache = [&](bool on) {
        if (on == db.statement_cache().enabled()) return;
        db.statement_cache().set_enabled(on);
        if (!on) db.statement_cache().clear();  // no idle handle left to hit
    };
    // The three in turns, each round a fifth of the lookups (the same ids
    // for every variant): a run is 0.2-0.4 s, and sequential runs of each
    // met different moments of a shared machine (the cached/raw ratio read
    // 0.84x and 1.19x in two runs of this section a minute apart).
    constexpr std::size_t kSlices = 5;
    const std::size_t slice = std::max<std::size_t>(1, n / kSlices);
    std::size_t round = 0;
    std::vector<std::function<void()>> bodies;
    for (Variant& v : variants) {
        use_cache(v.cache);
        v.stmts = count_statements(db, [&] { v.one(ids.front()); });
        if (v.at_most) ctx.expect_at_most(kSection, v.name, v.stmts, *v.at_most);
        bodies.push_back([&] {
            use_cache(v.cache);
            const auto before_stats = db.statement_cache().stats();
            const std::size_t from = (round % kSlices) * slice;
            for (std::size_t i = from; i < std::min(n, from + slice); ++i) v.one(ids[i]);
            const auto after_stats = db.statement_cache().stats();
            v.hits += after_stats.hits - before_stats.hits;
            v.prepares += after_stats.misses - before_stats.misses;
            if (&v == &variants.back()) ++round;
        });
    }
    const int rounds = std::max(ctx.runs, 5) * 3;
    const std::vector<Timing> t = time_in_turns(rounds, bodies);
    for (std::size_t k = 0; k < variants.size(); ++k) {
        const Variant& v = variants[k];
        ctx.add(kSection, kTitle, v.name, v.stmts, t[k].median / static_cast<double>(slice), {}, v.ratio_to,
                fmt::format("{} of {} lookups, the three variants in turns; per lookup; per run: cache hits {}, "
                            "prepares {}",
                            runs_note(t[k]), slice, v.hits / static_cast<std::uint64_t>(t[k].runs),
                            v.prepares / static_cast<std::uint64_t>(t[k].runs)));
    }
    use_cache(true);
    ctx.report.add_headline({kSection, "pk lookups: prepare each time -> statement cache", before, "statement cache"});
}

}  // namespace folio::bench
