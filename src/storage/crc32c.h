#pragma once
// CRC32C (Castagnoli polynomial 0x1EDC6F41, reflected 0x82F63B78), the
// checksum of every log batch and of the shard-tail checkpoint. Debian 12
// ships no crc32c library, so this is our own: the SSE4.2 crc32 instruction
// when the CPU has it (checked once at run time), a slicing-by-8 table
// otherwise. Both paths give identical results; crc32c_test.cc checks them
// against the published vectors. Thread-safe (pure functions).

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace runnel::storage::crc32c {

// Extends `crc` (the CRC32C of some prefix A) to the CRC32C of A || data.
// Start a fresh checksum with crc = 0.
uint32_t extend(uint32_t crc, const void* data, size_t n);

inline uint32_t value(const void* data, size_t n) { return extend(0, data, n); }
inline uint32_t value(std::string_view s) { return extend(0, s.data(), s.size()); }

// The portable table implementation, exposed so tests can compare it with
// the hardware path on the same input.
uint32_t extend_portable(uint32_t crc, const void* data, size_t n);

// True when extend() uses the SSE4.2 instruction on this machine.
bool hardware_accelerated();

}  // namespace runnel::storage::crc32c
