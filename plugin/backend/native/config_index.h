#pragma once
// Where each entry is in an image config's Env ("NAME=value" strings) and in its Labels,
// ExposedPorts and Volumes objects, so setting one costs a lookup instead of a scan. Both are
// kept in document order (oci::Json is an ordered_json, whose objects are searched linearly):
// 40,000 ENV lines took 36 s when each searched every variable set before it, once in the stage
// and once more when merged over the base; 40,000 LABEL lines the same.
#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "oci/json.h"

namespace kiln::plugin {

class EnvIndex {
 public:
  /// Sets NAME=value in `env` (made an array if it is not one): in place wherever NAME is
  /// (every place, should a base list it twice), else at the end. `env` may have changed since
  /// the last call (a stage's Env taken over from an earlier stage): it is indexed again then.
  void set(oci::Json& env, const std::string& name, const std::string& value);

 private:
  std::unordered_map<std::string, std::vector<std::size_t>> positions_;
  std::size_t covered_ = 0;  ///< the Env size the index describes
};

class FieldIndex {
 public:
  /// Sets `object`[key] (made an object if it is not one): in place if the key is there, else
  /// at the end. Re-indexes when `object` changed size since the last call.
  void set(oci::Json& object, const std::string& key, oci::Json value);

 private:
  std::unordered_map<std::string, std::size_t> positions_;
  std::size_t covered_ = 0;
};

}  // namespace kiln::plugin
