#include "model/hub/hub_download.h"

#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <set>
#include <thread>

#include "common/file.h"
#include "model/hub/http_client.h"
#include "model/hub/hub_cache.h"
#include "model/hub/sha256_file.h"

namespace rerankd::model::hub {
namespace {

namespace fs = std::filesystem;

constexpr int kAttempts = 5;  // per request; waits 0.5, 1, 2, 4 s between them

// The loader reads these when present (model/, text/); nothing else is fetched.
constexpr const char* kSmallFiles[] = {"tokenizer.json", "vocab.txt", "tokenizer_config.json",
                                       "special_tokens_map.json",
                                       "config_sentence_transformers.json"};

void wait_before_retry(int attempt) {
  std::this_thread::sleep_for(std::chrono::milliseconds(500 << attempt));
}

bool is_transient(long status) { return status == 429 || status >= 500; }

std::string where(const RepoRef& ref) { return ref.id + "@" + ref.revision; }

// What a 401, 403 or 404 means, in the words of the Hub's X-Error-Code header.
Status http_error(const RepoRef& ref, const HubSettings& settings, const HttpResponse& response,
                  const std::string& url, const std::string& file) {
  const std::string code = response.header("x-error-code");
  const std::string subject = where(ref) + (file.empty() ? "" : " file " + file);
  if (response.status == 401 || response.status == 403 || code == "GatedRepo") {
    const std::string hint =
        settings.token ? "the token (HF_TOKEN or the token file) was refused: check that it can "
                         "read this repo and that its licence is accepted on the Hub"
                       : "it is gated or private: accept its licence on the Hub and set HF_TOKEN "
                         "(or log in with `hf auth login`)";
    return failed_precondition(subject + ": HTTP " + std::to_string(response.status) + " from " +
                               url + "; " + hint);
  }
  if (response.status == 404) {
    std::string what = "not found";
    if (code == "RepoNotFound") {
      what = "no such repo (or it is private and no valid token was sent)";
    } else if (code == "RevisionNotFound") {
      what = "no revision \"" + ref.revision + "\" (a branch, tag or commit)";
    } else if (code == "EntryNotFound") {
      what = "no such file in this revision";
    }
    return not_found(subject + ": " + what + " (HTTP 404 from " + url + ")");
  }
  return Status(StatusCode::kUnavailable,
                subject + ": HTTP " + std::to_string(response.status) + " from " + url);
}

std::vector<std::string> request_headers(const HubSettings& settings, bool with_token) {
  std::vector<std::string> headers = {"Accept-Encoding: identity"};
  if (with_token && settings.token) headers.push_back("Authorization: Bearer " + *settings.token);
  return headers;
}

// A metadata request, retried while the server is unreachable or answers 5xx / 429.
Result<HttpResponse> fetch_with_retries(HttpRequest request) {
  for (int attempt = 0;; ++attempt) {
    auto response = http_fetch(request);
    const bool retry = !response.ok() ? response.status().code() == StatusCode::kUnavailable
                                      : is_transient(response->status);
    if (!retry || attempt + 1 == kAttempts) {
      if (!response.ok()) {
        return Status(response.status().code(), response.status().message() + " (after " +
                                                    std::to_string(attempt + 1) + " attempts)");
      }
      return response;
    }
    wait_before_retry(attempt);
  }
}

struct RevisionInfo {
  std::string commit;
  std::vector<std::string> files;
};

Result<RevisionInfo> revision_info(const RepoRef& ref, const HubSettings& settings) {
  HttpRequest request;
  request.url =
      settings.endpoint + "/api/models/" + ref.id + "/revision/" + url_escape(ref.revision);
  request.headers = request_headers(settings, true);
  request.total_timeout_s = settings.metadata_timeout_s;
  auto response = fetch_with_retries(request);
  if (!response.ok()) return response.status().with_context(where(ref));
  if (response->status != 200) return http_error(ref, settings, *response, request.url, "");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view commit;
  simdjson::dom::array siblings;
  if (parser.parse(response->body).get(root) != simdjson::SUCCESS ||
      root["sha"].get(commit) != simdjson::SUCCESS ||
      root["siblings"].get(siblings) != simdjson::SUCCESS || !is_commit_hash(commit)) {
    return data_loss(where(ref) + ": " + request.url +
                     " did not answer with a model's revision (JSON with sha and siblings)");
  }
  RevisionInfo info;
  info.commit = std::string(commit);
  for (const auto sibling : siblings) {
    std::string_view name;
    if (sibling["rfilename"].get(name) == simdjson::SUCCESS) info.files.emplace_back(name);
  }
  return info;
}

// The file's identity and where its bytes are, from a HEAD on its resolve URL.
struct FileMetadata {
  std::string etag;          // the sha256 for an LFS file, the git blob id otherwise
  std::uint64_t size = 0;    // 0 when the server did not say
  std::string download_url;  // the CDN's for an LFS file
};

std::string clean_etag(std::string etag) {
  if (etag.rfind("W/", 0) == 0) etag.erase(0, 2);
  etag.erase(std::remove(etag.begin(), etag.end(), '"'), etag.end());
  return etag;
}

bool is_sha256(const std::string& text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string host_of(const std::string& url) {
  const std::size_t scheme = url.find("://");
  const std::size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  return url.substr(start, url.find('/', start) - start);
}

// An LFS file's headers name its sha256 and size as X-Linked-*; a small file's are the usual ones.
FileMetadata metadata_from(const HttpResponse& response, std::string download_url) {
  const auto linked_or = [&response](const char* linked, const char* plain) {
    std::string value = response.header(linked);
    return value.empty() ? response.header(plain) : value;
  };
  FileMetadata metadata;
  metadata.etag = clean_etag(linked_or("x-linked-etag", "etag"));
  const std::string size = linked_or("x-linked-size", "content-length");
  metadata.size = size.empty() ? 0 : std::strtoull(size.c_str(), nullptr, 10);
  metadata.download_url = std::move(download_url);
  return metadata;
}

Result<FileMetadata> file_metadata(const RepoRef& ref, const HubSettings& settings,
                                   const std::string& commit, const std::string& file) {
  HttpRequest request;
  request.url = settings.endpoint + "/" + ref.id + "/resolve/" + commit + "/" + file;
  request.headers = request_headers(settings, true);
  request.head = true;
  request.follow_redirects = false;  // a redirect's own headers carry the LFS ETag and size
  request.total_timeout_s = settings.metadata_timeout_s;
  for (int hop = 0; hop < 5; ++hop) {
    auto response = fetch_with_retries(request);
    if (!response.ok()) return response.status().with_context(where(ref) + " file " + file);
    const long status = response->status;
    std::string download_url = request.url;
    if (status >= 300 && status < 400) {
      download_url = response->header("location");
      if (download_url.rfind('/', 0) == 0) {  // relative: a renamed repo on the Hub itself
        request.url = settings.endpoint + download_url;
        continue;
      }
    } else if (status != 200) {
      return http_error(ref, settings, *response, request.url, file);
    }
    FileMetadata metadata = metadata_from(*response, std::move(download_url));
    if (metadata.etag.empty()) break;
    return metadata;
  }
  return data_loss(where(ref) + " file " + file + ": " + request.url +
                   " gave no ETag, so the file cannot be cached (is HF_ENDPOINT a Hub?)");
}

std::uint64_t size_of(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  return ec ? 0 : size;
}

std::string megabytes(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

// A bar on a terminal, redrawn at most 5 times a second; nothing otherwise.
ProgressFn progress_bar(const std::string& file, std::uint64_t offset) {
  if (isatty(STDERR_FILENO) == 0) return {};
  auto last = std::make_shared<std::chrono::steady_clock::time_point>();
  return [file, offset, last](std::uint64_t now, std::uint64_t total) {
    const auto clock = std::chrono::steady_clock::now();
    if (clock - *last < std::chrono::milliseconds(200) || total == 0) return;
    *last = clock;
    const double done = static_cast<double>(offset + now) / static_cast<double>(offset + total);
    std::fprintf(stderr, "\r  %s %3.0f%% of %s", file.c_str(), 100 * done,
                 megabytes(offset + total).c_str());
  };
}

// Fetches the blob into <etag>.incomplete (resuming what an earlier run left) and renames it
// once whole and, for LFS, its sha256 equal to the ETag. Called under the blob's lock.
Status fetch_blob(const RepoRef& ref, const HubSettings& settings, const HubCache& cache,
                  const std::string& file, const FileMetadata& metadata) {
  const fs::path blob = cache.blob(metadata.etag);
  const fs::path partial = blob.string() + ".incomplete";
  std::error_code ec;
  fs::create_directories(blob.parent_path(), ec);
  HttpRequest request;
  request.url = metadata.download_url;
  const bool same_host = host_of(request.url) == host_of(settings.endpoint);
  request.headers = request_headers(settings, same_host);  // no token for the CDN
  request.stall_timeout_s = settings.download_timeout_s;
  const auto started = std::chrono::steady_clock::now();
  std::fprintf(stderr, "rerankd: downloading %s %s (%s)\n", where(ref).c_str(), file.c_str(),
               megabytes(metadata.size).c_str());
  for (int attempt = 0;; ++attempt) {
    std::uint64_t offset = size_of(partial);
    if (metadata.size > 0 && offset > metadata.size) {
      fs::remove(partial, ec);
      offset = 0;
    }
    if (metadata.size > 0 && offset == metadata.size) break;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(std::fopen(partial.c_str(), "ab"),
                                                        std::fclose);
    if (!out) return internal_error("cannot write " + partial.string());
    auto response = http_download(request, out.get(), offset, progress_bar(file, offset));
    out.reset();
    if (isatty(STDERR_FILENO) != 0) std::fprintf(stderr, "\n");
    if (!response.ok() && response.status().code() != StatusCode::kUnavailable) {
      return response.status().with_context(where(ref) + " file " + file);
    }
    const bool transient =
        !response.ok() || is_transient(response->status) || response->status == 416 ||
        (response->status / 100 == 2 && metadata.size > 0 && size_of(partial) < metadata.size);
    if (response.ok() && response->status == 416) fs::remove(partial, ec);  // start again
    if (response.ok() && !transient && response->status / 100 != 2) {
      return http_error(ref, settings, *response, request.url, file);
    }
    if (!transient) break;
    if (attempt + 1 == kAttempts) {
      const std::string why = !response.ok() ? response.status().message()
                                             : "HTTP " + std::to_string(response->status) + ", " +
                                                   megabytes(size_of(partial)) + " of " +
                                                   megabytes(metadata.size);
      return Status(StatusCode::kUnavailable,
                    where(ref) + " file " + file + ": download failed after " +
                        std::to_string(kAttempts) + " attempts (" + why + "); run again to " +
                        "resume from " + partial.string());
    }
    std::fprintf(stderr, "rerankd: %s: retrying (%s)\n", file.c_str(),
                 !response.ok() ? response.status().message().c_str() : "incomplete");
    wait_before_retry(attempt);
  }
  if (metadata.size > 0 && size_of(partial) != metadata.size) {
    fs::remove(partial, ec);
    return data_loss(where(ref) + " file " + file + ": got " + std::to_string(size_of(partial)) +
                     " bytes from " + request.url + ", expected " + std::to_string(metadata.size));
  }
  if (is_sha256(metadata.etag)) {
    RERANKD_ASSIGN_OR_RETURN(const std::string actual, sha256_of_file(partial));
    if (actual != metadata.etag) {
      fs::remove(partial, ec);
      return data_loss(where(ref) + " file " + file + " from " + request.url + ": sha256 " +
                       actual + " is not the Hub's " + metadata.etag +
                       "; the download was deleted");
    }
  }
  fs::rename(partial, blob, ec);
  if (ec) return internal_error("cannot rename " + partial.string() + ": " + ec.message());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::fprintf(stderr, "rerankd: %s done in %.1f s\n", file.c_str(), seconds);
  return {};
}

Status fetch_file(const RepoRef& ref, const HubSettings& settings, const HubCache& cache,
                  const std::string& commit, const std::string& file) {
  std::error_code ec;
  if (fs::exists(cache.snapshot(commit) / file, ec)) return {};
  RERANKD_ASSIGN_OR_RETURN(const FileMetadata metadata, file_metadata(ref, settings, commit, file));
  if (metadata.etag.find('/') != std::string::npos || metadata.etag == "." ||
      metadata.etag == "..") {
    return data_loss(where(ref) + " file " + file + ": ETag \"" + metadata.etag +
                     "\" cannot name a blob");
  }
  if (!fs::exists(cache.blob(metadata.etag), ec)) {
    RERANKD_ASSIGN_OR_RETURN(const FileLock lock,
                             FileLock::acquire(cache.lock_file(metadata.etag)));
    // Another process may have finished the blob while this one waited for the lock.
    if (!fs::exists(cache.blob(metadata.etag), ec)) {
      RERANKD_RETURN_IF_ERROR(fetch_blob(ref, settings, cache, file, metadata));
    }
  }
  return cache.link(commit, file, metadata.etag);
}

// The shard names an index's weight_map lists, sorted and unique.
Result<std::vector<std::string>> shards_of(const fs::path& index) {
  RERANKD_ASSIGN_OR_RETURN(const std::string text, read_file(index));
  simdjson::dom::parser parser;
  simdjson::dom::object map;
  if (parser.parse(text)["weight_map"].get(map) != simdjson::SUCCESS) {
    return data_loss(index.string() + ": no weight_map object");
  }
  std::set<std::string> shards;
  for (const auto field : map) {
    std::string_view shard;
    if (field.value.get(shard) != simdjson::SUCCESS || shard.empty() ||
        shard.find("..") != std::string_view::npos || shard.front() == '/') {
      return data_loss(index.string() + ": weight_map entry " + std::string(field.key) +
                       " is not a file name");
    }
    shards.emplace(shard);
  }
  return std::vector<std::string>(shards.begin(), shards.end());
}

}  // namespace

Result<std::vector<std::string>> files_to_fetch(const RepoRef& ref,
                                                const std::vector<std::string>& repo_files) {
  const auto has = [&repo_files](const std::string& name) {
    return std::find(repo_files.begin(), repo_files.end(), name) != repo_files.end();
  };
  std::vector<std::string> files;
  if (has("model.safetensors")) {
    files.push_back("model.safetensors");
  } else if (has("model.safetensors.index.json")) {
    files.push_back("model.safetensors.index.json");
  } else if (has("pytorch_model.bin") || has("pytorch_model.bin.index.json")) {
    return failed_precondition(
        ref.id + "@" + ref.revision +
        " has PyTorch weights only (pytorch_model.bin); rerankd reads safetensors and does not "
        "download them. Convert once with transformers: python3 -c \"from transformers import "
        "AutoModelForSequenceClassification as M, AutoTokenizer as T; "
        "M.from_pretrained('" +
        ref.id +
        "').save_pretrained('DIR'); "
        "T.from_pretrained('" +
        ref.id + "').save_pretrained('DIR')\" and pass --model DIR");
  } else {
    std::string listed;
    for (const auto& name : repo_files) listed += (listed.empty() ? "" : ", ") + name;
    return failed_precondition(
        ref.id + "@" + ref.revision +
        " has no model.safetensors or model.safetensors.index.json (files: " + listed + ")");
  }
  if (!has("config.json")) {
    return failed_precondition(ref.id + "@" + ref.revision + " has no config.json");
  }
  for (const char* name : kSmallFiles) {
    if (has(name)) files.emplace_back(name);
  }
  files.emplace_back("config.json");
  return files;
}

Result<fs::path> download_snapshot(const RepoRef& ref, const HubSettings& settings) {
  RERANKD_ASSIGN_OR_RETURN(const RevisionInfo info, revision_info(ref, settings));
  RERANKD_ASSIGN_OR_RETURN(std::vector<std::string> files, files_to_fetch(ref, info.files));
  const HubCache cache(settings.cache, ref.id);
  for (std::size_t i = 0; i < files.size(); ++i) {
    RERANKD_RETURN_IF_ERROR(fetch_file(ref, settings, cache, info.commit, files[i]));
    if (files[i] == "model.safetensors.index.json") {
      RERANKD_ASSIGN_OR_RETURN(const auto shards,
                               shards_of(cache.snapshot(info.commit) / files[i]));
      files.insert(files.begin() + static_cast<std::ptrdiff_t>(i) + 1, shards.begin(),
                   shards.end());
    }
  }
  if (ref.revision != info.commit) {
    RERANKD_RETURN_IF_ERROR(cache.write_ref(ref.revision, info.commit));
  }
  return cache.snapshot(info.commit);
}

}  // namespace rerankd::model::hub
