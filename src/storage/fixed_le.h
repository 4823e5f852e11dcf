#pragma once
// Fixed-width integers in the log's files (batches, the checkpoint, segment
// summaries): little-endian, as the host stores them. runnel builds for
// little-endian hosts only (x86-64, aarch64).

#include <cstring>
#include <string>

namespace runnel::storage {

template <class T>
void put_fixed(char* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

template <class T>
void append_fixed(std::string* out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out->append(b, sizeof(T));
}

template <class T>
T get_fixed(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

}  // namespace runnel::storage
