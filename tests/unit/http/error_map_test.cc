#include "http/error_map.h"

#include <gtest/gtest.h>

namespace rerankd::http {
namespace {

TEST(ErrorMap, FollowsDesignTable) {
  EXPECT_EQ(map_status(StatusCode::kInvalidArgument).http_status, 400u);
  EXPECT_EQ(map_status(StatusCode::kFailedPrecondition).http_status, 422u);
  EXPECT_EQ(map_status(StatusCode::kOutOfRange).http_status, 413u);
  EXPECT_EQ(map_status(StatusCode::kResourceExhausted).http_status, 429u);
  EXPECT_TRUE(map_status(StatusCode::kResourceExhausted).retry_after);
  EXPECT_EQ(map_status(StatusCode::kUnavailable).http_status, 503u);
  EXPECT_EQ(map_status(StatusCode::kDeadlineExceeded).http_status, 504u);
  EXPECT_EQ(map_status(StatusCode::kInternal).http_status, 500u);
  EXPECT_EQ(map_status(StatusCode::kDataLoss).http_status, 500u);
  EXPECT_EQ(map_failure(HttpFailure::kUnauthorized).http_status, 401u);
  EXPECT_EQ(map_failure(HttpFailure::kRouteNotFound).http_status, 404u);
  EXPECT_EQ(map_failure(HttpFailure::kMethodNotAllowed).http_status, 405u);
}

TEST(ErrorMap, ErrorBodyIsJsonWithRetryAfterFor429) {
  HttpResponse response = error_response(Status(StatusCode::kResourceExhausted, "queue \"full\""));
  EXPECT_EQ(response.status, 429u);
  EXPECT_EQ(response.body, R"({"error":"queue \"full\"","error_type":"overloaded"})");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "retry-after");
  EXPECT_EQ(response.error_type, "overloaded");
}

}  // namespace
}  // namespace rerankd::http
