#include "kiln/cancellation.h"

#include "library/cancellation_token.h"

namespace kiln {
namespace detail {

struct CancellationState {
  std::stop_source source;
  static std::stop_token token(const CancellationToken& token) { return token.state_->source.get_token(); }
};

}  // namespace detail

CancellationToken::CancellationToken() : state_(std::make_shared<detail::CancellationState>()) {}

void CancellationToken::cancel() noexcept { state_->source.request_stop(); }

bool CancellationToken::cancelled() const noexcept { return state_->source.stop_requested(); }

namespace library {

std::stop_token stop_token_of(const CancellationToken& token) { return detail::CancellationState::token(token); }

}  // namespace library
}  // namespace kiln
