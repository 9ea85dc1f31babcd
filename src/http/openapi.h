// The OpenAPI 3.0 document served at GET /openapi.json: every route, its request and response
// schemas, and the error responses of DESIGN.md's table.
#pragma once

#include <string>
#include <string_view>

namespace rerankd::http {

std::string openapi_document(std::string_view version);

}  // namespace rerankd::http
