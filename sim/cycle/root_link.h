// The root's link as a timing model of its own: the cycle model of a mapping
// hands it every transfer to and from the DRAM (byte addresses of the words
// moved) and takes the time it reports, instead of the DRAM's bandwidth.
// Plain C++: the command-level DRAM (cycle/dram/dram_link.h) implements it,
// so the cycle model of mappings needs no SystemC.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace einflow::sim::cycle {

class RootLink {
 public:
  virtual ~RootLink() = default;
  // Bytes per word of the DRAM's tensors.
  virtual int word_bytes() const = 0;
  // Moves the words at the given byte addresses (reads: DRAM to chip; writes:
  // chip to DRAM), starting no earlier than core cycle `start`; returns the
  // core cycles until the last of them is done. Calls come in order of start.
  virtual double transfer(double start, const std::vector<uint64_t>& reads,
                          const std::vector<uint64_t>& writes) = 0;
  // The core cycles the same words would take at the DRAM's peak bandwidth.
  virtual double peak_cycles(size_t read_words, size_t write_words) const = 0;

  // transfer(), with what its timing cost beyond the peak bandwidth (the one
  // rule for the `dram timing` figures of both cycle models).
  struct Timed {
    double cycles = 0;
    double over_peak = 0;
  };
  Timed timed_transfer(double start, const std::vector<uint64_t>& reads, const std::vector<uint64_t>& writes) {
    Timed t;
    t.cycles = transfer(start, reads, writes);
    t.over_peak = std::max(0.0, t.cycles - peak_cycles(reads.size(), writes.size()));
    return t;
  }
};

}  // namespace einflow::sim::cycle
