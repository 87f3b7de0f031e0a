#include "oci/layer/utf8_locale.h"

#include "core/error.h"

namespace kiln::oci {

ScopedUtf8Locale::ScopedUtf8Locale() {
  utf8_ = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  if (!utf8_) throw_infra("the C library has no C.UTF-8 locale, needed to write UTF-8 names in layers");
  previous_ = uselocale(utf8_);
}

ScopedUtf8Locale::~ScopedUtf8Locale() {
  uselocale(previous_);
  freelocale(utf8_);
}

}  // namespace kiln::oci
