#pragma once
// One fuzz input as a stack of layers: the bytes split at kLayerSeparator, bottom layer first,
// at most kMaxLayers (the rest stays in the top one). Each layer is a tar, compressed or not.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::fuzz {

inline constexpr std::string_view kLayerSeparator = "\n=KILN-FUZZ-LAYER=\n";
inline constexpr std::size_t kMaxLayers = 4;

inline std::vector<std::string> split_layers(std::string_view input) {
  std::vector<std::string> layers;
  while (layers.size() + 1 < kMaxLayers) {
    const auto at = input.find(kLayerSeparator);
    if (at == std::string_view::npos) break;
    layers.emplace_back(input.substr(0, at));
    input.remove_prefix(at + kLayerSeparator.size());
  }
  layers.emplace_back(input);
  return layers;
}

}  // namespace kiln::fuzz
