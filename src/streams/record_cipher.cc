#include "streams/record_cipher.h"

namespace runnel::streams {

RecordCipher::RecordCipher(std::string key_file) : key_file_(std::move(key_file)) {}

}  // namespace runnel::streams
