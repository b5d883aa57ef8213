// blog_io.cpp: the guide's JSON imports (bulk and naive) and its CSV export,
// on top of the public QuerySet API and the streaming readers of folio::io.
#include "folio/blog_io.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <span>
#include <ostream>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "folio/blog.hpp"
#include "folio/errors.hpp"
#include "folio/io/csv_writer.hpp"
#include "folio/io/json_records.hpp"
#include "folio/statement_cache.hpp"
#include "folio/transaction.hpp"
#include "lib/backend/operations.hpp"
#include "lib/batch_pipeline.hpp"
#include "lib/bulk_insert.hpp"

namespace folio {

namespace {

constexpr std::size_t default_batch = 2000;
constexpr std::size_t max_batch = 10000;
using detail::ReusedBatch;

std::size_t batch_size_of(const ImportOptions& o) {
    return o.batch_size == 0 ? default_batch : std::min(o.batch_size, max_batch);
}

// ValidationError's message starts with "Model.field:"; finding which field
// of `meta` it names lets the import error point at the record's field.
std::string field_of(const ValidationError& e, const ModelMeta& meta) {
    std::string_view what = e.what();
    for (const auto& f : meta.fields) {
        std::string prefix = meta.name + "." + f.name + ":";
        if (what.starts_with(prefix)) return f.name;
    }
    return {};
}

// Collects bad records: throws at the first one, or counts them and keeps
// the first `listed` in file order when the caller asked to skip them.
class Rejects {
public:
    Rejects(std::string file, bool skip, std::size_t listed)
        : file_(std::move(file)), skip_(skip), listed_(listed) {}

