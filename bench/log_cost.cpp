// log_cost.cpp: folio-log-cost, what the SQL log costs. Primary-key lookups
// through the statement cache with the log off (no listener: SQLite's trace
// hook is not installed), on (a QueryCapture listening), and off again,
// alternated so that machine noise hits all three alike.
//   folio-log-cost [lookups=200000]
#include <folio/folio.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>

namespace {
// Microseconds per lookup over `n` lookups.
double run(folio::Database& db, int n) {
    const auto t0 = std::chrono::steady_clock::now();
    std::int64_t sum = 0;
    for (int i = 0; i < n; ++i) {
        folio::Statement st = db.prepare("SELECT \"id\", \"username\" FROM \"author\" WHERE \"id\" = ?");
        st.bind(1, std::int64_t(1 + (i * 7919) % 10000));
        if (st.step()) sum += st.column_int(0);
    }
    const auto t1 = std::chrono::steady_clock::now();
    if (sum == 0) std::cerr << "no rows\n";
    return std::chrono::duration<double>(t1 - t0).count() / n * 1e6;
}
} // namespace

int main(int argc, char** argv) {
    const int n = argc > 1 ? std::atoi(argv[1]) : 200000;
    folio::Blog blog = folio::Blog::open(":memory:");
    std::vector<folio::Author> authors;
    for (int i = 0; i < 10000; ++i) authors.emplace_back("u" + std::to_string(i), "", "");
    blog.authors().bulk_create(authors);
    run(blog.db(), n / 10);  // warm-up
    for (int round = 0; round < 3; ++round) {
        const double off = run(blog.db(), n);
        double on;
        {
            folio::QueryCapture capture(blog.db());
            on = run(blog.db(), n);
        }
        const double off_again = run(blog.db(), n);
        std::cout << "round " << round + 1 << ": log off " << off << " us/lookup, on " << on
                  << " us/lookup, off again " << off_again << " us/lookup\n";
    }
}
