// aotls/backend/wiped.hpp - a socket-option buffer that is wiped when it
// goes out of scope, for structs that carry MKT secrets on their way to the
// kernel (TCP_AO_ADD_KEY) or back from it (TCP_AO_GET_KEYS returns keys).
// Architecture principle 7: no copy of a secret outlives its use.
#pragma once

#include <cstddef>
#include <type_traits>

namespace aotls::backend {

// OPENSSL_cleanse: a zeroing the compiler may not optimise away.
void wipe_bytes(void* data, std::size_t size) noexcept;

template <class T>
class Wiped {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  Wiped() = default;
  ~Wiped() { wipe(); }
  Wiped(const Wiped&) = delete;
  Wiped& operator=(const Wiped&) = delete;

  T& operator*() { return value_; }
  T* operator->() { return &value_; }
  const T* operator->() const { return &value_; }

  void wipe() noexcept { wipe_bytes(&value_, sizeof(T)); }

 private:
  T value_{};
};

}  // namespace aotls::backend
