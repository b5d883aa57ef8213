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

std::vector<std::string> foreign_tables(Database& db) {
    std::vector<std::string> blog_tables;
    for (const ModelMeta* meta : {&Tag::meta(), &Author::meta(), &Article::meta()}) {
        blog_tables.push_back(meta->table);
        for (const auto& m : meta->many_to_many) blog_tables.push_back(m.through_table);
    }
    std::vector<std::string> out;
    Statement st = db.prepare(db.operations().table_names_sql());
    while (st.step()) {
        std::string name(st.column_text(0));
        if (std::find(blog_tables.begin(), blog_tables.end(), name) == blog_tables.end()) out.push_back(std::move(name));
    }
    return out;
}

} // namespace folio