    // Records (or throws) the error for record `index`, field `field`.
    void reject(std::size_t index, std::string field, std::string message) {
        io::InputError err(file_, index, std::move(field), std::move(message));
        if (!skip_) throw err;
        add({index, err.what()});
    }
    void reject(std::size_t index, const ValidationError& e, const ModelMeta& meta, std::string field = {}) {
        reject(index, field.empty() ? field_of(e, meta) : std::move(field), e.what());
    }
    // A record the reader could not deliver (not an object, a missing or
    // mistyped field): the reader's own error.
    void reject(const io::InputError& e) {
        if (!skip_) throw e;
        add({e.record(), e.what()});
    }
    bool skipping() const { return skip_; }
    std::size_t listed() const { return listed_; }
    const std::string& file() const { return file_; }
    ImportReport& report() { return report_; }
    // Takes the records `other` rejected (the parsing thread's list).
    void absorb(Rejects& other) {
        auto& theirs = other.report_.rejected;
        for (RejectedRecord& r : theirs) add(std::move(r));
        report_.rejected_count += other.report_.rejected_count - theirs.size();
        theirs.clear();
        other.report_.rejected_count = 0;
    }
    // The report: the first `listed` rejected records in file order (a
    // batch finds some late, so they arrive out of order).
    ImportReport finish() {
        trim();
        return std::move(report_);
    }

private:
    void add(RejectedRecord r) {
        ++report_.rejected_count;
        if (listed_ == 0) return;
        report_.rejected.push_back(std::move(r));
        // Trimmed at twice the cap: the list stays bounded, and the cost of
        // the sort is spread over `listed_` records.
        if (report_.rejected.size() / 2 >= listed_) trim();
    }
    // Keeps the `listed_` smallest indexes, sorted: any record dropped has
    // that many before it in the file, so it could never be listed.
    void trim() {
        auto& r = report_.rejected;
        std::stable_sort(r.begin(), r.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
        if (r.size() > listed_) r.erase(r.begin() + static_cast<std::ptrdiff_t>(listed_), r.end());
    }

    std::string file_;
    bool skip_;
    std::size_t listed_;
    ImportReport report_;
};

// Wraps the reader's byte progress with the record count.
std::function<void(std::uint64_t, std::uint64_t)> progress_of(const ImportOptions& o, const std::size_t& records) {
    if (!o.progress) return {};
    return [&o, &records](std::uint64_t read, std::uint64_t total) { o.progress({read, total, records}); };
}

// Batches of different sizes give statements of different shapes (an IN
// list or a multi-row INSERT of n rows is its own SQL text, so a new handle
// per batch), and the connection's statement cache (256 by default) kept
// them all: the links' INSERT of a batch of 2,000 short articles is about
// 0.7 MB of SQLite program (heaptrack), so memory grew with the number of
// batches. For the length of an import the cache keeps at most
// kImportCachedStatements idle handles (the most recent, so the statements
// every batch repeats stay prepared), then gets its capacity back; handles
// evicted meanwhile are simply prepared again when next used.
constexpr std::size_t kImportCachedStatements = 16;

class BoundedStatementCache {
public:
    explicit BoundedStatementCache(Database& db) : cache_(db.statement_cache()), old_(cache_.capacity()) {
        if (old_ > kImportCachedStatements) cache_.set_capacity(kImportCachedStatements);
    }
    ~BoundedStatementCache() { cache_.set_capacity(old_); }
    BoundedStatementCache(const BoundedStatementCache&) = delete;
    BoundedStatementCache& operator=(const BoundedStatementCache&) = delete;

private:
    StatementCache& cache_;
    std::size_t old_;
};

// What is wrong with a record: the field and message of its InputError.
struct Problem {
    std::string field;
    std::string message;
};

// A record waiting in a batch, with its index in the file, and the object
// the parsing thread made of it and checked with the model's rules (the
// record's texts moved into it, not copied). The writing thread only binds
// the object's values: no text is checked or copied twice.
template <class R, class M>
struct Pending {
    using Record = R;
    std::size_t index = 0;
    R record;  // after admission, only what `object` does not hold (an article's author and tags)
    M object;
    // Articles: a problem the parsing thread found, reported at the flush
    // after the author check, so that a record with both reports its
    // unknown author first, as the one-record-at-a-time import does.
    std::optional<Problem> problem;
};
using PendingAuthor = Pending<io::AuthorRecord, Author>;
using PendingArticle = Pending<io::ArticleRecord, Article>;

// A record's text, to end a batch at max_batch_bytes.
std::size_t text_size(const PendingAuthor& p) {
    const Author& a = p.object;
    return a.username().size() + a.email().size() + a.bio().size();
}
std::size_t text_size(const PendingArticle& p) {
    const Article& a = p.object;
    return a.title().size() + a.content().size() + a.created_at().size() + p.record.author.size() +
           16 * p.record.tags.size();
}
// A record's parts, to end a batch at max_batch_parts: an article's tags.
std::size_t parts_of(const PendingAuthor&) { return 0; }
std::size_t parts_of(const PendingArticle& p) { return p.record.tags.size(); }

// The bulk path of both imports, parsing overlapped with writing
// (lib/batch_pipeline.hpp). On the pipeline's thread `read(on_record,
// progress, on_invalid)` runs the file's reader; `admit(slot, starts_batch)`
// makes the slot's object of its record and checks what needs no database,
// returning the problem when the record must not go into the batch
// (`starts_batch`: the slot is the first of a new batch). On the calling
// thread `flush(batch)` writes each batch, in file order. A bad
// record the parsing side finds, without skip_invalid, ships the records
// before it first, so that an earlier one only the database check rejects
// is still the one reported; its error then reaches the caller from
// BatchPipeline::next() once those are written.
template <class Slot, class Read, class Admit, class Flush>
void import_in_pipeline(const ImportOptions& options, Rejects& rejects, const Read& read, const Admit& admit,
                        const Flush& flush) {
    using Record = typename Slot::Record;
    Rejects parsed(rejects.file(), rejects.skipping(), rejects.listed()); // the parsing thread's own list
    {
        detail::BatchPipeline<Slot> pipeline(
            batch_size_of(options), [&](typename detail::BatchPipeline<Slot>::Producer& out) {
                std::size_t records = 0;
                const auto reject_error = [&](const io::InputError& e) {
                    if (!parsed.skipping()) out.ship();
                    parsed.reject(e);
                };
                const auto reject = [&](std::size_t index, std::string field, std::string message) {
                    reject_error(io::InputError(parsed.file(), index, std::move(field), std::move(message)));
                };
                io::ProgressCallback progress;
                if (options.progress)
                    progress = [&](std::uint64_t done, std::uint64_t total) { out.progress({done, total, records}); };
                read(
                    [&](Record&& r, std::size_t index) {
                        out.check_stop();
                        ++records;
                        // Swapped, not copied: the reader gets the slot's
                        // old buffers back to fill with the next record.
                        Slot& slot = out.batch().next();
                        slot.index = index;
                        std::swap(slot.record, r);
                        if (std::optional<Problem> problem = admit(slot, out.batch().items().size() == 1)) {
                            out.batch().drop_last(); // before reject(), which may ship the batch
                            reject(index, std::move(problem->field), std::move(problem->message));
                            return;
                        }
                        out.batch().add_bytes(text_size(slot));
                        out.batch().add_parts(parts_of(slot));
                        if (out.batch().full()) out.ship();
                    },
                    progress,
                    [&](const io::InputError& e) {
                        out.check_stop();
                        ++records;
                        reject_error(e);
                    });
            });
        while (ReusedBatch<Slot>* batch = pipeline.next(options.progress)) flush(*batch);
    }
    rejects.absorb(parsed);
}

// ---- authors ----

// An author made of the record's texts (moved).
Author author_of(io::AuthorRecord& r) {
    return Author(std::move(r.username), std::move(r.email), std::move(r.bio));
}

// Author's rules and a username unique among `seen` (the bulk path: the
// batch being filled; the naive path: the whole file): what needs no
// database. Returns what is wrong with `a`, if anything.
std::optional<Problem> check_author(const Author& a, std::unordered_set<std::string>& seen) {
    try {
        a.validate();
    } catch (const ValidationError& e) {
        return Problem{field_of(e, Author::meta()), e.what()};
    }
    if (!seen.insert(a.username()).second)
        return Problem{"username", fmt::format("duplicate username '{}' in the file", a.username())};
    return std::nullopt;
}

// `first_new_id`: the smallest id this import gave an author (0 before its
// first batch). A username of the batch that the database holds already
// was imported earlier from this file when its row is that new (ids only
// grow, and other writers of author wait for the import), else it was
// there before: the parsing thread checks each batch's own usernames only,
// so memory stays flat however many authors the file holds.
void flush_authors(Blog& blog, ReusedBatch<PendingAuthor>& batch, Rejects& rejects, std::int64_t& first_new_id) {
    if (batch.items().empty()) return;
    // One SELECT tells which usernames of the batch the database has already.
    std::vector<Value> names;
    names.reserve(batch.items().size());
    for (const auto& p : batch.items()) names.emplace_back(p.object.username());
    std::unordered_map<std::string, std::int64_t> taken;
    for (const auto& row : blog.authors().filter(Q("username__in", std::move(names))).values_list({"username", "id"}))
        taken.emplace(row[0].as_text(), row[1].as_integer());
    std::vector<Object*> authors;
    authors.reserve(batch.items().size());
    for (auto& p : batch.items()) {
        auto it = taken.find(p.object.username());
        if (it == taken.end())
            authors.push_back(&p.object);
        else if (first_new_id != 0 && it->second >= first_new_id)
            rejects.reject(p.index, "username", fmt::format("duplicate username '{}' in the file", p.object.username()));
        else
            rejects.reject(p.index, "username",
                           fmt::format("duplicate username '{}': already in the database", p.object.username()));
    }
    // Checked on the parsing thread (check_author): bulk_create's writing half only.
    detail::insert_validated(blog.db(), Author::meta(), authors, {});
    for (const Object* a : authors)
        if (first_new_id == 0 || a->pk() < first_new_id) first_new_id = a->pk();
    rejects.report().imported += authors.size();
    ++rejects.report().batches;
    batch.clear();
}

} // namespace

ImportReport import_authors(Blog& blog, const std::filesystem::path& file, const ImportOptions& options) {
    const std::string name = file.string();
    Rejects rejects(name, options.skip_invalid, options.max_listed_rejects);

    // A page cache of bulk_load_cache_kib for this import (unless the
    // connection has more), put back at the end: the backend's tuning.
    const auto tuning = blog.db().operations().bulk_load_tuning(blog.db(), bulk_load_cache_kib);
    const BoundedStatementCache bounded(blog.db());
    Transaction tx(blog.db());
    // Usernames must be unique; the schema does not say so (the guide's model
    // has no unique=True), so the import checks, within the file while
    // parsing and against the database per batch (fast) or once up front
    // (naive). Another import of the same names at the same time must not
    // pass the same check: other writers of author wait for this transaction.
    blog.db().operations().lock_table_for_writes(blog.db(), Author::meta().table);
    std::unordered_set<std::string> seen;
    const auto read = [&](const auto& on_record, const auto& progress, const auto& on_invalid) {
        io::read_authors(file, on_record, progress, on_invalid);
    };
    if (!options.naive) {
        std::int64_t first_new_id = 0;
        import_in_pipeline<PendingAuthor>(
            options, rejects, read,
            [&](PendingAuthor& p, bool starts_batch) {
                // Usernames within the batch; the database check at its
                // flush covers the batches before it.
                if (starts_batch) seen.clear();
                p.object = author_of(p.record);
                return check_author(p.object, seen);
            },
            [&](ReusedBatch<PendingAuthor>& batch) { flush_authors(blog, batch, rejects, first_new_id); });
    } else {
        std::unordered_set<std::string> existing;
        for (const Value& v : blog.authors().values_list_flat("username")) existing.insert(v.as_text());
        std::size_t records = 0;
        read(
            [&](io::AuthorRecord&& r, std::size_t index) {
                ++records;
                Author author = author_of(r);
                if (std::optional<Problem> problem = check_author(author, seen)) {
                    rejects.reject(index, std::move(problem->field), std::move(problem->message));
                    return;
                }
                if (existing.contains(author.username())) {
                    rejects.reject(index, "username",
                                   fmt::format("duplicate username '{}': already in the database", author.username()));
                    return;
                }
                author.save(blog.db()); // the guide's "before": one INSERT per author
                ++rejects.report().imported;
            },
            progress_of(options, records),
            [&](const io::InputError& e) {
                ++records;
                rejects.reject(e);
            });
    }
    tx.commit();
    return rejects.finish();
}

namespace {

// ---- articles ----

// Makes the slot's article of its record (texts moved) and checks it with
// Article's rules, all but its author (a name the flush looks up), and the
// tag names with Tag's: on the parsing thread. The first problem is kept
// for the flush.
void admit_article(PendingArticle& p) {
    io::ArticleRecord& r = p.record;
    p.object = Article(); // a new one: the slot's last article has an id and a database
    p.object.set_title(std::move(r.title)).set_content(std::move(r.content)).set_created_at(std::move(r.created_at));
    p.problem.reset();
    // The author is named by a username: one no author can have (U+0000,
    // too long, blank) is this record's error, and must not reach the
    // batch's lookup, whose filter() would refuse it for the whole batch.
    try {
        validate_field(Author::meta(), Author::USERNAME, Value(std::string_view(r.author)));
    } catch (const ValidationError& e) {
        p.problem = Problem{"author", e.what()};
        return;
    }
    const ModelMeta& meta = Article::meta();
    try {
        for (std::size_t i = 1; i < meta.fields.size(); ++i)
            if (i != Article::AUTHOR) validate_field(meta, i, p.object.get(i));
    } catch (const ValidationError& e) {
        p.problem = Problem{field_of(e, meta), e.what()};
        return;
    }
    try {
        for (const auto& t : r.tags) validate_field(Tag::meta(), Tag::NAME, Value(std::string_view(t)));
    } catch (const ValidationError& e) {
        p.problem = Problem{"tags", e.what()};
    }
}

bool has_author_problem(const PendingArticle& p) { return p.problem && p.problem->field == "author"; }

void flush_articles(Blog& blog, ReusedBatch<PendingArticle>& pending, Rejects& rejects) {
    const std::span<PendingArticle> batch = pending.items();
    if (batch.empty()) return;
    // 1 statement: the batch's authors by username.
    std::vector<Value> names;
    {
        std::unordered_set<std::string_view> distinct;
        for (const auto& p : batch)
            if (!has_author_problem(p) && distinct.insert(p.record.author).second) names.emplace_back(p.record.author);
    }
    std::unordered_map<std::string, std::int64_t> author_ids;
    for (const auto& row : blog.authors().filter(Q("username__in", std::move(names))).values_list({"username", "id"}))
        author_ids.emplace(row[0].as_text(), row[1].as_integer());

    // The articles were made and checked on the parsing thread
    // (admit_article); here they only get their author's id.
    std::vector<Object*> articles;
    std::vector<const PendingArticle*> sources;
    articles.reserve(batch.size());
    sources.reserve(batch.size());
    // The batch's distinct tag names (keys: the records' own strings) and, once known, their ids.
    std::vector<Value> tag_names;
    std::unordered_map<std::string_view, std::int64_t> tag_ids;
    for (auto& p : batch) {
        auto it = has_author_problem(p) ? author_ids.end() : author_ids.find(p.record.author);
        if (it == author_ids.end() && !has_author_problem(p)) {
            rejects.reject(p.index, "author", fmt::format("no author with username '{}'", p.record.author));
            continue;
        }
        if (p.problem) {
            rejects.reject(p.index, std::move(p.problem->field), std::move(p.problem->message));
            continue;
        }
        p.object.set_author_id(it->second);
        for (const auto& t : p.record.tags)
            if (tag_ids.emplace(t, 0).second) tag_names.emplace_back(t);
        articles.push_back(&p.object);
        sources.push_back(&p);
    }
    // 2 statements: the tags, created when missing (get_or_create_many's
    // statements; names checked on the parsing thread), read straight into
    // tag_ids: no Tag objects, however many tags the batch names.
    detail::insert_missing_then_select(blog.db(), Tag::meta(), Tag::NAME, tag_names, {Tag::ID, Tag::NAME},
                                       [&](const Statement& row) {
                                           auto it = tag_ids.find(row.column_text(1));
                                           if (it != tag_ids.end()) it->second = row.column_int(0);
                                       });
    // 1 statement: the articles (ids come back); 1 statement: the links.
    detail::insert_validated(blog.db(), Article::meta(), articles, {});
    std::vector<std::pair<std::int64_t, std::int64_t>> links;
    for (const PendingArticle* p : sources)
        for (const auto& t : p->record.tags) {
            const std::int64_t tag = tag_ids.at(t);
            // The import holds the write lock: a tag it inserted or found is there.
            if (tag == 0) throw Error(fmt::format("tag '{}' was neither found nor created", t));
            links.emplace_back(p->object.id(), tag);
        }
    // Duplicate tags within one article would be one link; bulk_link skips
    // existing pairs, and sorting makes duplicates inside the INSERT adjacent.
    std::sort(links.begin(), links.end());
    links.erase(std::unique(links.begin(), links.end()), links.end());
    bulk_link(blog.db(), Article::meta().many_to_many[0], links);
    rejects.report().imported += articles.size();
    ++rejects.report().batches;
    pending.clear();
}

// The guide's "before" code, one record at a time. With skip_invalid every
// record gets a savepoint, so a record failing half-way leaves nothing.
void import_article_naive(Blog& blog, PendingArticle& p, Rejects& rejects, bool skip_invalid) {
    std::optional<Transaction> sp;
    if (skip_invalid) sp.emplace(blog.db());
    Article article;
    try {
        // author = Author.objects.get(username=article_data['author'])
        Author author = blog.authors().get("username", p.record.author);
        article.set_title(p.record.title).set_content(p.record.content).set_created_at(p.record.created_at);
        article.set_author(author);
    } catch (const DoesNotExist&) {
        rejects.reject(p.index, "author", fmt::format("no author with username '{}'", p.record.author));
        return;
    } catch (const MultipleObjectsReturned&) {
        rejects.reject(p.index, "author", fmt::format("several authors with username '{}'", p.record.author));
        return;
    } catch (const ValidationError& e) {  // a name filter() refuses (U+0000): no author has it
        rejects.reject(p.index, "author", e.what());
        return;
    }
    try {
        article.save(blog.db());
    } catch (const ValidationError& e) {
        rejects.reject(p.index, e, Article::meta());
        return;
    }
    for (const auto& t : p.record.tags) {
        try {
            // tag_instance, _ = Tag.objects.get_or_create(name=tag); article.tags.add(tag_instance)
            auto [tag, created] = blog.tags().get_or_create(Q("name", t), Tag(t));
            article.tags().add({std::cref(tag)});
        } catch (const ValidationError& e) {
            rejects.reject(p.index, e, Tag::meta(), "tags");
            return;  // the savepoint (skip_invalid) undoes the article
        }
    }
    if (sp) sp->commit();
    ++rejects.report().imported;
}

} // namespace

ImportReport import_articles(Blog& blog, const std::filesystem::path& file, const ImportOptions& options) {
    const std::string name = file.string();
    Rejects rejects(name, options.skip_invalid, options.max_listed_rejects);

    const auto tuning = blog.db().operations().bulk_load_tuning(blog.db(), bulk_load_cache_kib);
    const BoundedStatementCache bounded(blog.db());
    Transaction tx(blog.db());
    const auto read = [&](const auto& on_record, const auto& progress, const auto& on_invalid) {
        io::read_articles(file, on_record, progress, on_invalid);
    };
    if (!options.naive) {
        // The parsing thread makes and checks the articles; their author
        // needs the database, so that check (and the report of the others'
        // problems, after it) happens at the flush.
        import_in_pipeline<PendingArticle>(
            options, rejects, read,
            [](PendingArticle& p, bool) -> std::optional<Problem> {
                admit_article(p);
                return std::nullopt; // its problem, if any, is reported by the flush
            },
            [&](ReusedBatch<PendingArticle>& batch) { flush_articles(blog, batch, rejects); });
    } else {
        std::size_t records = 0;
        PendingArticle slot;
        read(
            [&](io::ArticleRecord&& r, std::size_t index) {
                ++records;
                slot.index = index;
                std::swap(slot.record, r);
                import_article_naive(blog, slot, rejects, options.skip_invalid);
            },
            progress_of(options, records),
            [&](const io::InputError& e) {
                ++records;
                rejects.reject(e);
            });
    }
    tx.commit();
    return rejects.finish();
}

std::uint64_t export_articles_csv(Blog& blog, std::ostream& out, const ExportOptions& options) {
    io::CsvWriter csv(out, {.delimiter = options.delimiter, .crlf = options.crlf});
    if (options.header) csv.write_row({"title", "content", "created_at", "author", "comments_on"});
    // The guide's after: select_related('author').iterator(); only() keeps
    // the authors' bios out of the rows.
    auto qs = blog.articles()
                  .select_related({"author"})
                  .only({"title", "content", "created_at", "author__username", "comments_on"})
                  .order_by({"id"});
    std::uint64_t rows = 0;
    for (const Article& a : qs.iterator()) {
        csv.write_row({std::string_view(a.title()), std::string_view(a.content()), std::string_view(a.created_at()),
                       std::string_view(a.author().username()), std::string_view(a.comments_on() ? "True" : "False")});
        if (++rows % 1000 == 0 && options.progress) options.progress(rows);
    }
    csv.flush();
    if (options.progress) options.progress(rows);
    return rows;
}

} // namespace folio
