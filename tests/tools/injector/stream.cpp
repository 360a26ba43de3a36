// tests/tools/injector/stream.cpp - see stream.hpp.
#include "tests/tools/injector/stream.hpp"

#include <algorithm>
#include <optional>
#include <string_view>
#include <variant>

#include "bgpd/wire/message.hpp"

namespace injector {
namespace {

namespace wire = bgpd::wire;

// The writer hands the sink pieces of about this size.
constexpr std::size_t kFlushSize = 1 << 20;

// The length field of the header at `offset` (RFC 4271 section 4.1).
std::size_t header_length(std::span<const std::uint8_t> bytes, std::size_t offset) {
  return (std::size_t{bytes[offset + wire::kMarkerSize]} << 8) |
         bytes[offset + wire::kMarkerSize + 1];
}

// Largest message of a buffer of whole messages the packer wrote.
std::size_t largest_in(std::span<const std::uint8_t> bytes) {
  std::size_t largest = 0;
  for (std::size_t at = 0; at + wire::kHeaderSize <= bytes.size();) {
    const std::size_t length = header_length(bytes, at);
    largest = std::max(largest, length);
    at += std::max(length, wire::kHeaderSize);
  }
  return largest;
}

std::string_view type_name(const wire::Message& message) {
  static constexpr std::string_view kNames[] = {"OPEN", "UPDATE", "NOTIFICATION", "KEEPALIVE",
                                                "ROUTE-REFRESH"};
  return kNames[message.index()];
}

void count_prefixes(std::span<const wire::Prefix> prefixes, StreamSummary& summary) {
  for (const auto& p : prefixes) {
    ++(p.family() == wire::Afi::Ipv4 ? summary.ipv4_prefixes : summary.ipv6_prefixes);
  }
}

// The families End-of-RIB is sent for: those of the table, IPv4 alone when
// the table is empty (an empty session still says "initial update done").
std::vector<wire::Family> table_families(const tablegen::Params& table) {
  std::vector<wire::Family> families;
  if (table.ipv4 > 0 || table.ipv6 == 0) families.push_back(wire::kIpv4Unicast);
  if (table.ipv6 > 0) families.push_back(wire::kIpv6Unicast);
  return families;
}

}  // namespace

std::string family_name(wire::Family family) {
  if (family == wire::kIpv4Unicast) return "ipv4-unicast";
  if (family == wire::kIpv6Unicast) return "ipv6-unicast";
  return std::to_string(static_cast<unsigned>(family.afi)) + "/" +
         std::to_string(static_cast<unsigned>(family.safi));
}

std::vector<wire::Family> StreamSummary::families() const {
  std::vector<wire::Family> out = end_of_rib;
  if (ipv4_prefixes > 0) out.push_back(wire::kIpv4Unicast);
  if (ipv6_prefixes > 0) out.push_back(wire::kIpv6Unicast);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

common::Expected<StreamSummary, StreamError> write_stream(const StreamOptions& options,
                                                          const StreamSink& sink) {
  StreamSummary summary;
  std::optional<StreamError> error;
  std::vector<std::uint8_t> buffer;
  buffer.reserve(kFlushSize + wire::kMaxExtendedMessageSize);
  auto flush = [&] {
    summary.largest_message = std::max(summary.largest_message, largest_in(buffer));
    summary.bytes += buffer.size();
    sink(buffer);
    buffer.clear();
  };
  wire::UpdatePacker packer(options.session);
  tablegen::generate(options.table, [&](const tablegen::AttributeGroup& group) {
    if (error) return;
    auto messages = packer.announce(group.attributes, group.prefixes, buffer);
    if (!messages) {
      error = StreamError{summary.bytes + buffer.size(),
                          "the packer refused an attribute group (encode error " +
                              std::to_string(static_cast<int>(messages.error())) + ")"};
      return;
    }
    summary.messages += *messages;
    summary.updates += *messages;
    count_prefixes(group.prefixes, summary);
    if (buffer.size() >= kFlushSize) flush();
  });
  if (error) return common::Unexpected(std::move(*error));
  for (const auto& family : table_families(options.table)) {
    wire::encode_end_of_rib(family, buffer);
    summary.end_of_rib.push_back(family);
    ++summary.messages;
  }
  flush();
  return summary;
}

common::Expected<EncodedStream, StreamError> encode_stream(const StreamOptions& options) {
  EncodedStream out;
  auto summary = write_stream(options, [&out](std::span<const std::uint8_t> bytes) {
    out.bytes.insert(out.bytes.end(), bytes.begin(), bytes.end());
  });
  if (!summary) return common::Unexpected(summary.error());
  out.summary = *summary;
  return out;
}

common::Expected<StreamSummary, StreamError> scan_stream(std::span<const std::uint8_t> bytes,
                                                         const wire::SessionOptions& session) {
  // Frame with the largest limit; the caller checks largest_message.
  wire::SessionOptions framing = session;
  framing.extended_message = true;
  StreamSummary summary;
  for (std::size_t at = 0; at < bytes.size();) {
    auto fail = [&](const std::string& what) {
      return common::Unexpected(
          StreamError{at, "message " + std::to_string(summary.messages + 1) + ": " + what});
    };
    const auto rest = bytes.subspan(at);
    auto length = wire::next_message_length(rest, framing);
    if (!length) return fail(std::string(length.error().reason));
    if (!*length) return fail("truncated (" + std::to_string(rest.size()) + " octets left)");
    const std::size_t n = **length;
    auto message = wire::decode_message(rest.first(n), session);
    if (!message) return fail(std::string(message.error().reason));
    const auto* update = std::get_if<wire::DecodedUpdate>(&*message);
    if (!update) {
      return fail(std::string(type_name(*message)) + " in a stream of UPDATEs");
    }
    if (!update->errors.empty()) return fail(std::string(update->errors.front().reason));
    ++summary.messages;
    summary.largest_message = std::max(summary.largest_message, n);
    if (update->end_of_rib) {
      summary.end_of_rib.push_back(*update->end_of_rib);
    } else if (!update->update.nlri.empty()) {
      ++summary.updates;
    }
    count_prefixes(update->update.nlri, summary);
    summary.withdrawn += update->update.withdrawn.size();
    at += n;
  }
  summary.bytes = bytes.size();
  return summary;
}

std::size_t next_chunk_end(std::span<const std::uint8_t> bytes, std::size_t offset,
                           std::size_t max_chunk) {
  std::size_t end = offset;
  while (end + wire::kHeaderSize <= bytes.size()) {
    const std::size_t length = std::max(header_length(bytes, end), wire::kHeaderSize);
    if (end > offset && end + length - offset > max_chunk) break;
    end = std::min(end + length, bytes.size());
  }
  return end == offset ? bytes.size() : end;
}

}  // namespace injector
