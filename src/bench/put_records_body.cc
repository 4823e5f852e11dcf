#include "bench/put_records_body.h"

#include "bench/latency_stamp.h"
#include "protocol/base64.h"
#include "protocol/json_codec.h"
#include "protocol/value.h"

namespace runnel::bench {

namespace {

constexpr std::string_view kOpen = R"({"Records":[)";
constexpr std::string_view kDataOpen = R"({"Data":")";
constexpr std::string_view kKeyOpen = R"(","PartitionKey":)";
constexpr std::string_view kClose = R"(],"StreamName":)";

bool plain(std::string_view s) {
  for (char c : s) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
  }
  return true;
}

// `s` as a JSON string, quotes included, escaped as encode_json escapes it.
void append_json_string(std::string& out, std::string_view s) {
  if (plain(s)) {
    out.push_back('"');
    out.append(s);
    out.push_back('"');
    return;
  }
  out.append(protocol::encode_json(protocol::Value(std::string(s))));
}

}  // namespace

PutRecordsJsonWriter::PutRecordsJsonWriter(std::string_view stream, std::string_view data_template) {
  protocol::base64_encode_append(data_template.substr(kStampBytes), filler_base64_);
  append_json_string(stream_json_, stream);
}

void PutRecordsJsonWriter::begin(std::string& out, size_t records) const {
  out.clear();
  // Per record: the braces, keys and quotes (~35 bytes), the Data's base64
  // and a key of up to 32 bytes.
  out.reserve(kOpen.size() + records * (16 + filler_base64_.size() + 70) + kClose.size() + stream_json_.size() + 1);
  out.append(kOpen);
}

void PutRecordsJsonWriter::add(std::string& out, std::string_view partition_key, int64_t stamp_us) const {
  if (out.back() != '[') out.push_back(',');
  std::string stamp(kStampBytes, '\0');
  write_stamp(stamp, stamp_us);
  out.append(kDataOpen);
  protocol::base64_encode_append(stamp, out);
  out.append(filler_base64_);
  out.append(kKeyOpen);
  append_json_string(out, partition_key);
  out.push_back('}');
}

void PutRecordsJsonWriter::finish(std::string& out) const {
  out.append(kClose);
  out.append(stream_json_);
  out.push_back('}');
}

PutRecordBatchJsonWriter::PutRecordBatchJsonWriter(std::string_view delivery_stream,
                                                   const std::vector<std::string>& data_templates) {
  for (const std::string& t : data_templates) {
    protocol::base64_encode_append(std::string_view(t).substr(kStampBytes), filler_base64_.emplace_back());
  }
  head_ = R"({"DeliveryStreamName":)";
  append_json_string(head_, delivery_stream);
  head_ += R"(,"Records":[)";
}

void PutRecordBatchJsonWriter::begin(std::string& out, size_t records) const {
  out.clear();
  out.reserve(head_.size() + records * (16 + filler_base64_.front().size() + 12) + 3);
  out.append(head_);
}

void PutRecordBatchJsonWriter::add(std::string& out, int64_t stamp_us, size_t variant) const {
  if (out.back() != '[') out.push_back(',');
  std::string stamp(kStampBytes, '\0');
  write_stamp(stamp, stamp_us);
  out.append(kDataOpen);
  protocol::base64_encode_append(stamp, out);
  out.append(filler_base64_[variant % filler_base64_.size()]);
  out.append(R"("})");
}

void PutRecordBatchJsonWriter::finish(std::string& out) const { out.append("]}"); }

}  // namespace runnel::bench
