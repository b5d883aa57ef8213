// tour.cpp: `folio tour`, the guide end to end. It works on its own file
// (folio-tour.sqlite3) unless --db names another, which it empties only with
// --force or a yes on a terminal; it generates a small data set, and for each section of the
// guide runs the "before" code and the "after" code, printing the number of
// statements (folio::QueryCapture) and the time of each. "Before" variants
// that write run inside a transaction that is rolled back, so both variants
// start from the same data.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <ostream>
#include <streambuf>

#include <unistd.h>

#include <fmt/format.h>

#include <folio/blog_io.hpp>
#include <folio/explain.hpp>
#include <folio/migrations.hpp>
#include <folio/io/csv_writer.hpp>
#include <folio/io/datagen.hpp>

#include "cli.hpp"

namespace folio_cli {

namespace {

using folio::Article;
using folio::Author;
using folio::Blog;

struct Row {
    std::string section, variant;
    std::size_t statements = 0;
    double seconds = 0;
    std::string note;
    std::vector<folio::Finding> findings;  // with --doctor
};

class Tour {
public:
    Tour(Blog& blog, bool doctor) : blog_(blog), db_(blog.db()), doctor_(doctor) {}

    // Runs `f` (which returns a note), counting its statements and time;
    // with --doctor, inside a scope whose findings are shown beside the row
    // (the QuerySets of `f` die when it returns, before the scope closes).
    template <class F>
    void measure(const std::string& section, const std::string& variant, F&& f) {
        folio::QueryCapture capture(db_);
        std::optional<folio::DoctorScope> scope;
        if (doctor_) scope.emplace(db_, folio::Doctor::Mode::Collect);
        const auto t0 = std::chrono::steady_clock::now();
        std::string note = f();
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::vector<folio::Finding> findings;
        if (scope) findings = scope->close();
        for (auto& r : request_findings_) add_finding(findings, std::move(r));
        request_findings_.clear();
        rows_.push_back({section, variant, capture.count(), secs, std::move(note), std::move(findings)});
    }
    // One page request of a section that repeats the guide's view to be
    // measurable (sections 9 and 11: one author page per name). The doctor
    // counts statements per scope, as a web app scopes it per request: with
    // --doctor each request gets a scope of its own, so 200 requests of one
    // lookup each are not one request of 200 lookups (an N+1 it would rightly
    // report). What any request shows is kept for the row, once per kind.
    template <class F>
    auto request(F&& f) {
        if (!doctor_) return f();
        folio::DoctorScope scope(db_, folio::Doctor::Mode::Collect);
        auto result = f();
        for (auto& r : scope.close()) add_finding(request_findings_, std::move(r));
        return result;
    }
    // For reads: the best of `reps` runs, so one cold cache or a busy
    // machine does not decide the comparison (statements are per run).
    template <class F>
    void measure_best(const std::string& section, const std::string& variant, F&& f, int reps = 5) {
        measure(section, variant, f);
        for (int i = 1; i < reps; ++i) {
            Row first = rows_.back();
            rows_.pop_back();
            measure(section, variant, f);
            rows_.back().seconds = std::min(rows_.back().seconds, first.seconds);
        }
    }
    // For writes that are kept: inside a transaction committed after the
    // measure, so the commit (WAL append, maybe a checkpoint) is not timed,
    // as it is not for the rolled-back "before" variants.
    template <class F>
    void measure_kept(const std::string& section, const std::string& variant, F&& f) {
        folio::Transaction tx(db_);
        measure(section, variant, std::forward<F>(f));
        tx.commit();
    }
    // The same, inside a transaction rolled back afterwards.
    template <class F>
    void measure_undone(const std::string& section, const std::string& variant, F&& f) {
        folio::Transaction tx(db_);
        measure(section, variant, std::forward<F>(f));
        tx.rollback();
    }

    void print(std::ostream& out) const {
        out << fmt::format("{:<22} {:<44} {:>10} {:>10}  {}\n", "section", "variant", "statements", "time", "note");
        out << std::string(110, '-') << '\n';
        std::string last;
        for (const auto& r : rows_) {
            out << fmt::format("{:<22} {:<44} {:>10} {:>8.1f}ms  {}\n", r.section == last ? "" : r.section,
                               r.variant, r.statements, r.seconds * 1000, r.note);
            for (const auto& f : r.findings)
                out << fmt::format("{:<22}   doctor: {}: {}\n{:<22}           fix: {}\n", "",
                                   folio::to_string(f.pattern), f.what, "", f.fix);
            last = r.section;
        }
    }

