// blog.cpp: the metadata of the guide's models and the Blog handle.
#include "folio/blog.hpp"

#include <algorithm>

#include "folio/statement.hpp"
#include "lib/backend/operations.hpp"

namespace folio {

namespace {
FieldMeta id_field() { return {.name = "id", .column = "id", .type = FieldType::Integer, .primary_key = true}; }
} // namespace

const ModelMeta& Tag::meta() {
    static const ModelDefinition<Tag> def({
        .name = "Tag",
        .table = "tag",
        .fields = {id_field(), {.name = "name", .column = "name", .type = FieldType::Text, .max_length = 64,
                                .blank = false, .default_value = ""}},
    });
    static const bool others = (register_model<Article>(), true);
    (void)others;
    return def.meta;
}

const ModelMeta& Author::meta() {
    static const ModelDefinition<Author> def({
        .name = "Author",
        .table = "author",
        .fields =
            {
                id_field(),
                {.name = "username", .column = "username", .type = FieldType::Text, .db_index = true, .max_length = 64, .blank = false,
                 .default_value = ""},
                {.name = "email", .column = "email", .type = FieldType::Text, .max_length = 254, .email = true,
                 .default_value = ""},
                {.name = "bio", .column = "bio", .type = FieldType::Text, .default_value = ""},
                {.name = "articles_count", .column = "articles_count", .type = FieldType::Integer, .db_managed = true,
                 .default_value = 0},
            },
    });
    static const bool others = (register_model<Article>(), true);
    (void)others;
    return def.meta;
}

const ModelMeta& Article::meta() {
    static const ModelDefinition<Article> def({
        .name = "Article",
        .table = "article",
        .fields =
            {
                id_field(),
                {.name = "title", .column = "title", .type = FieldType::Text, .max_length = 64, .blank = false,
                 .default_value = ""},
                {.name = "content", .column = "content", .type = FieldType::Text, .default_value = ""},
                {.name = "created_at", .column = "created_at", .type = FieldType::Date, .db_index = true},
                {.name = "author", .column = "author_id", .type = FieldType::ForeignKey, .related = &Author::meta,
                 .related_name = "articles"},
                {.name = "comments_on", .column = "comments_on", .type = FieldType::Boolean, .default_value = 1},
            },
        .many_to_many = {{.name = "tags", .target = &Tag::meta, .through_table = "article_tags",
                          .source_column = "article_id", .target_column = "tag_id", .related_name = "articles"}},
    });
    return def.meta;
}

QuerySet<Article> Tag::articles() const { return reverse_set<Article>("articles", "tags"); }
QuerySet<Article> Author::articles() const { return reverse_set<Article>("articles", "author"); }
ManyToMany<Tag> Article::tags() const { return many_to_many<Tag>("tags"); }

Blog Blog::open(const std::string& path, DatabaseOptions options) {
    return Blog(std::make_unique<Database>(path, options));
}

Blog::Blog(std::unique_ptr<Database> db) : db_(std::move(db)) {
    register_model<Tag>();
    register_model<Author>();
    register_model<Article>();
    migrator().migrate();
}

namespace {
// The number of the blog migration (1-based) that creates `table`, or 0 when
// none does: read from the migrations' own DDL, so a migration that adds a
// table later makes it folio's from that version on.
int created_by_migration(const backend::Operations& ops, const std::string& table) {
    const std::string create = "CREATE TABLE " + ops.quote_name(table);
    const std::vector<Migration>& migrations = ops.blog_migrations();
    for (std::size_t i = 0; i < migrations.size(); ++i)
        if (migrations[i].sql.find(create) != std::string::npos) return static_cast<int>(i) + 1;
    return 0;
}
} // namespace

std::vector<std::string> blog_table_names() {
    std::vector<std::string> out;
    for (const ModelMeta* meta : {&Tag::meta(), &Author::meta(), &Article::meta()}) {
        out.push_back(meta->table);
        for (const auto& m : meta->many_to_many) out.push_back(m.through_table);
    }
    return out;
}

std::vector<std::string> foreign_tables(Database& db) {
    std::vector<std::pair<std::string, int>> blog_tables;  // table, migration that creates it
    for (std::string& table : blog_table_names()) {
        const int version = created_by_migration(db.operations(), table);
        blog_tables.emplace_back(std::move(table), version);
    }
    // One statement: every row carries the recorded schema version beside
    // the table's name, so a table named like the blog's counts as folio's
    // only once the migration that creates it is recorded (a version-0
    // database with its own `author` table is another program's).
    std::vector<std::string> out;
    Statement st = db.prepare(db.operations().tables_with_schema_version_sql());
    while (st.step()) {
        std::string name(st.column_text(0));
        const std::int64_t recorded = st.column_int(1);
        const auto ours = std::find_if(blog_tables.begin(), blog_tables.end(), [&](const auto& t) {
            return t.first == name && t.second > 0 && t.second <= recorded;
        });
        if (ours == blog_tables.end()) out.push_back(std::move(name));
    }
    return out;
}

} // namespace folio
