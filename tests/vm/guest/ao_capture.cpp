// tests/vm/guest/ao_capture.cpp - runs INSIDE the VM guest: records what
// one interface carries until SIGTERM (or --seconds), as a pcap file the
// scenario hands back to the host (the guest has no tcpdump). Used by
// vm_kernel_pair to capture the two guest kernels' TCP-AO on the veth.
//
// Usage: ao_capture --interface IF --pcap FILE [--seconds N]
// Prints "ready" once the capture is open, and at the end one JSON line
// {"packets": N, "kernel_drops": D}. Exit 0, 1 on an error, 2 for bad
// arguments.
#include <csignal>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "tests/vm/guest/packet_capture.hpp"

namespace {

volatile std::sig_atomic_t stop_requested = 0;

void on_stop(int) { stop_requested = 1; }

}  // namespace

int main(int argc, char** argv) {
  std::string interface, pcap;
  long seconds = 600;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view name = argv[i];
    if (name == "--interface") {
      interface = argv[i + 1];
    } else if (name == "--pcap") {
      pcap = argv[i + 1];
    } else if (name == "--seconds") {
      seconds = std::strtol(argv[i + 1], nullptr, 10);
    } else {
      interface.clear();
      break;
    }
  }
  if (interface.empty() || pcap.empty() || argc % 2 == 0 || seconds <= 0) {
    std::cerr << "usage: ao_capture --interface IF --pcap FILE [--seconds N]\n";
    return 2;
  }
  // No SA_RESTART: the signal ends the poll in wait() at once.
  struct sigaction action {};
  action.sa_handler = on_stop;
  ::sigaction(SIGTERM, &action, nullptr);
  ::sigaction(SIGINT, &action, nullptr);
  try {
    bgpd_vm::PacketCapture capture(interface);
    std::cout << "ready" << std::endl;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (stop_requested == 0 && std::chrono::steady_clock::now() < deadline) {
      if (capture.wait(200)) capture.drain();
    }
    capture.drain();
    capture.write_pcap(pcap);
    std::cout << "{\"packets\": " << capture.packets()
              << ", \"kernel_drops\": " << capture.kernel_drops() << "}" << std::endl;
  } catch (const std::exception& error) {
    std::cerr << "ao_capture: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
