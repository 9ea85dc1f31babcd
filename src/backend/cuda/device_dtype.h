// The 16-bit floating types the cuda backend stores weights and activations in; every kernel
// accumulates in fp32.
#pragma once

#include <optional>
#include <string_view>

namespace rerankd::backend::cuda {

enum class DeviceDType { kFp16, kBf16 };

inline std::optional<DeviceDType> parse_device_dtype(std::string_view name) {
  if (name == "fp16") return DeviceDType::kFp16;
  if (name == "bf16") return DeviceDType::kBf16;
  return std::nullopt;
}

inline const char* dtype_name(DeviceDType dtype) {
  return dtype == DeviceDType::kFp16 ? "fp16" : "bf16";
}

}  // namespace rerankd::backend::cuda
