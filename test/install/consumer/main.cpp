// main.cpp: the consumer's program: opens a blog, bulk-inserts, counts.
#include <folio/folio.hpp>

#include <iostream>

int main() {
    folio::Blog blog = folio::Blog::open(":memory:");
    std::vector<folio::Author> authors{{"ada", "ada@example.com", "first"}, {"linus", "", "second"}};
    folio::QueryCapture capture(blog.db());
    blog.authors().bulk_create(authors);
    const std::size_t inserts = capture.count();
    const auto count = blog.authors().count();
    std::cout << count << " authors inserted in " << inserts << " statement(s)\n";
    return count == 2 && inserts == 1 ? 0 : 1;
}
