#pragma once
// The application code seen by the control plane: the checks that give
// CodeValidationException and InvalidApplicationConfigurationException, and
// the RunSpec the runtime runs an application by. Both compile the code with
// the SQL engine (src/sql/engine.h) against what the application's
// configuration declares: its input's in-application streams
// (<NamePrefix>_001.. with the input schema's columns and
// APPROXIMATE_ARRIVAL_TIME) and its reference tables.
//
// Threads: pure functions.

#include <optional>
#include <string_view>

#include "analytics/persistence.h"
#include "analytics/runtime.h"
#include "kinesisanalytics_shapes.h"
#include "protocol/api_error.h"
#include "sql/engine.h"

namespace runnel::analytics {

// The in-application streams and tables the code of `d` can read.
sql::ProgramInputs program_inputs(const api::ApplicationDetail& d);

// CodeValidationException when the code does not parse, or, once the
// application has an input (before it the names the code reads are not
// known yet), when it does not compile against its inputs and reference
// tables. The message gives the line and column.
std::optional<protocol::ApiError> check_code(const api::ApplicationDetail& d);

// What StartApplication needs beyond check_code(): the code compiles
// against the inputs, and every output names an in-application stream the
// code creates (or error_stream), and when the application has a Lambda
// preprocessor or a Lambda output, that runnel can invoke Lambda functions
// (`lambda_endpoint`: the server has --lambda-endpoint).
// InvalidApplicationConfigurationException otherwise.
std::optional<protocol::ApiError> check_startable(const api::ApplicationDetail& d, bool lambda_endpoint = true);

// The runtime's view of a RUNNING application.
RunSpec run_spec_of(const StoredApplication& app);

}  // namespace runnel::analytics
