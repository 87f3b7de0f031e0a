#pragma once
// The floor as a row of the table: floor_sample() over the build's new bytes.
#include <filesystem>
#include <vector>

#include "bench/cli/contender.h"
#include "bench/cli/floor.h"

namespace kiln::bench {

class FloorContender final : public Contender {
 public:
  FloorContender(std::vector<std::filesystem::path> files, int level) : files_(std::move(files)), level_(level) {}
  Sample run(const RunSlot& slot) override;

 private:
  std::vector<std::filesystem::path> files_;
  int level_;
};

}  // namespace kiln::bench
