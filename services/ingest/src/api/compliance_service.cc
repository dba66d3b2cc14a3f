#include "services/ingest/src/api/compliance_service.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/page.h"
#include "common/period.h"
#include "common/status.h"
#include "services/ingest/src/api/query_service.h"

namespace attain::ingest {
namespace {

constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;
// Every page recomputes the whole report: the evaluation service reads all of
// a company's special contributions in one page of up to this many.
constexpr int kMaxSpecialContributionsPageSize = 10000;

// The manager's unit, or "" for roles that read the whole tenant.
std::string UnitOf(const Principal& p) { return p.role == Role::kManager ? p.scope : ""; }

absl::StatusOr<Period> ReportPeriod(const std::string& text) {
  if (text.empty()) return absl::InvalidArgumentError("period is empty: give e.g. \"2025-03\"");
  absl::StatusOr<Period> p = Period::Parse(text);
  if (!p.ok()) return absl::InvalidArgumentError(absl::StrCat("period: ", p.status().message()));
  return p;
}

// Pages `rows` (already in list order): the page token holds the index of the
// next row. Rows are recomputed per call, so a page is consistent with the
// data at the time of that call.
template <typename Req, typename Row, typename Add>
absl::Status Page(const Req& req, std::vector<Row> rows, Add add, std::string* next_token,
                  int max_page_size = kMaxPageSize) {
  ASSIGN_OR_RETURN(int size, ResolvePageSize(req.page_size(), kDefaultPageSize, max_page_size));
  ASSIGN_OR_RETURN(std::string key, DecodePageToken(req.page_token(), PageContext(req)));
  size_t begin = 0;
  if (!key.empty() && !absl::SimpleAtoi(key, &begin)) {
    return absl::InvalidArgumentError("page_token is not valid");
  }
  const size_t end = std::min(rows.size(), begin + static_cast<size_t>(size));
  for (size_t i = begin; i < end; ++i) add(std::move(rows[i]));
  if (end < rows.size()) *next_token = EncodePageToken(absl::StrCat(end), PageContext(req));
  return absl::OkStatus();
}

}  // namespace

RoleSet ComplianceReaders() {
  return {Role::kAdmin, Role::kDirector, Role::kManager, Role::kCommitteeSecretary,
          Role::kCommitteeMember};
}

RoleSet SpecialContributionReaders() {
  return {Role::kAdmin,           Role::kDirector, Role::kManager, Role::kCommitteeSecretary,
          Role::kCommitteeMember, Role::kService,  Role::kRep};
}

absl::StatusOr<double> ResolveThresholdMultiple(double multiple) {
  if (multiple == 0) return 5.0;
  // Written so that NaN fails too.
  if (!(multiple >= 1 && multiple <= 1000)) {
    return absl::InvalidArgumentError(
        absl::StrCat("threshold_multiple ", multiple,
                     " is out of range: give 0 for the default 5, or a multiple from 1 to 1000"));
  }
  return multiple;
}

grpc::ServerUnaryReactor* ComplianceServiceImpl::ListOverdueFollowUps(
    grpc::CallbackServerContext* ctx, const v1::ListOverdueFollowUpsRequest* req,
    v1::ListOverdueFollowUpsResponse* resp) {
  return ServeUnary(
      ctx, env_, "attain.ingest.v1.ComplianceService/ListOverdueFollowUps", ComplianceReaders(),
      [this, req, resp](const Principal& p) -> absl::Status {
        absl::CivilDay as_of = absl::ToCivilDay(clock_.Now(), tz_);
        if (!req->as_of_date().empty() && !absl::ParseCivilTime(req->as_of_date(), &as_of)) {
          return absl::InvalidArgumentError(
              absl::StrCat("as_of_date \"", req->as_of_date(), "\" is not a day: use YYYY-MM-DD"));
        }
        ASSIGN_OR_RETURN(auto rows, store_.OverdueFollowUps(p.tenant, UnitOf(p), as_of));
        return Page(
            *req, std::move(rows),
            [resp](v1::OverdueFollowUp r) { *resp->add_overdue_follow_ups() = std::move(r); },
            resp->mutable_next_page_token());
      });
}

grpc::ServerUnaryReactor* ComplianceServiceImpl::ListFrequentContacts(
    grpc::CallbackServerContext* ctx, const v1::ListFrequentContactsRequest* req,
    v1::ListFrequentContactsResponse* resp) {
  return ServeUnary(
      ctx, env_, "attain.ingest.v1.ComplianceService/ListFrequentContacts", ComplianceReaders(),
      [this, req, resp](const Principal& p) -> absl::Status {
        ASSIGN_OR_RETURN(Period period, ReportPeriod(req->period()));
        ASSIGN_OR_RETURN(auto rows, store_.FrequentContacts(p.tenant, UnitOf(p), period));
        return Page(
            *req, std::move(rows),
            [resp](v1::FrequentContact r) { *resp->add_frequent_contacts() = std::move(r); },
            resp->mutable_next_page_token());
      });
}

grpc::ServerUnaryReactor* ComplianceServiceImpl::ListLateFollowUpRecords(
    grpc::CallbackServerContext* ctx, const v1::ListLateFollowUpRecordsRequest* req,
    v1::ListLateFollowUpRecordsResponse* resp) {
  return ServeUnary(ctx, env_, "attain.ingest.v1.ComplianceService/ListLateFollowUpRecords",
                    ComplianceReaders(), [this, req, resp](const Principal& p) -> absl::Status {
                      ASSIGN_OR_RETURN(Period period, ReportPeriod(req->period()));
                      ASSIGN_OR_RETURN(auto rows,
                                       store_.LateFollowUpRecords(p.tenant, UnitOf(p), period));
                      return Page(
                          *req, std::move(rows),
                          [resp](v1::LateFollowUpRecord r) {
                            *resp->add_late_follow_up_records() = std::move(r);
                          },
                          resp->mutable_next_page_token());
                    });
}

grpc::ServerUnaryReactor* ComplianceServiceImpl::ListMissedReports(
    grpc::CallbackServerContext* ctx, const v1::ListMissedReportsRequest* req,
    v1::ListMissedReportsResponse* resp) {
  return ServeUnary(
      ctx, env_, "attain.ingest.v1.ComplianceService/ListMissedReports", ComplianceReaders(),
      [this, req, resp](const Principal& p) -> absl::Status {
        ASSIGN_OR_RETURN(Period period, ReportPeriod(req->period()));
        absl::Time as_of = clock_.Now();
        std::string err;
        if (!req->as_of_time().empty() &&
            !absl::ParseTime(absl::RFC3339_full, req->as_of_time(), &as_of, &err)) {
          return absl::InvalidArgumentError(
              absl::StrCat("as_of_time \"", req->as_of_time(), "\" is not RFC 3339: ", err));
        }
        ASSIGN_OR_RETURN(auto rows, store_.MissedReports(p.tenant, UnitOf(p), period, as_of));
        return Page(
            *req, std::move(rows),
            [resp](v1::MissedReport r) { *resp->add_missed_reports() = std::move(r); },
            resp->mutable_next_page_token());
      });
}

grpc::ServerUnaryReactor* ComplianceServiceImpl::ListFinanceMismatches(
    grpc::CallbackServerContext* ctx, const v1::ListFinanceMismatchesRequest* req,
    v1::ListFinanceMismatchesResponse* resp) {
  return ServeUnary(
      ctx, env_, "attain.ingest.v1.ComplianceService/ListFinanceMismatches",
      {Role::kAdmin, Role::kDirector, Role::kFinance, Role::kManager, Role::kCommitteeSecretary,
       Role::kCommitteeMember},
      [this, req, resp](const Principal& p) -> absl::Status {
        ASSIGN_OR_RETURN(Period period, ReportPeriod(req->period()));
        ASSIGN_OR_RETURN(auto rows, store_.FinanceMismatches(p.tenant, UnitOf(p), period));
        return Page(
            *req, std::move(rows),
            [resp](v1::FinanceMismatch r) { *resp->add_finance_mismatches() = std::move(r); },
            resp->mutable_next_page_token());
      });
}

grpc::ServerUnaryReactor* ComplianceServiceImpl::ListSpecialContributions(
    grpc::CallbackServerContext* ctx, const v1::ListSpecialContributionsRequest* req,
    v1::ListSpecialContributionsResponse* resp) {
  return ServeUnary(
      ctx, env_, "attain.ingest.v1.ComplianceService/ListSpecialContributions",
      SpecialContributionReaders(), [this, req, resp](const Principal& p) -> absl::Status {
        ASSIGN_OR_RETURN(Period period, ReportPeriod(req->period()));
        ASSIGN_OR_RETURN(double multiple, ResolveThresholdMultiple(req->threshold_multiple()));
        ASSIGN_OR_RETURN(QueryScope scope, ParseScopeField(req->has_scope(), req->scope()));
        // As IngestQueryService: a rep names themselves; another scope is
        // checked against a manager's unit, then read whole. No scope is what
        // the caller read before scopes (a manager: reps placed in their unit).
        if (p.role == Role::kRep &&
            (scope.kind != QueryScope::Kind::kRep || scope.id != p.subject)) {
          return absl::PermissionDeniedError(
              "a rep may read only their own special contributions: set scope to kind REP with "
              "their rep id");
        }
        std::string unit;
        if (scope.kind == QueryScope::Kind::kCompany) {
          unit = UnitOf(p);
        } else {
          RETURN_IF_ERROR(CheckScopeAccess(p, scope, scopes_));
        }
        ASSIGN_OR_RETURN(auto rows,
                         store_.SpecialContributions(p.tenant, unit, scope, period, multiple));
        return Page(
            *req, std::move(rows),
            [resp](v1::SpecialContribution r) {
              *resp->add_special_contributions() = std::move(r);
            },
            resp->mutable_next_page_token(), kMaxSpecialContributionsPageSize);
      });
}

}  // namespace attain::ingest
