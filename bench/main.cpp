// folio-bench: runs every section of the guide (django-db-optimization
// part 2) with its before/after variants on the same generated data, side by
// side with hand-written sqlite3 C-API code (the SQLite limit), and prints
// statements, time, peak memory and ratios; optionally JSON, SVG charts and
// Markdown. Exits 1 when an "after" variant runs more statements than the
// guide's optimized code (so `meson test bench-tiny` catches regressions),
// 2 on errors.
//
//     folio-bench [--section 1,5,13] [--scale tiny|small|full] [--runs 5]
//                 [--json FILE] [--svg DIR] [--markdown FILE] [--keep]
//                 [--db postgresql://user@host/dbname | --db-from-env VAR]
//
// With --db (any libpq conninfo) every section runs on that PostgreSQL
// server, each database a schema of its own there (dropped afterwards), next
// to hand-written libpq code; without it, on SQLite files in a temporary
// directory. --db-from-env VAR takes the conninfo from $VAR and exits 77
// (meson's SKIP) when VAR is unset: the bench-tiny-postgresql test.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <malloc.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "common.hpp"
#include "sections.hpp"
#include "targets.hpp"

using namespace folio::bench;
namespace fs = std::filesystem;

namespace {

using SectionFn = void (*)(Context&);
constexpr SectionFn kSections[] = {run_section_01, run_section_02, run_section_03, run_section_04, run_section_05,
                                   run_section_06, run_section_07, run_section_08, run_section_09, run_section_10,
                                   run_section_11, run_section_12, run_section_13,
                                   run_section_14};

fs::path make_work_dir() {
    std::string tmpl = (fs::temp_directory_path() / "folio-bench-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    return tmpl;
}

}  // namespace

int main(int argc, char** argv) try {
    CLI::App app{"folio-bench: the guide's before/after comparisons, next to the raw SQLite C-API limit"};
    std::vector<int> sections;
    std::string scale_text = "full", json, svg_dir, markdown;
    int runs = 5;
    bool keep = false;
    app.add_option("--section,-s", sections, "Sections to run (1-13: the guide's; 14: the whole import), comma-separated; default all")
        ->delimiter(',')
        ->check(CLI::Range(1, 14));
    app.add_option("--scale", scale_text, "Data size: tiny (seconds, for meson test), small, full (default)")
        ->check(CLI::IsMember({"tiny", "small", "full"}));
    app.add_option("--runs", runs, "Timed runs per variant (median); 3 when a run takes over a second")
        ->check(CLI::Range(1, 1000));
    app.add_option("--json", json, "Write one JSON object per variant to FILE");
    app.add_option("--svg", svg_dir, "Write bar charts per section, the §5 memory plot and summary.svg to DIR");
    app.add_option("--markdown", markdown, "Write the summary, targets and all tables as Markdown to FILE");
    app.add_flag("--keep", keep, "Keep the temporary databases (files, or schemas on the server)");
    std::string server, server_env;
    auto* db_opt = app.add_option("--db", server,
                                  "Run on this PostgreSQL server (libpq conninfo: postgresql://user@host/dbname or "
                                  "host=... dbname=...); each database is a schema of its own there");
    app.add_option("--db-from-env", server_env, "Like --db, the conninfo read from environment variable VAR; "
                                                "exits 77 (skipped) when VAR is unset")
        ->excludes(db_opt);
    CLI11_PARSE(app, argc, argv);
    if (!server_env.empty()) {
        const char* value = std::getenv(server_env.c_str());
        if (!value || !*value) {
            std::cout << fmt::format("folio-bench: ${} is not set: the PostgreSQL run is skipped "
                                     "(run it with tools/with-postgres.sh)\n", server_env);
            return 77;
        }
        server = value;
    }
    if (!server.empty() && !folio::is_postgresql_address(server)) {
        std::cerr << fmt::format("folio-bench: --db takes a PostgreSQL conninfo (postgresql://... or host=... "
                                 "dbname=...), not '{}'; SQLite runs need no --db\n", server);
        return 2;
    }
#if !FOLIO_BENCH_POSTGRESQL
    if (!server.empty()) {
        std::cerr << "folio-bench: built without libpq (meson -Dpostgresql=enabled): no PostgreSQL runs\n";
        return 2;
    }
#endif

    Context ctx;
    ctx.scale = parse_scale(scale_text);
    ctx.sizes = sizes_for(ctx.scale);
    ctx.runs = runs;
    ctx.work = make_work_dir();
    ctx.server = server;
    ctx.keep = keep;
    ctx.report.set_backend(ctx.backend_name());
    if (sections.empty())
        for (int s = 1; s <= 14; ++s) sections.push_back(s);
    std::sort(sections.begin(), sections.end());
    sections.erase(std::unique(sections.begin(), sections.end()), sections.end());
    // §5 measures peak RSS in forked children, which start with the parent's
    // resident pages: run it first, while this process is still small.
    std::stable_partition(sections.begin(), sections.end(), [](int s) { return s == 5 || s == 14; });

    if (ctx.on_postgresql()) {
        folio::Database probe(server);
        std::cout << fmt::format("folio-bench: scale {}, PostgreSQL {} ({}), {} runs per variant, one schema per "
                                 "database, files in {}\n",
                                 ctx.scale_name(), probe.scalar("SHOW server_version").as_text(),
                                 probe.scalar("SELECT current_database()").as_text(), runs, ctx.work.string());
    } else {
        std::cout << fmt::format("folio-bench: scale {}, SQLite {}, {} runs per variant, data in {}\n",
                                 ctx.scale_name(), sqlite3_libversion(), runs, ctx.work.string());
    }
    Stopwatch total;
    for (int s : sections) {
        Stopwatch sw;
        std::cout << fmt::format("§{} ...\n", s) << std::flush;
        kSections[s - 1](ctx);
        ::malloc_trim(0);
        std::cout << fmt::format("§{} done in {} [{} total]\n", s, format_seconds(sw.seconds()),
                                 format_seconds(total.seconds()))
                  << std::flush;
    }
    ctx.datasets.clear();
    ctx.schemas.clear();

    ctx.report.print(std::cout);
    const auto targets = evaluate_targets(ctx.report, ctx.sizes, !ctx.on_postgresql());
    print_targets(std::cout, targets, false);
    if (!json.empty()) ctx.report.write_json(json);
    if (!svg_dir.empty()) {
        auto files = ctx.report.write_svgs(svg_dir);
        files.push_back(ctx.report.write_summary_svg(svg_dir));
        std::cout << fmt::format("wrote {} SVG files to {}\n", files.size(), svg_dir);
    }
    if (!markdown.empty()) {
        std::ofstream md(markdown, std::ios::binary);
        md << "## Summary\n\n";
        ctx.report.print_markdown_summary(md);
        md << "\n## Targets\n\n";
        print_targets(md, targets, true);
        md << "\n## All variants\n";
        ctx.report.print_markdown_tables(md);
        if (!md) throw std::runtime_error("cannot write " + markdown);
    }
    if (!keep) fs::remove_all(ctx.work);
    std::cout << fmt::format("total {}\n", format_seconds(total.seconds()));
    if (!ctx.failures.empty()) {
        std::cerr << fmt::format("folio-bench: {} statement-count check(s) failed:\n", ctx.failures.size());
        for (const auto& f : ctx.failures) std::cerr << "  " << f << '\n';
        return 1;
    }
    return 0;
} catch (const std::exception& e) {
    std::cerr << "folio-bench: " << e.what() << '\n';
    return 2;
}
