// list_page.hpp: the guide's list page (section 7) as a reader of it sees it:
// title, date, author name and tag names of each article of `page`, summed
// as characters so that the work stays observable. One definition for the
// query and doctor suites, the doctor's cost tool and folio-bench, so that
// all of them measure and count the same page. Free of Boost.
#pragma once

#include <cstddef>

#include <folio/folio.hpp>

namespace folio_test {

inline std::size_t render(const folio::QuerySet<folio::Article>& page) {
    std::size_t chars = 0;
    for (const folio::Article& a : page) {
        chars += a.title().size() + a.created_at().size() + a.author().username().size();
        for (const folio::Tag& t : a.tags()) chars += t.name().size();
    }
    return chars;
}

} // namespace folio_test
