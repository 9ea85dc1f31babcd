// A Target over a rerankd server's POST /rerank (TEI format, raw_scores true), one keep-alive
// connection per session; also works against any TEI-compatible /rerank endpoint (batch stats
// then read 0).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "bench/target.h"
#include "common/result.h"

namespace rerankd::bench {

// `url`: "http://host:port" (no path). InvalidArgument for anything else.
Result<std::unique_ptr<Target>> make_http_target(const std::string& url);

}  // namespace rerankd::bench