    Blog& blog_;
    folio::Database& db_;
    bool doctor_;
    std::vector<Row> rows_;

private:
    static void add_finding(std::vector<folio::Finding>& to, folio::Finding f) {
        for (const auto& g : to)
            if (g.key == f.key) return;
        to.push_back(std::move(f));
    }
    std::vector<folio::Finding> request_findings_;  // of the requests of the row being measured
};

// An ostream that discards everything: the export's cost without the disk.
class NullBuffer : public std::streambuf {
protected:
    int overflow(int c) override { return c; }
    std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

// A scratch directory for the generated JSON, removed at the end.
struct ScratchDir {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 fmt::format("folio-tour-{}", static_cast<long>(::getpid()));
    ScratchDir() { std::filesystem::create_directories(path); }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

// The tour's own file: FOLIO_DB may name the user's blog, so only --db counts.
constexpr const char* default_tour_db = "folio-tour.sqlite3";

// Empties the blog tables. A database the user named (--db) that holds data
// is emptied only with --force, or a yes typed on a terminal.
void reset(Blog& blog, bool named, bool force) {
    const auto articles = blog.articles().count(), authors = blog.authors().count(), tags = blog.tags().count();
    if (articles + authors + tags > 0) {
        const std::string what = fmt::format("{} holds {} articles, {} authors, {} tags", blog.db().path(), articles,
                                             authors, tags);
        if (named && !force) {
            bool yes = false;
            if (::isatty(STDIN_FILENO) == 1) {
                std::cout << fmt::format("{}. The tour empties it first. Empty it? [y/N] ", what) << std::flush;
                std::string answer;
                std::getline(std::cin, answer);
                yes = answer == "y" || answer == "Y" || answer == "yes";
            }
            if (!yes)
                throw UsageError(fmt::format("{}; the tour empties the database it runs on: pass --force to empty "
                                             "it, or leave out --db to use the tour's own {}",
                                             what, default_tour_db));
        }
        std::cout << fmt::format("Resetting {}: removing {} articles, {} authors, {} tags.\n", blog.db().path(),
                                 articles, authors, tags);
    }
    folio::Transaction tx(blog.db());
    // Articles first (with their tag links), then what they pointed to: a
    // constant number of statements each, whatever the size.
    blog.articles().remove();
    blog.tags().remove();
    blog.authors().remove();
    tx.commit();
}

void sections_1_to_6(Tour& t, const std::filesystem::path& dir) {
    folio::ImportOptions naive, bulk;
    naive.naive = true;
    const auto authors = dir / "old_authors.json", articles = dir / "old_articles.json";
    // Sections 1 and 2 run the importers (the guide's jobs), so their counts
    // include what an import adds to the guide's loop: the username check
    // and, on SQLite, the page-cache PRAGMAs (read, set, restored).
    t.measure_undone("1 bulk insert", "before: import, save() per author", [&] {
        return fmt::format("{} authors (+ the import's check, PRAGMAs)",
                           folio::import_authors(t.blog_, authors, naive).imported);
    });
    t.measure_kept("1 bulk insert", "after: import, bulk_create per batch", [&] {
        return fmt::format("{} authors (+ the import's check, PRAGMAs)",
                           folio::import_authors(t.blog_, authors, bulk).imported);
    });
    t.measure_undone("2 article import", "before: get/save/get_or_create/add", [&] {
        return fmt::format("{} articles", folio::import_articles(t.blog_, articles, naive).imported);
    });
    t.measure_kept("2 article import", "after: bulk per batch", [&] {
        return fmt::format("{} articles", folio::import_articles(t.blog_, articles, bulk).imported);
    });

    auto old = t.blog_.articles().filter("created_at__year__lt", 2012);
    t.measure_undone("3 mass update", "before: loop, save() each", [&] {
        std::size_t n = 0;
        for (Article a : old.all()) {
            a.set_comments_on(false);
            a.save();
            ++n;
        }
        return fmt::format("{} rows, every column rewritten", n);
    });
    t.measure_kept("3 mass update", "after: update(comments_on=false)",
              [&] { return fmt::format("{} rows, one column", old.update({{"comments_on", false}})); });

    auto minus = t.blog_.articles().filter("tags__name", "minus");
    t.measure_undone("4 mass delete", "before: loop, remove() each", [&] {
        std::size_t n = 0;
        for (Article a : minus.all()) {
            a.remove();
            ++n;
        }
        return fmt::format("{} articles", n);
    });
    t.measure_kept("4 mass delete", "after: QuerySet remove()", [&] {
        auto counts = minus.remove();
        return fmt::format("{} articles", counts.count("article") ? counts.at("article") : 0);
    });

    NullBuffer null_buf;
    std::ostream null_out(&null_buf);
    t.measure_best("5 export", "before: select_related, all rows cached", [&] {
        folio::io::CsvWriter csv(null_out);
        auto qs = t.blog_.articles().select_related({"author"});
        for (const Article& a : qs)
            csv.write_row({std::string_view(a.title()), std::string_view(a.content()),
                           std::string_view(a.created_at()), std::string_view(a.author().username()),
                           std::string_view(a.comments_on() ? "True" : "False")});
        return fmt::format("{} rows held in memory", qs.size());
    });
    t.measure_best("5 export", "after: select_related + iterator()", [&] {
        return fmt::format("{} rows streamed, 1 held", folio::export_articles_csv(t.blog_, null_out));
    });

    const std::int64_t origin_id = t.blog_.articles().order_by({"id"}).first()->id();
    auto clone = [&](bool by_object) {
        Article origin = *t.blog_.articles().filter("id", origin_id).first();
        Article copy;
        copy.set_title("Copy").set_content(origin.content()).set_created_at(origin.created_at());
        if (by_object) copy.set_author(origin.author());  // loads the author: one SELECT
        else copy.set_author_id(origin.author_id());      // the key is in the row
        copy.save(t.db_);
        std::vector<std::int64_t> tag_ids;
        for (const auto& v : origin.tags().values_list_flat("id")) tag_ids.push_back(v.as_integer());
        copy.tags().add(tag_ids);
        return fmt::format("article {} cloned", origin_id);
    };
    t.measure_undone("6 clone", "before: set_author(origin.author())", [&] { return clone(true); });
    t.measure_undone("6 clone", "after: set_author_id(origin.author_id())", [&] { return clone(false); });
}

// The list page's reads: title, date, author, tags of each article.
std::string render(const folio::QuerySet<Article>& page) {
    std::size_t chars = 0, n = 0;
    for (const Article& a : page) {
        chars += a.title().size() + a.created_at().size() + a.author().username().size();
        for (const folio::Tag& tag : a.tags()) chars += tag.name().size();
        ++n;
    }
    return fmt::format("{} articles shown, {} characters", n, chars);
}

void sections_7_to_12(Tour& t) {
    auto base = t.blog_.articles().order_by({"-created_at", "-id"});
    t.measure_best("7 list page", "before: plain QuerySet", [&] { return render(base.slice(0, 20)); });
    t.measure_best("7 list page", "select_related(author)",
              [&] { return render(base.select_related({"author"}).slice(0, 20)); });
    t.measure_best("7 list page", "+ prefetch_related(tags)",
              [&] { return render(base.select_related({"author"}).prefetch_related({"tags"}).slice(0, 20)); });

    auto full = base.select_related({"author"}).prefetch_related({"tags"});
    t.measure_best("8 defer/only", "before: every column (500 rows)", [&] { return render(full.slice(0, 500)); });
    t.measure_best("8 defer/only", "defer(content, comments_on)",
              [&] { return render(full.defer({"content", "comments_on"}).slice(0, 500)); });
    t.measure_best("8 defer/only", "only(title, created_at, author__username)", [&] {
        return render(full.only({"title", "created_at", "author__username", "tags__name"}).slice(0, 500));
    });

    {
        // The guide measures on 100K authors; 20K scratch ones, rolled back, show it.
        folio::Transaction tx(t.db_);
        std::vector<Author> extra;
        for (int i = 0; i < 20000; ++i) extra.emplace_back(fmt::format("scratch{}", i), "", "");
        t.blog_.authors().bulk_create(extra);
        std::vector<std::string> names;
        for (const auto& v : t.blog_.authors().order_by({"id"}).slice(0, 200).values_list_flat("username"))
            names.push_back(v.as_text());
        auto plan = [&] {
            auto qs = t.blog_.authors().filter("username", names.front());
            std::string detail;
            for (const auto& step : folio::explain_query_plan(t.db_, qs.sql()))
                detail += (detail.empty() ? "" : "; ") + step.detail;
            return detail;
        };
        std::string how;
        // 200 author pages, one lookup each: the repetition is the
        // harness, the index is the lesson.
        auto lookups = [&] {
            for (const auto& n : names) t.request([&] { return t.blog_.authors().get("username", n).id(); });
            return fmt::format("{} lookups, {}", names.size(), how);
        };
        folio::Transaction sp(t.db_);
        folio::drop_index(t.db_, "author_username");
        how = plan();
        t.measure("9 index", "before: no index on username", lookups);
        sp.rollback();  // the index is back
        how = plan();
        t.measure("9 index", "after: db_index on username", lookups);
        tx.rollback();
    }

    t.measure_best("10 len vs count", "before: authors().size() (len)",
              [&] { return fmt::format("{} authors, all rows fetched", t.blog_.authors().size()); });
    t.measure_best("10 len vs count", "after: authors().count()",
              [&] { return fmt::format("{} authors, one number fetched", t.blog_.authors().count()); });

    const auto authors = t.blog_.authors().order_by({"id"}).results();
    // As in section 9: one author page per author, each asking once.
    t.measure_best("11 count vs exists", "before: articles().count() > 0", [&] {
        std::size_t with = 0;
        for (const Author& a : authors) with += t.request([&] { return a.articles().count() > 0; });
        return fmt::format("{} of {} authors have articles", with, authors.size());
    });
    t.measure_best("11 count vs exists", "after: articles().exists()", [&] {
        std::size_t with = 0;
        for (const Author& a : authors) with += t.request([&] { return a.articles().exists(); });
        return fmt::format("{} of {} authors have articles", with, authors.size());
    });

    auto ranked = t.blog_.authors().order_by({"-articles_count", "id"});
    // Both show the 20 names, as the guide's page does.
    auto show = [](const folio::QuerySet<Author>& top) {
        std::size_t shown = 0;
        for (const Author& a : top) shown += !a.username().empty();
        return shown;
    };
    t.measure_best("12 lazy slicing", "before: evaluate, then slice [:20]", [&] {
        auto all = ranked.all();
        const std::size_t fetched = all.results().size();  // list(...) in the guide
        return fmt::format("{} rows fetched for {} shown", fetched, show(all.slice(0, 20)));
    });
    t.measure_best("12 lazy slicing", "after: slice(0, 20) on the QuerySet", [&] {
        return fmt::format("{} rows fetched (LIMIT 20)", show(ranked.slice(0, 20)));
    });
}

} // namespace

void add_tour_command(CLI::App& app, Commands& out) {
    auto* tour = app.add_subcommand(
        "tour", fmt::format("the guide end to end: before/after of every section, with statements and time. "
                            "It runs on its own {} (not $FOLIO_DB) and EMPTIES it first; a database named with "
                            "--db that holds data is emptied only with --force",
                            default_tour_db));
    auto force = std::make_shared<bool>(false);
    tour->add_flag("--force", *force,
                   "empty the --db database even if it holds data, and run even on a database holding tables "
                   "folio did not create");
    auto authors = std::make_shared<std::size_t>(200);
    auto articles = std::make_shared<std::size_t>(2000);
    tour->add_option("--authors", *authors, "authors to generate")->capture_default_str()->check(CLI::Range(1, 100000));
    tour->add_option("--articles", *articles, "articles to generate")->capture_default_str()->check(CLI::Range(1, 1000000));
    out.push_back({tour, [authors, articles, force](Env& env) {
                       const auto t0 = std::chrono::steady_clock::now();
                       const bool named = !env.db_option.empty();
                       if (!named) env.db_option = default_tour_db;
                       // Another program's database: the tour would add the
                       // blog's tables to it (and empty them), --force or not at all.
                       if (!*force)
                           env.check_before_writing([&](folio::Database& db) {
                               refuse_foreign_tables(db, "the tour would add the blog's tables to it and empty them",
                                                     named ? fmt::format("Pass --force to run the tour there anyway, "
                                                                         "or leave out --db to use the tour's own {}",
                                                                         default_tour_db)
                                                           : std::string("Pass --force to run the tour there anyway"),
                                                     true);
                           });
                       env.allow_foreign_tables = *force;
                       Blog& blog = env.blog();
                       reset(blog, named, *force);
                       ScratchDir dir;
                       folio::io::write_dataset(dir.path, {.authors = *authors, .articles = *articles,
                                                           .content_bytes = 1000, .seed = 42});
                       std::cout << fmt::format("folio tour on {}: {} authors, {} articles generated\n\n",
                                                blog.db().path(), *authors, *articles);
                       Tour t(blog, env.doctor);
                       env.findings_shown = true;
                       sections_1_to_6(t, dir.path);
                       sections_7_to_12(t);
                       t.print(std::cout);
                       const double secs =
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                       // Database::path(): a server's password shows as "***" (never printed).
                       const std::string db = "--db " + shell_quote(env.blog().db().path());
                       std::cout << fmt::format("\nTour done in {:.1f} s. The database keeps the data: try "
                                                "`folio {} articles`, `folio {} top-authors`, `folio {} --sql "
                                                "--stats author {}`.\n",
                                                secs, db, db, db, folio::io::username_for(42, 0));
                       return Exit::ok;
                   }});
}

} // namespace folio_cli
