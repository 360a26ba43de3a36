// common/overloaded.hpp - one visitor from several lambdas, for
// std::visit over the action and event variants of the sans-I/O cores.
#pragma once

namespace common {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace common
