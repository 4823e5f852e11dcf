#pragma once
// What RemoteStore (s3/remote_store.h) makes of an S3-compatible store's
// answers: the XML bodies of ListObjectsV2 and the multipart calls, and the
// Status an error becomes.
//
// Error mapping (the callers of ObjectStore retry kIoError):
//   no answer (connection refused or reset, timeout)      -> kIoError
//   NoSuchBucket, NoSuchKey, NoSuchUpload, any other 404  -> kNotFound
//   5xx, SlowDown, RequestTimeout, InternalError          -> kIoError
//   any other 4xx (AccessDenied, InvalidBucketName,
//     SignatureDoesNotMatch, InvalidAccessKeyId, ...)     -> kInvalidArgument
// The message names the operation, S3's Code and Message, and the HTTP
// status: "PutObject b/k: S3 AccessDenied: Access Denied (HTTP 403)".
//
// Thread-safety: pure functions.

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "s3/object_store.h"

namespace runnel::s3 {

// S3's <Error><Code>..</Code><Message>..</Message></Error>.
struct S3ClientError {
  std::string code;
  std::string message;
};

// The error `xml` holds, or nullopt when it is not an <Error> document.
std::optional<S3ClientError> parse_s3_client_error(std::string_view xml);

// The Status of a non-2xx answer (`http_status`, `body` as received; a HEAD
// answer has no body, so its code is inferred from the status). `what` names
// the operation and object ("PutObject b/k").
Status s3_client_error_status(long http_status, std::string_view body, std::string_view what);

// The Status of a transfer that got no complete answer (curl's words).
Status s3_client_network_status(std::string_view curl_error, std::string_view what);

// A ListObjectsV2 answer (ListBucketResult). `next` is the last key listed
// when IsTruncated is true (RemoteStore pages with start-after), else nullopt.
Result<ListResult> parse_s3_client_list(std::string_view xml);

// CreateMultipartUpload's UploadId.
Result<std::string> parse_s3_client_upload_id(std::string_view xml);

// CompleteMultipartUpload's ETag (with quotes). S3 may answer 200 with an
// <Error> body when it fails after sending the status; that error's Status
// is returned (`what` as above).
Result<std::string> parse_s3_client_complete(std::string_view xml, std::string_view what);

}  // namespace runnel::s3
