// bgpd/wire/as_path_codec.hpp - AS_PATH / AS4_PATH wire forms and the
// RFC 6793 section 4.2.3 reconstruction of the 4-octet path.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "bgpd/wire/buffer.hpp"
#include "bgpd/wire/types.hpp"

namespace bgpd::wire {

// nullopt when malformed per RFC 7606 section 7.2: an unknown segment type,
// a zero segment length, a segment overrunning the attribute, or a single
// trailing octet.
std::optional<AsPath> decode_as_path(std::span<const std::uint8_t> value, bool four_octet);

// 2-octet form maps each ASN above 65535 to AS_TRANS (RFC 6793 4.2.2).
// Segments longer than 255 ASes are split (the count is one octet).
void encode_as_path(const AsPath& path, bool four_octet, ByteWriter& w);

// True when a 2-octet encoding loses information (RFC 6793 4.2.2: then
// AS4_PATH is sent).
bool needs_four_octets(const AsPath& path);

// The AS4_PATH to send: RFC 6793 4.2.2 keeps confederation segments out.
AsPath as4_path_of(const AsPath& path);

// RFC 6793 4.2.3: if AS_PATH holds fewer ASes than AS4_PATH, AS4_PATH is
// ignored; otherwise the leading ASes of AS_PATH that AS4_PATH lacks are
// prepended to AS4_PATH. ASes are counted as RFC 4271 9.1.2.2 (a) counts
// them (an AS_SET as one, confederation segments as zero).
AsPath merge_as4_path(const AsPath& as_path, const AsPath& as4_path);

}  // namespace bgpd::wire
