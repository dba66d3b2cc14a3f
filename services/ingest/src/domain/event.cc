#include "services/ingest/src/domain/event.h"

#include "absl/strings/str_cat.h"

namespace attain::ingest {

absl::string_view EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kOrder:
      return "order";
    case EventKind::kPayment:
      return "payment";
    case EventKind::kReceivable:
      return "receivable";
    case EventKind::kFollowUp:
      return "follow_up";
    case EventKind::kOpportunity:
      return "opportunity";
    case EventKind::kCustomer:
      return "customer";
    case EventKind::kSatisfactionSurvey:
      return "satisfaction_survey";
    case EventKind::kCollaborationRating:
      return "collaboration_rating";
    case EventKind::kKnowledgeSharing:
      return "knowledge_sharing";
    case EventKind::kReportSubmission:
      return "report_submission";
  }
  return "unknown";
}

bool IsVersioned(EventKind kind) {
  return kind == EventKind::kOrder || kind == EventKind::kReceivable ||
         kind == EventKind::kOpportunity || kind == EventKind::kCustomer;
}

namespace {

struct EntityIdOf {
  const std::string& operator()(const Order& e) const { return e.order_id; }
  const std::string& operator()(const Payment& e) const { return e.payment_id; }
  const std::string& operator()(const Receivable& e) const { return e.receivable_id; }
  const std::string& operator()(const FollowUp& e) const { return e.follow_up_id; }
  const std::string& operator()(const Opportunity& e) const { return e.opportunity_id; }
  const std::string& operator()(const Customer& e) const { return e.customer_id; }
  const std::string& operator()(const SatisfactionSurvey& e) const { return e.survey_id; }
  const std::string& operator()(const CollaborationRating& e) const { return e.rating_id; }
  const std::string& operator()(const KnowledgeSharing& e) const { return e.entry_id; }
  const std::string& operator()(const ReportSubmission& e) const { return e.report_id; }
};

struct VersionOf {
  int64_t operator()(const Order& e) const { return e.version; }
  int64_t operator()(const Receivable& e) const { return e.version; }
  int64_t operator()(const Opportunity& e) const { return e.version; }
  int64_t operator()(const Customer& e) const { return e.version; }
  template <typename T>
  int64_t operator()(const T&) const {
    return 0;
  }
};

struct RepOf {
  const std::string& operator()(const Customer&) const {
    static const std::string* const kNone = new std::string();
    return *kNone;
  }
  const std::string& operator()(const ReportSubmission& e) const { return e.author_id; }
  template <typename T>
  const std::string& operator()(const T& e) const {
    return e.rep_id;
  }
};

}  // namespace

const std::string& EventRecord::entity_id() const { return std::visit(EntityIdOf(), body); }

int64_t EventRecord::version() const { return std::visit(VersionOf(), body); }

const std::string& EventRecord::rep_id() const { return std::visit(RepOf(), body); }

std::string EventRecord::rep_field() const {
  const EventKind k = kind();
  if (k == EventKind::kReportSubmission) return "report_submission.author_id";
  if (k == EventKind::kCustomer) return "customer.owner_rep_id";
  return absl::StrCat(EventKindName(k), ".rep_id");
}

}  // namespace attain::ingest
