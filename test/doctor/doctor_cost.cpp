// doctor_cost.cpp: what the query doctor costs when it is on, on the two
// workloads the issue names: the section 7 list page (select_related +
// prefetch_related, 20 rows) and the section 5 export (iterator() over every
// article, written as CSV). Each workload runs in rounds, alternating doctor
// off and on; the median round of each (in CPU time) is compared.
//
//     build/test/doctor/doctor-cost [articles=20000] [rounds=9] [page|export|all]
#include <folio/folio.hpp>

#include <algorithm>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "support/blog_fixture.hpp"
#include "support/list_page.hpp"

using namespace folio;
using folio_test::render;

namespace {

// CPU time of this (single-threaded) process: on a shared, loaded machine
// it moves far less with other jobs than wall time does.
double seconds(const std::function<void()>& body) {
    const std::clock_t t0 = std::clock();
    body();
    return static_cast<double>(std::clock() - t0) / CLOCKS_PER_SEC;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

std::size_t g_sink = 0;  // keeps the work observable

void export_csv(Blog& blog) {
    std::string buf;
    buf.reserve(1 << 20);
    for (const Article& a : blog.articles().select_related({"author"}).iterator()) {
        buf += a.title();
        buf += ';';
        buf += a.content();
        buf += ';';
        buf += a.created_at();
        buf += ';';
        buf += a.author().username();
        buf += a.comments_on() ? ";1\r\n" : ";0\r\n";
        if (buf.size() > (1 << 20)) {
            g_sink += buf.size();
            buf.clear();
        }
    }
    g_sink += buf.size();
}

// Runs `body` `rounds` times with the doctor off and on, interleaved.
void measure(const char* name, Database& db, int rounds, const std::function<void()>& body) {
    std::vector<double> off, on;
    body();  // warm the statement cache and the page cache
    for (int r = 0; r < rounds; ++r) {
        off.push_back(seconds(body));
        DoctorOptions o;
        o.mode = DoctorMode::Collect;
        Doctor doctor(db, o);
        on.push_back(seconds(body));
    }
    const double a = median(off), b = median(on);
    std::printf("%-44s off %9.3f ms   on %9.3f ms   cost %+6.1f%%\n", name, a * 1e3, b * 1e3, (b / a - 1) * 100);
}

} // namespace

int main(int argc, char** argv) {
    const int articles = argc > 1 ? std::atoi(argv[1]) : 20000;
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 9;
    const std::string only = argc > 3 ? argv[3] : "all";
    const bool pages = only != "export", export_ = only != "page";
    folio_test::BlogFixture f(200, articles);
    // Articles of about 2 KB, as in the guide's export.
    f.db.execute("UPDATE article SET content = content || ' ' || hex(zeroblob(1000))");
    std::printf("doctor cost: %d articles, median of %d rounds\n", articles, rounds);

    auto page = [&] {
        return f.blog.articles()
            .select_related({"author"})
            .prefetch_related({"tags"})
            .order_by({"-created_at", "-id"})
            .slice(0, 20);
    };
    if (export_) measure("s5 export, iterator()", f.db, rounds, [&] { export_csv(f.blog); });
    if (!pages) return g_sink == 0;
    measure("s7 list page x200 (select+prefetch)", f.db, rounds, [&] {
        for (int i = 0; i < 200; ++i) g_sink += render(page());
    });
    measure("s8 list page x200 (only)", f.db, rounds, [&] {
        for (int i = 0; i < 200; ++i)
            g_sink += render(page().only({"title", "created_at", "author__username", "tags__name"}));
    });
    measure("s7 naive page x50 (N+1, for comparison)", f.db, rounds, [&] {
        for (int i = 0; i < 50; ++i) g_sink += render(f.blog.articles().order_by({"-created_at", "-id"}).slice(0, 20));
    });
    return g_sink == 0;  // never: the work happened
}
