#pragma once
// The latency stamp: the first bytes of every record the bench producer
// writes, read back by the bench consumers to measure put -> receive latency.
//
//   offset 0  8 bytes  send time, microseconds since the Unix epoch (the
//                      system's realtime clock), little-endian
//   offset 8  4 bytes  the magic "rnB1", so records written by anything else
//                      are told apart from stamped ones
//   offset 12 ...      filler up to the record size
//
// The realtime clock is shared by every process of a host, so a producer and
// a consumer may also run as separate `runnel bench` processes there; across
// hosts the result is only as good as their clock synchronisation.
//
// Thread-safety: pure functions.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace runnel::bench {

inline constexpr size_t kStampBytes = 12;
inline constexpr std::string_view kStampMagic = "rnB1";

// Microseconds since the Unix epoch, now.
int64_t now_epoch_micros();

// Writes the stamp for `send_micros` into data[0..12). `data` must hold at
// least kStampBytes bytes.
void write_stamp(std::string& data, int64_t send_micros);

// The send time stamped in `data`, or nullopt when `data` is shorter than a
// stamp or does not carry the magic.
std::optional<int64_t> read_stamp(std::string_view data);

}  // namespace runnel::bench
