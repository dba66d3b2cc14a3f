// The eval schema's requests table (migration 001), shared by the template
// and evaluation stores: one table, so a request_id cannot be reused across
// the schema's methods. The idempotency itself, the statement guard and the
// time columns are common/pg_requests.h's.
#pragma once

#include "common/pg_requests.h"

namespace attain::eval {

// eval.requests.
inline const PgRequests& EvalRequests() {
  static const PgRequests* const kRequests = new PgRequests("eval.requests");
  return *kRequests;
}

}  // namespace attain::eval
