// Request ids for x-request-id: the client's own when it sent a sane one, else a fresh one.
#pragma once

#include <string>
#include <string_view>

namespace rerankd::http {

// 16 lower-case hex digits, unique within the process (a random prefix per thread plus a
// counter). Thread-safe.
std::string generate_request_id();

// The client's id if it is 1..128 visible ASCII characters (it is echoed in a header and in
// JSON), else a generated one.
std::string request_id_from(std::string_view client_id);

}  // namespace rerankd::http
