#pragma once
// typed<Input, Output>(fn): an OperationHandler from a function of typed
// shapes (tools/gen_shapes.py, docs/typed-shapes.md):
//
//   ApiResult<Output> fn(const Input& in, const RequestContext& ctx);
//
// The handler decodes the validated input Value into Input, moving its
// strings and blobs rather than copying them (a failure there is a
// SerializationException: only a bug upstream of the validator can cause
// one), calls fn on the calling thread, and encodes its Output back
// into the Value the dispatcher writes in the request's protocol.
// Operations without an output shape return NoOutput (answered as {}).
// Nothing checks that Input is the operation's input shape (each generated
// struct names its shape in kShapeName, for tests that want to).
//
// Threads: the handler runs where the dispatcher calls it (net/ threads,
// concurrently); fn must be safe to call concurrently.

#include <expected>
#include <string>
#include <utility>

#include "protocol/api_error.h"
#include "protocol/model.h"
#include "protocol/service.h"
#include "protocol/value.h"

namespace runnel::protocol {

// The output of an operation whose model has no output shape.
struct NoOutput {};
inline Value encode(const NoOutput&) { return Value(Object{}); }

template <class Input, class Output, class Fn>
OperationHandler typed(Fn fn) {
  return [fn = std::move(fn)](const OperationModel&, Value input, const RequestContext& ctx, OperationReply reply) {
    Input in;
    if (auto decoded = decode(std::move(input), in); !decoded) {
      reply(std::unexpected(std::move(decoded.error())));
      return;
    }
    ApiResult<Output> out = fn(static_cast<const Input&>(in), ctx);
    if (!out) {
      reply(std::unexpected(std::move(out.error())));
      return;
    }
    reply(encode(*out));
  };
}

}  // namespace runnel::protocol
