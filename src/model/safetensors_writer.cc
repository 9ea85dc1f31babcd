#include "model/safetensors_writer.h"

#include <fstream>

#include "common/json_writer.h"

namespace rerankd::model {
namespace {

std::string make_header(const std::vector<const TensorBlob*>& tensors) {
  std::string header = R"({"__metadata__":{"format":"pt"})";
  std::uint64_t offset = 0;
  for (const TensorBlob* tensor : tensors) {
    header += ",";
    json::append_string(header, tensor->name);
    header += R"(:{"dtype":)";
    json::append_string(header, tensor->dtype);
    header += R"(,"shape":[)";
    for (std::size_t i = 0; i < tensor->shape.size(); ++i) {
      if (i > 0) header += ",";
      header += std::to_string(tensor->shape[i]);
    }
    const std::uint64_t end = offset + tensor->data.size();
    header += "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(end) + "]}";
    offset = end;
  }
  header += "}";
  // Pad so the data section starts 8-byte aligned, which lets readers use F32/F64 in place.
  header.append((8 - header.size() % 8) % 8, ' ');
  return header;
}

}  // namespace

Status write_safetensors(const std::filesystem::path& path,
                         const std::vector<const TensorBlob*>& tensors) {
  const std::string header = make_header(tensors);
  const auto temporary = std::filesystem::path(path.string() + ".tmp");
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return invalid_argument(temporary.string() + ": cannot open for writing");
    char length[8];
    std::uint64_t n = header.size();
    for (char& byte : length) {
      byte = static_cast<char>(n & 0xFF);
      n >>= 8;
    }
    out.write(length, sizeof(length));
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    for (const TensorBlob* tensor : tensors) {
      out.write(reinterpret_cast<const char*>(tensor->data.data()),
                static_cast<std::streamsize>(tensor->data.size()));
    }
    out.close();
    if (!out) return invalid_argument(temporary.string() + ": write failed");
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) return invalid_argument(path.string() + ": cannot rename into place: " + ec.message());
  return Status::ok_status();
}

}  // namespace rerankd::model
