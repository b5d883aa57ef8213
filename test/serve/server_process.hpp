// server_process.hpp: the serve suite's server: `folio serve` ($FOLIO_BIN)
// as a child on an ephemeral loopback port (serve_child.hpp), with 4
// workers (unless told otherwise), and an HTTP client for it.
#pragma once

#include "../cli/cli_support.hpp"

#include <httplib.h>

#include "serve_child.hpp"

#include <algorithm>

namespace serve_test {

class ServerProcess : public serve_child::ServeChild {
public:
    ServerProcess(const std::string& db, const std::string& log_file, std::vector<std::string> extra = {},
                  const std::vector<std::string>& prefix = {})
        : ServeChild(cli_test::folio_bin(), db, log_file, with_threads(std::move(extra)), prefix) {}

    httplib::Client client() const {
        httplib::Client c(host(), port());
        c.set_read_timeout(30, 0);
        return c;
    }

private:
    // 4 workers unless `extra` names its own number.
    static std::vector<std::string> with_threads(std::vector<std::string> extra) {
        if (std::find(extra.begin(), extra.end(), "--threads") == extra.end())
            extra.insert(extra.begin(), {"--threads", "4"});
        return extra;
    }
};

} // namespace serve_test
