#include "oci/image/image_document.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/read_file.h"

namespace kiln::oci {

std::string read_document_file(const std::filesystem::path& file) {
  auto text = read_file(file, kMaxDocumentBytes, "image document");
  if (!text) throw_usage(fmt::format("cannot read {}", file.string()));
  return std::move(*text);
}

}  // namespace kiln::oci
