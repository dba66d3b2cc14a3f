// Period::Parse (common/period.h) on arbitrary text, and the contract of what
// it accepts: the canonical form round-trips, the days are in order, and the
// neighbours, last year's period and the splits of a parsed period are
// consistent with it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/period.h"
#include "tests/fuzz/fuzz_check.h"

namespace attain {
namespace {

constexpr PeriodKind kKinds[] = {PeriodKind::kDay,   PeriodKind::kTenDay,  PeriodKind::kWeek,
                                 PeriodKind::kMonth, PeriodKind::kQuarter, PeriodKind::kHalf,
                                 PeriodKind::kYear};

void CheckPeriod(const Period& p) {
  FUZZ_CHECK(p.first_day() <= p.last_day()) << p.ToString();
  FUZZ_CHECK(p.days() >= 1 && p.days() <= 366) << p.ToString() << " has " << p.days() << " days";
  const std::string text = p.ToString();
  absl::StatusOr<Period> again = Period::Parse(text);
  FUZZ_CHECK(again.ok()) << text << ": " << again.status();
  FUZZ_CHECK(*again == p) << text;
  FUZZ_CHECK(Period::Containing(p.kind(), p.first_day()) == p) << text;
  FUZZ_CHECK(Period::Containing(p.kind(), p.last_day()) == p) << text;
}

void Explore(const Period& p) {
  CheckPeriod(p);
  const Period prev = p.Previous();
  const Period next = p.Next();
  FUZZ_CHECK(prev.last_day() + 1 == p.first_day()) << p.ToString();
  FUZZ_CHECK(next.first_day() == p.last_day() + 1) << p.ToString();
  FUZZ_CHECK(next.Previous() == p) << p.ToString();
  FUZZ_CHECK(prev.Next() == p) << p.ToString();
  const Period last_year = p.SameLastYear();
  FUZZ_CHECK(last_year.kind() == p.kind()) << p.ToString();
  FUZZ_CHECK(last_year < p) << p.ToString() << " → " << last_year.ToString();
  // Outside the parsed range (1899, 10000) a period need not parse again.
  if (prev.first_day().year() >= 1900) CheckPeriod(prev);
  if (next.last_day().year() <= 9999) CheckPeriod(next);
  if (last_year.first_day().year() >= 1900) CheckPeriod(last_year);

  for (PeriodKind child : kKinds) {
    absl::StatusOr<std::vector<Period>> parts = p.Split(child);
    if (!parts.ok()) continue;
    FUZZ_CHECK(!parts->empty()) << p.ToString();
    FUZZ_CHECK(parts->front().first_day() == p.first_day()) << p.ToString();
    FUZZ_CHECK(parts->back().last_day() == p.last_day()) << p.ToString();
    for (size_t i = 0; i < parts->size(); ++i) {
      FUZZ_CHECK((*parts)[i].kind() == child) << p.ToString();
      FUZZ_CHECK(p.Contains((*parts)[i])) << p.ToString() << " ⊅ " << (*parts)[i].ToString();
      if (i > 0) FUZZ_CHECK((*parts)[i - 1].Next() == (*parts)[i]) << p.ToString();
    }
  }
  // The instants of the period in UTC bound exactly its days.
  const absl::TimeZone utc = absl::UTCTimeZone();
  FUZZ_CHECK(p.StartTime(utc) < p.EndTime(utc)) << p.ToString();
  FUZZ_CHECK(p.Contains(p.StartTime(utc), utc)) << p.ToString();
  FUZZ_CHECK(!p.Contains(p.EndTime(utc), utc)) << p.ToString();
}

}  // namespace
}  // namespace attain

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  (void)attain::ParsePeriodKind(text);
  absl::StatusOr<attain::Period> p = attain::Period::Parse(text);
  if (!p.ok()) {
    FUZZ_CHECK(p.status().code() == absl::StatusCode::kInvalidArgument) << p.status();
    FUZZ_CHECK(!p.status().message().empty());
    return 0;
  }
  // The parser accepts only canonical forms.
  FUZZ_CHECK(p->ToString() == text) << "parsed \"" << text << "\" as " << p->ToString();
  attain::Explore(*p);
  return 0;
}
