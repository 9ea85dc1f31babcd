#include "bench/machine_info.h"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include "common/build_info.h"

namespace rerankd::bench {
namespace {

// The SIMD features the backends can use, in the order the results list them.
constexpr std::array<std::string_view, 8> kInterestingFlags = {
    "avx2",     "avx512f",  "avx512_vnni", "avx512_bf16",
    "amx_tile", "amx_bf16", "amx_int8",    "avx_vnni"};

std::string trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t\"");
  if (begin == std::string_view::npos) return "";
  const auto end = text.find_last_not_of(" \t\"\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

// The value of the first "key : value" line of /proc/cpuinfo with this key.
std::string cpuinfo_field(const std::string& cpuinfo, std::string_view key) {
  std::istringstream lines(cpuinfo);
  std::string line;
  while (std::getline(lines, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos || trim(line.substr(0, colon)) != key) continue;
    return trim(line.substr(colon + 1));
  }
  return "";
}

std::string simd_flags(const std::string& all_flags) {
  std::set<std::string> present;
  std::istringstream words(all_flags);
  for (std::string word; words >> word;) present.insert(word);
  std::string out;
  for (std::string_view flag : kInterestingFlags) {
    if (!present.contains(std::string(flag))) continue;
    if (!out.empty()) out += ' ';
    out += flag;
  }
  return out;
}

std::string read_whole(const char* path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string os_name() {
  std::istringstream lines(read_whole("/etc/os-release"));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("PRETTY_NAME=", 0) == 0) return trim(line.substr(12));
  }
  return "";
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::istringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const auto candidate = std::filesystem::path(dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return true;
  }
  return false;
}

// "NVIDIA H100 80GB HBM3 x2": each distinct name with its count, from nvidia-smi.
std::string gpu_names() {
  if (!on_path("nvidia-smi")) return "";
  FILE* pipe = ::popen("nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null", "r");
  if (pipe == nullptr) return "";
  std::string output;
  std::array<char, 256> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) {
    output += buffer.data();
  }
  if (::pclose(pipe) != 0) return "";
  std::vector<std::pair<std::string, int>> counts;  // first-seen order
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    const std::string name = trim(line);
    if (name.empty()) continue;
    auto it = counts.begin();
    while (it != counts.end() && it->first != name) ++it;
    if (it == counts.end())
      counts.emplace_back(name, 1);
    else
      ++it->second;
  }
  std::string out;
  for (const auto& [name, count] : counts) {
    if (!out.empty()) out += ", ";
    out += name + " x" + std::to_string(count);
  }
  return out;
}

}  // namespace

MachineInfo collect_machine_info() {
  MachineInfo info;
  const std::string cpuinfo = read_whole("/proc/cpuinfo");
  info.cpu_model = cpuinfo_field(cpuinfo, "model name");
  info.cpu_cores = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
  info.cpu_flags = simd_flags(cpuinfo_field(cpuinfo, "flags"));
  info.gpu = gpu_names();
  info.os = os_name();
  info.build_type = std::string(build_info().build_type);
  info.git_commit = std::string(build_info().commit);
  info.rerankd_version = std::string(build_info().version);
  return info;
}

}  // namespace rerankd::bench
