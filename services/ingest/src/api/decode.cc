#include "services/ingest/src/api/decode.h"

#include <cstdint>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/money.h"
#include "common/period.h"
#include "services/ingest/src/domain/customer.h"

namespace attain::ingest {
namespace {

// Number of Unicode characters of UTF-8 text (proto3 strings are valid UTF-8).
int CharCount(absl::string_view s) {
  int n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// Where `s` stops being valid UTF-8, or npos. PostgreSQL text must be valid
// UTF-8: an event that reached the store otherwise would fail its whole group.
size_t InvalidUtf8At(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    const int len = b < 0x80             ? 1
                    : (b & 0xE0) == 0xC0 ? 2
                    : (b & 0xF0) == 0xE0 ? 3
                    : (b & 0xF8) == 0xF0 ? 4
                                         : 0;
    if (len == 0 || i + len > s.size()) return i;
    for (int k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
    }
    i += len;
  }
  return absl::string_view::npos;
}

bool IsDigits(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// "YYYY-MM-DD" exactly.
bool HasDateShape(absl::string_view s) {
  return s.size() == 10 && IsDigits(s.substr(0, 4)) && s[4] == '-' && IsDigits(s.substr(5, 2)) &&
         s[7] == '-' && IsDigits(s.substr(8, 2));
}

// RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM).
bool HasInstantShape(absl::string_view s) {
  if (s.size() < 20 || !HasDateShape(s.substr(0, 10))) return false;
  if (s[10] != 'T' && s[10] != 't') return false;
  absl::string_view t = s.substr(11);
  if (!(IsDigits(t.substr(0, 2)) && t[2] == ':' && IsDigits(t.substr(3, 2)) && t[5] == ':' &&
        IsDigits(t.substr(6, 2)))) {
    return false;
  }
  t.remove_prefix(8);
  if (!t.empty() && t[0] == '.') {
    size_t n = 1;
    while (n < t.size() && absl::ascii_isdigit(static_cast<unsigned char>(t[n]))) ++n;
    if (n == 1 || n > 10) return false;  // 1-9 fraction digits
    t.remove_prefix(n);
  }
  if (t == "Z" || t == "z") return true;
  return t.size() == 6 && (t[0] == '+' || t[0] == '-') && IsDigits(t.substr(1, 2)) && t[3] == ':' &&
         IsDigits(t.substr(4, 2));
}

int Digits(absl::string_view s, size_t at, size_t n) {
  int v = 0;
  for (size_t k = 0; k < n; ++k) v = v * 10 + (s[at + k] - '0');
  return v;
}

// The day of a string of HasDateShape, if it is a real calendar day. (The
// shape is checked first, so this is plain arithmetic: ingest decodes a date
// or two per event, and absl's general parser was a visible share of it.)
bool ParseDay(absl::string_view s, absl::CivilDay* out) {
  const int y = Digits(s, 0, 4), m = Digits(s, 5, 2), d = Digits(s, 8, 2);
  const absl::CivilDay day(y, m, d);  // normalises out-of-range fields
  if (day.year() != y || day.month() != m || day.day() != d) return false;
  *out = day;
  return true;
}

// The instant of a string of HasInstantShape, if its fields are in range
// (second 60 is a leap second, counted as the next minute's 0, as absl does).
bool ParseInstant(absl::string_view s, absl::Time* out) {
  absl::CivilDay day;
  if (!ParseDay(s.substr(0, 10), &day)) return false;
  const int hh = Digits(s, 11, 2), mm = Digits(s, 14, 2), ss = Digits(s, 17, 2);
  if (hh > 23 || mm > 59 || ss > 60) return false;
  absl::string_view t = s.substr(19);
  absl::Duration fraction;
  if (!t.empty() && t[0] == '.') {
    size_t n = 1;
    int64_t nanos = 0;
    for (; n < t.size() && absl::ascii_isdigit(static_cast<unsigned char>(t[n])); ++n) {
      nanos = nanos * 10 + (t[n] - '0');
    }
    for (size_t k = n - 1; k < 9; ++k) nanos *= 10;
    fraction = absl::Nanoseconds(nanos);
    t.remove_prefix(n);
  }
  absl::Duration offset;
  if (t[0] == '+' || t[0] == '-') {
    const int oh = Digits(t, 1, 2), om = Digits(t, 4, 2);
    if (oh > 23 || om > 59) return false;
    offset = absl::Hours(oh) + absl::Minutes(om);
    if (t[0] == '-') offset = -offset;
  }
  const absl::CivilSecond civil(day.year(), day.month(), day.day(), hh, mm, ss);
  *out = absl::FromCivil(civil, absl::UTCTimeZone()) - offset + fraction;
  return true;
}

std::string EnumChoices(const google::protobuf::EnumDescriptor* d, absl::string_view prefix) {
  std::vector<std::string> names;
  for (int i = 0; i < d->value_count(); ++i) {
    if (d->value(i)->number() == 0) continue;
    absl::string_view name = d->value(i)->name();
    if (absl::StartsWith(name, prefix)) name.remove_prefix(prefix.size());
    names.emplace_back(name);
  }
  return absl::StrJoin(names, ", ");
}

// Collects the first rejection; every check returns whether it passed.
class Checker {
 public:
  const std::optional<Rejection>& rejection() const { return rejection_; }

  bool Fail(std::string field, std::string reason) {
    if (!rejection_.has_value()) rejection_ = Rejection{std::move(field), std::move(reason)};
    return false;
  }

  // An id: 1-128 characters, no control characters. `what` names it in the
  // message ("the order's id").
  bool Id(const std::string& field, const std::string& value, absl::string_view what,
          bool required = true) {
    if (value.empty()) {
      if (!required) return true;
      return Fail(field,
                  absl::StrFormat("is empty: give %s (1-%d characters)", what, kMaxIdLength));
    }
    const int n = CharCount(value);
    if (n > kMaxIdLength) {
      return Fail(field,
                  absl::StrFormat("is %d characters long: an id has at most %d", n, kMaxIdLength));
    }
    if (size_t at = InvalidUtf8At(value); at != absl::string_view::npos) {
      return Fail(field, absl::StrFormat("is not valid UTF-8 at byte %d: send text as UTF-8", at));
    }
    for (size_t i = 0; i < value.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(value[i]);
      if (c < 0x20 || c == 0x7F) {
        return Fail(field, absl::StrFormat("contains control character 0x%02X at byte %d: an id "
                                           "is printable text",
                                           c, i));
      }
    }
    return true;
  }

  // Free text of at most `max` characters (at least `min`).
  bool Text(const std::string& field, const std::string& value, int min, int max,
            absl::string_view what) {
    if (size_t at = InvalidUtf8At(value); at != absl::string_view::npos) {
      return Fail(field, absl::StrFormat("is not valid UTF-8 at byte %d: send text as UTF-8", at));
    }
    if (size_t at = value.find('\0'); at != std::string::npos) {
      return Fail(field, absl::StrFormat("contains a NUL character at byte %d: remove it", at));
    }
    const int n = CharCount(value);
    if (n < min) {
      return Fail(field, absl::StrFormat("is empty: give %s (%d-%d characters)", what, min, max));
    }
    if (n > max) {
      return Fail(field, absl::StrFormat("is %d characters long: %s has at most %d characters", n,
                                         what, max));
    }
    return true;
  }

  bool Day(const std::string& field, const std::string& value, absl::CivilDay* out) {
    if (value.empty()) {
      return Fail(field, "is empty: give a date \"YYYY-MM-DD\", e.g. \"2025-01-15\"");
    }
    if (!HasDateShape(value) || !ParseDay(value, out)) {
      return Fail(field, absl::StrFormat("is \"%s\": expected a calendar date \"YYYY-MM-DD\", "
                                         "e.g. \"2025-01-15\"",
                                         absl::CHexEscape(value)));
    }
    // The store's date columns (PostgreSQL) start at 0001-01-01: a year 0000
    // would fail the whole commit group the event lands in.
    if (out->year() < 1) {
      return Fail(field, absl::StrFormat("is \"%s\": there is no year 0000; give a calendar date "
                                         "\"YYYY-MM-DD\" from 0001-01-01, e.g. \"2025-01-15\"",
                                         value));
    }
    return true;
  }

  bool OptionalDay(const std::string& field, const std::string& value,
                   std::optional<absl::CivilDay>* out) {
    if (value.empty()) {
      out->reset();
      return true;
    }
    absl::CivilDay day;
    if (!Day(field, value, &day)) return false;
    *out = day;
    return true;
  }

  bool Instant(const std::string& field, const std::string& value, absl::Time* out) {
    if (value.empty()) {
      return Fail(field,
                  "is empty: give an RFC 3339 instant with its offset, e.g. "
                  "\"2025-01-15T10:30:00+08:00\"");
    }
    if (!HasInstantShape(value) || !ParseInstant(value, out)) {
      return Fail(field, absl::StrFormat("is \"%s\": expected an RFC 3339 instant with an offset "
                                         "or \"Z\", e.g. \"2025-01-15T10:30:00+08:00\"",
                                         absl::CHexEscape(value)));
    }
    return true;
  }

  bool Version(const std::string& field, int64_t version) {
    if (version < 1) {
      return Fail(field, absl::StrFormat("is %d: versions start at 1 and increase with every "
                                         "change",
                                         version));
    }
    return true;
  }

  // A present Money with a valid currency and an amount within [min, ∞)
  // (`min_note` says why, e.g. "an order amount cannot be negative").
  bool Amount(const std::string& field, bool present, const attain::type::v1::Money& m, int64_t min,
              absl::string_view what, absl::string_view min_note, Money* out) {
    if (!present) {
      return Fail(field, absl::StrFormat("is missing: give %s with its currency", what));
    }
    if (!Currency(field + ".currency_code", m.currency_code())) return false;
    if (m.minor_units() < min) {
      return Fail(field + ".minor_units", absl::StrFormat("is %d: %s", m.minor_units(), min_note));
    }
    out->currency = m.currency_code();
    out->minor = m.minor_units();
    return true;
  }

  bool Currency(const std::string& field, const std::string& code) {
    if (!ValidateCurrency(code).ok()) {
      return Fail(field, absl::StrFormat("is \"%s\": a currency is three upper-case letters "
                                         "(ISO 4217), e.g. \"CNY\"",
                                         absl::CHexEscape(code)));
    }
    return true;
  }

  // An enum that must be set to one of its known values.
  template <typename E>
  bool Enum(const std::string& field, int value, const google::protobuf::EnumDescriptor* d,
            absl::string_view prefix, bool allow_unspecified, E* out) {
    const auto* v = d->FindValueByNumber(value);
    if (v == nullptr) {
      return Fail(field, absl::StrFormat("is %d, not a known value: choose one of %s", value,
                                         EnumChoices(d, prefix)));
    }
    if (value == 0 && !allow_unspecified) {
      return Fail(field, absl::StrFormat("is not set: choose one of %s", EnumChoices(d, prefix)));
    }
    *out = static_cast<E>(value);
    return true;
  }

 private:
  std::optional<Rejection> rejection_;
};

bool IsSourceChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

void CheckSource(Checker& ck, const std::string& source) {
  if (source.empty()) {
    ck.Fail("source", "is empty: name the system the event comes from, e.g. \"crm\"");
    return;
  }
  if (source.size() > static_cast<size_t>(kMaxSourceLength)) {
    ck.Fail("source", absl::StrFormat("is %d characters long: a source has at most %d",
                                      source.size(), kMaxSourceLength));
    return;
  }
  for (size_t i = 0; i < source.size(); ++i) {
    if (!IsSourceChar(source[i])) {
      ck.Fail("source",
              absl::StrFormat("\"%s\" has \"%s\" at position %d: a source is 1-%d of "
                              "[a-z0-9_-], e.g. \"crm\"",
                              absl::CHexEscape(source), absl::CHexEscape(source.substr(i, 1)), i,
                              kMaxSourceLength));
      return;
    }
  }
}

void CheckEventId(Checker& ck, const std::string& id) {
  if (id.empty()) {
    ck.Fail("event_id", "is empty: give the source's id of the event (1-128 printable ASCII)");
    return;
  }
  if (id.size() > static_cast<size_t>(kMaxIdLength)) {
    ck.Fail("event_id", absl::StrFormat("is %d characters long: an event id has at most %d",
                                        id.size(), kMaxIdLength));
    return;
  }
  for (size_t i = 0; i < id.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(id[i]);
    if (c < 0x20 || c > 0x7E) {
      ck.Fail("event_id", absl::StrFormat("has byte 0x%02X at position %d: an event id is "
                                          "printable ASCII",
                                          c, i));
      return;
    }
  }
}

Order DecodeOrder(Checker& ck, const v1::Order& p) {
  Order o;
  o.order_id = p.order_id();
  o.version = p.version();
  o.customer_id = p.customer_id();
  o.rep_id = p.rep_id();
  o.product_line_id = p.product_line_id();
  ck.Id("order.order_id", p.order_id(), "the order's id in the source") &&
      ck.Version("order.version", p.version()) &&
      ck.Id("order.customer_id", p.customer_id(), "the customer's id") &&
      ck.Id("order.rep_id", p.rep_id(), "the id of the rep credited with the sale") &&
      ck.Id("order.product_line_id", p.product_line_id(), "the product line sold") &&
      ck.Amount("order.amount", p.has_amount(), p.amount(), 0, "the order amount",
                "an order amount cannot be negative", &o.amount) &&
      ck.Enum("order.status", p.status(), v1::OrderStatus_descriptor(), "ORDER_STATUS_", false,
              &o.status) &&
      ck.Day("order.signed_date", p.signed_date(), &o.signed_date);
  if (ck.rejection().has_value() || !p.has_gross_profit()) return o;
  if (ck.Currency("order.gross_profit.currency_code", p.gross_profit().currency_code())) {
    if (p.gross_profit().currency_code() != o.amount.currency) {
      ck.Fail("order.gross_profit.currency_code",
              absl::StrFormat("is \"%s\" but the amount is in \"%s\": give gross profit in the "
                              "amount's currency",
                              p.gross_profit().currency_code(), o.amount.currency));
    }
  }
  o.gross_profit = p.gross_profit().minor_units();
  return o;
}

Payment DecodePayment(Checker& ck, const v1::Payment& p) {
  Payment o;
  o.payment_id = p.payment_id();
  o.order_id = p.order_id();
  o.customer_id = p.customer_id();
  o.rep_id = p.rep_id();
  ck.Id("payment.payment_id", p.payment_id(), "the payment's id in the source") &&
      ck.Id("payment.order_id", p.order_id(), "the order paid", /*required=*/false) &&
      ck.Id("payment.customer_id", p.customer_id(), "the id of the customer who paid") &&
      ck.Id("payment.rep_id", p.rep_id(), "the id of the rep credited with the collection") &&
      ck.Amount("payment.amount", p.has_amount(), p.amount(), 1, "the amount received",
                "a payment must be positive", &o.amount) &&
      ck.Day("payment.received_date", p.received_date(), &o.received_date);
  return o;
}

Receivable DecodeReceivable(Checker& ck, const v1::Receivable& p) {
  Receivable o;
  o.receivable_id = p.receivable_id();
  o.version = p.version();
  o.order_id = p.order_id();
  o.customer_id = p.customer_id();
  o.rep_id = p.rep_id();
  ck.Id("receivable.receivable_id", p.receivable_id(), "the receivable's id in the source") &&
      ck.Version("receivable.version", p.version()) &&
      ck.Id("receivable.order_id", p.order_id(), "the order the receivable belongs to") &&
      ck.Id("receivable.customer_id", p.customer_id(), "the id of the customer who owes it") &&
      ck.Id("receivable.rep_id", p.rep_id(), "the id of the rep responsible for collecting it") &&
      ck.Amount("receivable.amount_due", p.has_amount_due(), p.amount_due(), 0, "the amount due",
                "an amount due cannot be negative (0 when written off)", &o.amount_due) &&
      ck.Day("receivable.due_date", p.due_date(), &o.due_date);
  return o;
}

FollowUp DecodeFollowUp(Checker& ck, const v1::FollowUp& p) {
  FollowUp o;
  o.follow_up_id = p.follow_up_id();
  o.customer_id = p.customer_id();
  o.rep_id = p.rep_id();
  o.content = p.content();
  o.next_action = p.next_action();
  ck.Id("follow_up.follow_up_id", p.follow_up_id(), "the follow-up record's id in the source") &&
      ck.Id("follow_up.customer_id", p.customer_id(), "the id of the customer contacted") &&
      ck.Id("follow_up.rep_id", p.rep_id(), "the id of the rep who made the contact") &&
      ck.Instant("follow_up.contact_time", p.contact_time(), &o.contact_time) &&
      ck.Enum("follow_up.method", p.method(), v1::ContactMethod_descriptor(), "CONTACT_METHOD_",
              false, &o.method) &&
      ck.Text("follow_up.content", p.content(), 0, kMaxContentLength, "the content") &&
      ck.Text("follow_up.next_action", p.next_action(), 0, kMaxNextActionLength,
              "the next action") &&
      ck.OptionalDay("follow_up.next_action_date", p.next_action_date(), &o.next_action_date) &&
      ck.Enum("follow_up.new_stage", p.new_stage(), v1::OpportunityStage_descriptor(),
              "OPPORTUNITY_STAGE_", true, &o.new_stage);
  return o;
}

Opportunity DecodeOpportunity(Checker& ck, const v1::Opportunity& p) {
  Opportunity o;
  o.opportunity_id = p.opportunity_id();
  o.version = p.version();
  o.customer_id = p.customer_id();
  o.rep_id = p.rep_id();
  o.product_line_id = p.product_line_id();
  const bool ok = ck.Id("opportunity.opportunity_id", p.opportunity_id(),
                        "the opportunity's id in the source") &&
                  ck.Version("opportunity.version", p.version()) &&
                  ck.Id("opportunity.customer_id", p.customer_id(), "the customer's id") &&
                  ck.Id("opportunity.rep_id", p.rep_id(), "the id of the rep who owns it") &&
                  ck.Id("opportunity.product_line_id", p.product_line_id(), "the product line") &&
                  ck.Enum("opportunity.stage", p.stage(), v1::OpportunityStage_descriptor(),
                          "OPPORTUNITY_STAGE_", false, &o.stage) &&
                  (!p.has_amount() ||
                   ck.Amount("opportunity.amount", true, p.amount(), 0, "the expected amount",
                             "an expected amount cannot be negative", &o.amount)) &&
                  ck.Day("opportunity.created_date", p.created_date(), &o.created_date) &&
                  ck.OptionalDay("opportunity.closed_date", p.closed_date(), &o.closed_date);
  if (!ok) return o;
  const bool closed = o.stage == OpportunityStage::kWon || o.stage == OpportunityStage::kLost;
  const std::string stage = v1::OpportunityStage_Name(p.stage()).substr(18);
  if (closed && !o.closed_date.has_value()) {
    ck.Fail(
        "opportunity.closed_date",
        absl::StrFormat("is empty but the stage is %s: give the day it was won or lost", stage));
  } else if (!closed && o.closed_date.has_value()) {
    ck.Fail("opportunity.closed_date",
            absl::StrFormat("is \"%s\" but the stage is %s: only a won or lost opportunity has a "
                            "closed date; leave it empty while open",
                            p.closed_date(), stage));
  } else if (closed && *o.closed_date < o.created_date) {
    ck.Fail("opportunity.closed_date",
            absl::StrFormat("is %s, before the created date %s: an opportunity closes on or after "
                            "the day it was created",
                            p.closed_date(), p.created_date()));
  }
  return o;
}

Customer DecodeCustomer(Checker& ck, const v1::Customer& p) {
  Customer o;
  o.customer_id = p.customer_id();
  o.version = p.version();
  o.full_name = NormalizeCustomerName(p.full_name());
  o.industry = std::string(absl::StripAsciiWhitespace(p.industry()));
  o.owner_rep_id = p.owner_rep_id();
  ck.Id("customer.customer_id", p.customer_id(), "the customer's id in the source") &&
      ck.Version("customer.version", p.version()) &&
      ck.Text("customer.full_name", o.full_name, 1, kMaxCustomerNameLength,
              "the customer's full legal name") &&
      ck.Text("customer.industry", o.industry, 0, kMaxIndustryLength, "the industry") &&
      ck.Enum("customer.grade", p.grade(), v1::CustomerGrade_descriptor(), "CUSTOMER_GRADE_", false,
              &o.grade) &&
      ck.Enum("customer.tier", p.tier(), v1::CustomerTier_descriptor(), "CUSTOMER_TIER_", false,
              &o.tier) &&
      ck.Id("customer.owner_rep_id", p.owner_rep_id(), "the id of the rep who owns the customer");
  return o;
}

SatisfactionSurvey DecodeSurvey(Checker& ck, const v1::SatisfactionSurvey& p) {
  SatisfactionSurvey o;
  o.survey_id = p.survey_id();
  o.customer_id = p.customer_id();
  o.rep_id = p.rep_id();
  o.score = p.score();
  ck.Id("satisfaction_survey.survey_id", p.survey_id(), "the survey's id in the source") &&
      ck.Id("satisfaction_survey.customer_id", p.customer_id(), "the id of the customer") &&
      ck.Id("satisfaction_survey.rep_id", p.rep_id(), "the id of the rep the survey is about") &&
      ((p.score() >= 0 && p.score() <= 100) ||
       ck.Fail("satisfaction_survey.score",
               absl::StrFormat("is %d: a satisfaction score is 0-100", p.score())));
  return o;
}

CollaborationRating DecodeRating(Checker& ck, const v1::CollaborationRating& p) {
  CollaborationRating o;
  o.rating_id = p.rating_id();
  o.rep_id = p.rep_id();
  o.department = p.department();
  o.rating = p.rating();
  ck.Id("collaboration_rating.rating_id", p.rating_id(), "the rating's id in the source") &&
      ck.Id("collaboration_rating.rep_id", p.rep_id(), "the id of the rep rated") &&
      ck.Id("collaboration_rating.department", p.department(),
            "the department that rated, e.g. \"marketing\"") &&
      ((p.rating() >= 1 && p.rating() <= 5) ||
       ck.Fail("collaboration_rating.rating",
               absl::StrFormat("is %d: a collaboration rating is 1-5", p.rating())));
  return o;
}

KnowledgeSharing DecodeKnowledge(Checker& ck, const v1::KnowledgeSharing& p) {
  KnowledgeSharing o;
  o.entry_id = p.entry_id();
  o.rep_id = p.rep_id();
  o.topic = p.topic();
  ck.Id("knowledge_sharing.entry_id", p.entry_id(), "the entry's id in the source") &&
      ck.Id("knowledge_sharing.rep_id", p.rep_id(), "the id of the rep") &&
      ck.Enum("knowledge_sharing.role", p.role(), v1::KnowledgeSharingRole_descriptor(),
              "KNOWLEDGE_SHARING_ROLE_", false, &o.role) &&
      ck.Text("knowledge_sharing.topic", p.topic(), 0, kMaxTopicLength, "the topic") &&
      ck.Day("knowledge_sharing.date", p.date(), &o.date);
  return o;
}

ReportSubmission DecodeReport(Checker& ck, const v1::ReportSubmission& p) {
  ReportSubmission o;
  o.report_id = p.report_id();
  o.author_id = p.author_id();
  const bool ok =
      ck.Id("report_submission.report_id", p.report_id(), "the report's id in the source") &&
      ck.Id("report_submission.author_id", p.author_id(),
            "the id of the rep (or unit, for a summary) who wrote it") &&
      ck.Enum("report_submission.cadence", p.cadence(), v1::ReportCadence_descriptor(),
              "REPORT_CADENCE_", false, &o.cadence) &&
      ck.Instant("report_submission.submitted_at", p.submitted_at(), &o.submitted_at);
  if (!ok) return o;
  PeriodKind want = PeriodKind::kDay;
  absl::string_view example = "a day \"2025-01-15\"";
  if (o.cadence == ReportCadence::kWeekly) {
    want = PeriodKind::kWeek;
    example = "an ISO week \"2025-W03\"";
  } else if (o.cadence == ReportCadence::kMonthly) {
    want = PeriodKind::kMonth;
    example = "a month \"2025-01\"";
  }
  const std::string cadence = v1::ReportCadence_Name(p.cadence()).substr(15);
  absl::StatusOr<Period> period = Period::Parse(p.period());
  if (!period.ok()) {
    ck.Fail("report_submission.period",
            absl::StrFormat("is \"%s\": %s; a %s report covers %s", absl::CHexEscape(p.period()),
                            period.status().message(), absl::AsciiStrToLower(cadence), example));
    return o;
  }
  if (period->kind() != want || period->ToString() != p.period()) {
    ck.Fail("report_submission.period",
            absl::StrFormat("is \"%s\" (a %s) but the cadence is %s: a %s report covers %s",
                            p.period(), PeriodKindName(period->kind()), cadence,
                            absl::AsciiStrToLower(cadence), example));
    return o;
  }
  o.period = *period;
  return o;
}

}  // namespace

IncomingEvent DecodeEvent(const v1::Event& event) {
  return DecodeEvent(event, event.SerializeAsString());
}

IncomingEvent DecodeEvent(const v1::Event& event, std::string payload) {
  IncomingEvent in;
  in.source = event.source();
  in.event_id = event.event_id();
  in.payload = std::move(payload);

  Checker ck;
  CheckSource(ck, event.source());
  if (!ck.rejection().has_value()) CheckEventId(ck, event.event_id());
  EventRecord record;
  if (!ck.rejection().has_value())
    ck.Instant("occurred_at", event.occurred_at(), &record.occurred_at);
  if (!ck.rejection().has_value()) {
    switch (event.kind_case()) {
      case v1::Event::kOrder:
        record.body = DecodeOrder(ck, event.order());
        break;
      case v1::Event::kPayment:
        record.body = DecodePayment(ck, event.payment());
        break;
      case v1::Event::kReceivable:
        record.body = DecodeReceivable(ck, event.receivable());
        break;
      case v1::Event::kFollowUp:
        record.body = DecodeFollowUp(ck, event.follow_up());
        break;
      case v1::Event::kOpportunity:
        record.body = DecodeOpportunity(ck, event.opportunity());
        break;
      case v1::Event::kCustomer:
        record.body = DecodeCustomer(ck, event.customer());
        break;
      case v1::Event::kSatisfactionSurvey:
        record.body = DecodeSurvey(ck, event.satisfaction_survey());
        break;
      case v1::Event::kCollaborationRating:
        record.body = DecodeRating(ck, event.collaboration_rating());
        break;
      case v1::Event::kKnowledgeSharing:
        record.body = DecodeKnowledge(ck, event.knowledge_sharing());
        break;
      case v1::Event::kReportSubmission:
        record.body = DecodeReport(ck, event.report_submission());
        break;
      case v1::Event::KIND_NOT_SET:
        ck.Fail("kind",
                "is not set: an event carries one of order, payment, receivable, follow_up, "
                "opportunity, customer, satisfaction_survey, collaboration_rating, "
                "knowledge_sharing, report_submission");
        break;
    }
  }
  if (ck.rejection().has_value()) {
    in.rejection = *ck.rejection();
  } else {
    in.record = std::move(record);
  }
  return in;
}

absl::string_view CommitOrderKey(const v1::Event& event) {
  switch (event.kind_case()) {
    case v1::Event::kOrder:
      return event.order().customer_id();
    case v1::Event::kPayment:
      return event.payment().customer_id();
    case v1::Event::kReceivable:
      return event.receivable().customer_id();
    case v1::Event::kFollowUp:
      return event.follow_up().customer_id();
    case v1::Event::kOpportunity:
      return event.opportunity().customer_id();
    case v1::Event::kCustomer:
      return event.customer().customer_id();
    case v1::Event::kSatisfactionSurvey:
      return event.satisfaction_survey().customer_id();
    case v1::Event::kCollaborationRating:
      return event.collaboration_rating().rep_id();
    case v1::Event::kKnowledgeSharing:
      return event.knowledge_sharing().rep_id();
    case v1::Event::kReportSubmission:
      return event.report_submission().author_id();
    case v1::Event::KIND_NOT_SET:
      break;
  }
  return {};
}

}  // namespace attain::ingest
