#include "plugin/backend/native/config_index.h"

namespace kiln::plugin {

void EnvIndex::set(oci::Json& env, const std::string& name, const std::string& value) {
  if (!env.is_array()) env = oci::Json::array();
  if (covered_ != env.size()) {
    positions_.clear();
    for (std::size_t i = 0; i < env.size(); ++i)
      if (env[i].is_string()) {
        const std::string& item = env[i].get_ref<const std::string&>();
        positions_[item.substr(0, item.find('='))].push_back(i);
      }
  }
  std::string entry = name + "=" + value;
  auto& positions = positions_[name];
  if (positions.empty()) {
    positions.push_back(env.size());
    env.push_back(std::move(entry));
  } else {
    for (const std::size_t i : positions) env[i] = entry;
  }
  covered_ = env.size();
}

void FieldIndex::set(oci::Json& object, const std::string& key, oci::Json value) {
  if (!object.is_object()) object = oci::Json::object();
  // ordered_json's object is a vector of pairs: its own operator[] and emplace search it
  // linearly, the vector's positions and emplace_back do not.
  auto& fields = static_cast<oci::Json::object_t::Container&>(object.get_ref<oci::Json::object_t&>());
  if (covered_ != fields.size()) {
    positions_.clear();
    for (std::size_t i = 0; i < fields.size(); ++i) positions_.emplace(fields[i].first, i);
  }
  if (const auto it = positions_.find(key); it != positions_.end()) {
    fields[it->second].second = std::move(value);
  } else {
    positions_.emplace(key, fields.size());
    fields.emplace_back(key, std::move(value));
  }
  covered_ = fields.size();
}

}  // namespace kiln::plugin
