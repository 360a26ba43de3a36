// tests/tools/injector/stream.hpp - pre-encoded UPDATE streams of a table.
//
// Owns: turning a tablegen table into the exact bytes a BGP speaker sends
// for it - UPDATEs packed by wire::UpdatePacker for given session options,
// then one End-of-RIB per family (RFC 4724 section 2) - scanning such a
// stream back (framing, decoding, counting), and cutting it into chunks on
// message boundaries so that a sender can slip KEEPALIVEs in between.
//
// File format: the raw messages back to back, headers included, exactly
// what the wire carries; wire::decode_message (and tshark, given the bytes
// as a TCP payload) reads it. A stream records nothing about the session
// options it was encoded for (4-octet AS numbers, RFC 6793; extended
// messages, RFC 8654): writer and reader must be told the same.
//
// Must not depend on: sockets, Asio, clocks or logging - bytes in, values
// out, like the codec it drives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "bgpd/wire/options.hpp"
#include "bgpd/wire/types.hpp"
#include "common/expected.hpp"
#include "tests/tools/tablegen/tablegen.hpp"

namespace injector {

struct StreamOptions {
  tablegen::Params table;
  // The encoding the receiving session negotiated: 4-octet AS on and
  // extended messages off by default, what most eBGP sessions run with.
  bgpd::wire::SessionOptions session{true, false, false};
};

struct StreamSummary {
  std::uint64_t messages = 0;  // End-of-RIB markers included
  std::uint64_t bytes = 0;
  std::uint64_t updates = 0;  // UPDATEs that carry NLRI
  std::uint64_t ipv4_prefixes = 0;
  std::uint64_t ipv6_prefixes = 0;
  std::uint64_t withdrawn = 0;
  std::size_t largest_message = 0;
  std::vector<bgpd::wire::Family> end_of_rib;  // in stream order

  std::uint64_t prefixes() const { return ipv4_prefixes + ipv6_prefixes; }
  // Families that have prefixes or an End-of-RIB, sorted: what the session
  // must negotiate (RFC 4760) before the stream can be sent.
  std::vector<bgpd::wire::Family> families() const;
  bool operator==(const StreamSummary&) const = default;
};

struct StreamError {
  std::uint64_t offset = 0;  // of the message at fault
  std::string what;
};

// "ipv4-unicast", "ipv6-unicast" (the config's names), else "afi/safi".
std::string family_name(bgpd::wire::Family family);

// Receives the stream in pieces of whole messages.
using StreamSink = std::function<void(std::span<const std::uint8_t> bytes)>;

// Generates the table and hands its encoding to `sink` group by group
// (buffered to about 1 MiB). End-of-RIB follows for each family of the
// table (IPv4 when the table is empty). Errors: a group the packer refuses
// (no next hop of the family, attributes over the message size).
common::Expected<StreamSummary, StreamError> write_stream(const StreamOptions& options,
                                                          const StreamSink& sink);

struct EncodedStream {
  std::vector<std::uint8_t> bytes;
  StreamSummary summary;
};
// The whole stream in memory.
common::Expected<EncodedStream, StreamError> encode_stream(const StreamOptions& options);

// Frames and decodes every message of `bytes` with `session`: the stream
// must hold only well-formed UPDATEs (no RFC 7606 error of any strength)
// and end on a message boundary. Messages up to 65535 octets frame; the
// caller compares largest_message with what its session allows.
common::Expected<StreamSummary, StreamError> scan_stream(std::span<const std::uint8_t> bytes,
                                                         const bgpd::wire::SessionOptions& session);

// End offset of the longest run of whole messages that starts at `offset`
// and fits in `max_chunk` octets; always at least one message. `bytes` must
// have passed scan_stream (a truncated tail ends the last chunk).
std::size_t next_chunk_end(std::span<const std::uint8_t> bytes, std::size_t offset,
                           std::size_t max_chunk);

}  // namespace injector
