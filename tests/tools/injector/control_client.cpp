// tests/tools/injector/control_client.cpp - see control_client.hpp.
#include "tests/tools/injector/control_client.hpp"

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "bgpd/session/deadline.hpp"

namespace injector {

namespace asio = boost::asio;
using nlohmann::json;
using QueryResult = common::Expected<json, std::string>;

asio::awaitable<QueryResult> control_query(std::string path, bgpd::api::Request request,
                                           std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  asio::local::stream_protocol::socket socket(executor);
  const bgpd::session::Deadline deadline(executor, timeout, [&socket] {
    boost::system::error_code ignored;
    socket.close(ignored);
  });
  auto failed = [&](std::string_view step, const boost::system::error_code& ec) {
    const std::string why = deadline.expired() ? "timed out" : ec.message();
    return QueryResult(common::Unexpected(path + ": " + std::string(step) + ": " + why));
  };
  boost::system::error_code ec;
  co_await socket.async_connect(asio::local::stream_protocol::endpoint(path),
                                asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return failed("connect", ec);
  const std::string line = bgpd::api::encode_request(request) + "\n";
  co_await asio::async_write(socket, asio::buffer(line),
                             asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return failed("send", ec);
  std::string answer;
  const std::size_t n = co_await asio::async_read_until(
      socket, asio::dynamic_buffer(answer), '\n', asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return failed("answer", ec);
  auto response = bgpd::api::parse_response(std::string_view(answer).substr(0, n - 1));
  if (!response) co_return QueryResult(common::Unexpected(path + ": " + response.error()));
  if (!response->ok) co_return QueryResult(common::Unexpected(path + ": " + response->error));
  co_return QueryResult(std::move(response->result));
}

common::Expected<NeighborProgress, std::string> neighbor_progress(const json& neighbors,
                                                                  const std::string& address) {
  using Result = common::Expected<NeighborProgress, std::string>;
  if (!neighbors.is_array()) return Result(common::Unexpected("show neighbors: not an array"));
  for (const auto& n : neighbors) {
    if (!n.is_object() || n.value("address", "") != address) continue;
    NeighborProgress progress;
    progress.state = n.value("state", "");
    const auto prefixes = n.find("prefixes");
    if (prefixes != n.end() && prefixes->is_object()) {
      progress.received = prefixes->value("received", std::uint64_t{0});
      progress.accepted = prefixes->value("accepted", std::uint64_t{0});
    }
    return progress;
  }
  return Result(common::Unexpected("show neighbors: no neighbor " + address));
}

}  // namespace injector
