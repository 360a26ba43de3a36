// aotls/backend/wiped.cpp - see wiped.hpp.
#include "aotls/backend/wiped.hpp"

#include <openssl/crypto.h>

namespace aotls::backend {

void wipe_bytes(void* data, std::size_t size) noexcept {
  OPENSSL_cleanse(data, size);
}

}  // namespace aotls::backend
