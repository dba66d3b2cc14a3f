// Events as the ingest pipeline sees them once decoded: normalised, validated,
// free of proto types (attain.ingest.v1.Event is turned into an EventRecord by
// api/decode.h). Dates are civil days in the tenant's time zone; instants are
// absl::Time; money is minor units.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/money.h"
#include "common/period.h"

namespace attain::ingest {

// The enums below keep the numbers of their attain.ingest.v1 counterparts.

enum class OrderStatus {
  kUnspecified = 0,
  kSigned = 1,
  kClosedWon = 2,
  kCollected = 3,
  kCancelled = 4
};

enum class ContactMethod { kUnspecified = 0, kPhone = 1, kVisit = 2, kEmail = 3, kVideo = 4 };

enum class OpportunityStage {
  kUnspecified = 0,
  kLead = 1,
  kInitialContact = 2,
  kNeedConfirmed = 3,
  kProposal = 4,
  kNegotiation = 5,
  kWon = 6,
  kLost = 7,
};

enum class CustomerGrade { kUnspecified = 0, kA = 1, kB = 2, kC = 3 };

enum class CustomerTier { kUnspecified = 0, kKeyAccount = 1, kGrowth = 2, kPotential = 3 };

enum class KnowledgeSharingRole { kUnspecified = 0, kGave = 1, kAttended = 2 };

enum class ReportCadence { kUnspecified = 0, kDaily = 1, kWeekly = 2, kMonthly = 3 };

// An order's full state at `version`.
struct Order {
  std::string order_id;
  int64_t version = 0;
  std::string customer_id;
  std::string rep_id;
  std::string product_line_id;
  Money amount;              // >= 0
  int64_t gross_profit = 0;  // minor units of amount.currency; may be negative
  OrderStatus status = OrderStatus::kUnspecified;
  absl::CivilDay signed_date;
};

struct Payment {
  std::string payment_id;
  std::string order_id;  // may be empty (unallocated)
  std::string customer_id;
  std::string rep_id;
  Money amount;  // > 0
  absl::CivilDay received_date;
};

// A receivable's full state at `version`.
struct Receivable {
  std::string receivable_id;
  int64_t version = 0;
  std::string order_id;
  std::string customer_id;
  std::string rep_id;
  Money amount_due;  // >= 0
  absl::CivilDay due_date;
};

struct FollowUp {
  std::string follow_up_id;
  std::string customer_id;
  std::string rep_id;
  absl::Time contact_time;  // when the contact happened; EventRecord::occurred_at is when recorded
  ContactMethod method = ContactMethod::kUnspecified;
  std::string content;
  std::string next_action;
  std::optional<absl::CivilDay> next_action_date;
  OpportunityStage new_stage = OpportunityStage::kUnspecified;  // unspecified: unchanged
};

// An opportunity's full state at `version`.
struct Opportunity {
  std::string opportunity_id;
  int64_t version = 0;
  std::string customer_id;
  std::string rep_id;
  std::string product_line_id;
  OpportunityStage stage = OpportunityStage::kUnspecified;
  Money amount;  // expected; currency "" when not given
  absl::CivilDay created_date;
  std::optional<absl::CivilDay> closed_date;  // set exactly when won or lost
};

// A customer's master data at `version`.
struct Customer {
  std::string customer_id;
  int64_t version = 0;
  std::string full_name;  // normalised (NormalizeCustomerName)
  std::string industry;
  CustomerGrade grade = CustomerGrade::kUnspecified;
  CustomerTier tier = CustomerTier::kUnspecified;
  std::string owner_rep_id;
};

struct SatisfactionSurvey {
  std::string survey_id;
  std::string customer_id;
  std::string rep_id;
  int score = 0;  // 0-100
};

struct CollaborationRating {
  std::string rating_id;
  std::string rep_id;
  std::string department;
  int rating = 0;  // 1-5
};

struct KnowledgeSharing {
  std::string entry_id;
  std::string rep_id;
  KnowledgeSharingRole role = KnowledgeSharingRole::kUnspecified;
  std::string topic;
  absl::CivilDay date;
};

struct ReportSubmission {
  std::string report_id;
  std::string author_id;  // a rep, or a unit for weekly/monthly summaries
  ReportCadence cadence = ReportCadence::kUnspecified;
  // The period reported on, of the cadence's kind: day, week or month.
  Period period = Period::Containing(PeriodKind::kDay, absl::CivilDay());
  absl::Time submitted_at;
};

// The alternatives' order is EventKind's order.
using EventBody =
    std::variant<Order, Payment, Receivable, FollowUp, Opportunity, Customer, SatisfactionSurvey,
                 CollaborationRating, KnowledgeSharing, ReportSubmission>;

// What an event is about. The numbers are the positions in EventBody plus one
// (and are stored as such in the ingest tables).
enum class EventKind {
  kOrder = 1,
  kPayment = 2,
  kReceivable = 3,
  kFollowUp = 4,
  kOpportunity = 5,
  kCustomer = 6,
  kSatisfactionSurvey = 7,
  kCollaborationRating = 8,
  kKnowledgeSharing = 9,
  kReportSubmission = 10,
};

// The proto oneof name, "order" … "report_submission": the prefix of field paths.
absl::string_view EventKindName(EventKind kind);

// Orders, receivables, opportunities and customers carry versions: the newest
// counted version wins.
bool IsVersioned(EventKind kind);

// A decoded event.
struct EventRecord {
  absl::Time occurred_at;  // at the source; for a follow-up, when it was recorded
  EventBody body;

  EventKind kind() const { return static_cast<EventKind>(body.index() + 1); }
  // The entity id of a versioned kind (order_id, receivable_id,
  // opportunity_id, customer_id); the event's own id field otherwise.
  const std::string& entity_id() const;
  // The version of a versioned kind; 0 otherwise.
  int64_t version() const;
  // The rep the event credits ("" for a customer; the author of a report).
  const std::string& rep_id() const;
  // The field path naming the rep, e.g. "order.rep_id", "report_submission.author_id".
  std::string rep_field() const;
};

// Why an event was rejected: the field at fault (a path into
// attain.ingest.v1.Event such as "order.amount.minor_units") and what is
// wrong, in words that say what to do.
struct Rejection {
  std::string field;
  std::string reason;
};

// One event of a batch as received: decoded, or rejected by decoding.
struct IncomingEvent {
  std::string source;                 // as received, even when rejected
  std::string event_id;               // as received, even when rejected
  std::string payload;                // the serialized attain.ingest.v1.Event, kept for inspection
  std::optional<EventRecord> record;  // nullopt when decoding rejected the event
  Rejection rejection;                // why, when `record` is nullopt
};

// What became of an event; the numbers of attain.ingest.v1.Outcome.
enum class Outcome {
  kUnspecified = 0,
  kAccepted = 1,
  kDuplicate = 2,
  kStaleVersion = 3,
  kRejected = 4
};

struct EventOutcome {
  Outcome outcome = Outcome::kUnspecified;
  std::string field;   // kRejected only
  std::string reason;  // kRejected only
};

}  // namespace attain::ingest
