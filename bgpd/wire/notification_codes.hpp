// bgpd/wire/notification_codes.hpp - NOTIFICATION error codes and subcodes.
//
// RFC 4271 section 4.5 and 6, RFC 4486 / RFC 9003 (Cease subcodes),
// RFC 7313 (ROUTE-REFRESH message error). Shared by wire (decode errors),
// fsm (timer and FSM errors) and session.
#pragma once

#include <cstdint>

namespace bgpd::wire {

enum class ErrorCode : std::uint8_t {
  MessageHeader = 1,
  OpenMessage = 2,
  UpdateMessage = 3,
  HoldTimerExpired = 4,
  FiniteStateMachine = 5,
  Cease = 6,
  RouteRefreshMessage = 7,
};

// RFC 4271 section 6.1.
enum class HeaderSubcode : std::uint8_t {
  ConnectionNotSynchronized = 1,
  BadMessageLength = 2,
  BadMessageType = 3,
};

// RFC 4271 section 6.2, RFC 5492 (7).
enum class OpenSubcode : std::uint8_t {
  Unspecific = 0,  // RFC 4271 6.2: a recognized optional parameter is malformed
  UnsupportedVersionNumber = 1,
  BadPeerAs = 2,
  BadBgpIdentifier = 3,
  UnsupportedOptionalParameter = 4,
  UnacceptableHoldTime = 6,
  UnsupportedCapability = 7,
  RoleMismatch = 11,
};

// RFC 4271 section 6.3.
enum class UpdateSubcode : std::uint8_t {
  MalformedAttributeList = 1,
  UnrecognizedWellKnownAttribute = 2,
  MissingWellKnownAttribute = 3,
  AttributeFlagsError = 4,
  AttributeLengthError = 5,
  InvalidOriginAttribute = 6,
  InvalidNextHopAttribute = 8,
  OptionalAttributeError = 9,
  InvalidNetworkField = 10,
  MalformedAsPath = 11,
};

// RFC 6608.
enum class FsmSubcode : std::uint8_t {
  Unspecified = 0,
  UnexpectedMessageInOpenSent = 1,
  UnexpectedMessageInOpenConfirm = 2,
  UnexpectedMessageInEstablished = 3,
};

// RFC 4486, RFC 9003 (shutdown communication on 2 and 4).
enum class CeaseSubcode : std::uint8_t {
  MaximumPrefixesReached = 1,
  AdministrativeShutdown = 2,
  PeerDeconfigured = 3,
  AdministrativeReset = 4,
  ConnectionRejected = 5,
  OtherConfigurationChange = 6,
  ConnectionCollisionResolution = 7,
  OutOfResources = 8,
  HardReset = 9,
  BfdDown = 10,
};

// RFC 7313 section 5.
enum class RouteRefreshSubcode : std::uint8_t {
  InvalidMessageLength = 1,
};

}  // namespace bgpd::wire
