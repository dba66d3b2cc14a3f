#include "services/review/src/domain/agenda.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/arithmetic.h"
#include "services/review/src/domain/format.h"

namespace attain::review {
namespace {

absl::int128 Abs(absl::int128 v) { return v < 0 ? -v : v; }

// |10000 − attainment| for presenters with a target, |actual| without.
absl::int128 DeviationSize(const Deviation& d) {
  if (d.attainment_bp.has_value()) {
    return Abs(absl::int128(kFullAttainment) - absl::int128(*d.attainment_bp));
  }
  return Abs(absl::int128(d.actual));
}

absl::int128 GapSize(const Deviation& d) {
  return Abs(absl::int128(d.actual) - absl::int128(d.target));
}

// True when `a` comes before `b` in the order of OrderByDeviation.
bool LargerDeviation(const Deviation& a, const Deviation& b) {
  const bool a_target = a.attainment_bp.has_value();
  const bool b_target = b.attainment_bp.has_value();
  if (a_target != b_target) return a_target;
  const absl::int128 a_size = DeviationSize(a);
  const absl::int128 b_size = DeviationSize(b);
  if (a_size != b_size) return a_size > b_size;
  const absl::int128 a_gap = GapSize(a);
  const absl::int128 b_gap = GapSize(b);
  if (a_gap != b_gap) return a_gap > b_gap;
  if (a.id != b.id) return a.id < b.id;
  return a.kind == PresenterKind::kRep && b.kind == PresenterKind::kUnit;
}

absl::Status CheckMinutes(absl::string_view field, int64_t value, int64_t min) {
  if (value < min || value > kMaxMeetingMinutes) {
    return absl::InvalidArgumentError(absl::StrCat("settings.", field, " is ", value,
                                                   " minutes: it must be in ", min, "..",
                                                   kMaxMeetingMinutes, " (a day at most)"));
  }
  return absl::OkStatus();
}

absl::Status ValidateSettings(const AgendaSettings& s) {
  for (const auto& [field, value, min] : {
           std::make_tuple("meeting_minutes", s.meeting_minutes, int64_t{1}),
           std::make_tuple("previous_review_minutes", s.previous_review_minutes, int64_t{0}),
           std::make_tuple("free_discussion_minutes", s.free_discussion_minutes, int64_t{0}),
           std::make_tuple("spare_minutes", s.spare_minutes, int64_t{0}),
           std::make_tuple("min_minutes_per_presenter", s.min_minutes_per_presenter, int64_t{1}),
           std::make_tuple("max_minutes_per_presenter", s.max_minutes_per_presenter, int64_t{0}),
       }) {
    absl::Status st = CheckMinutes(field, value, min);
    if (!st.ok()) return st;
  }
  if (s.max_minutes_per_presenter != 0 &&
      s.max_minutes_per_presenter < s.min_minutes_per_presenter) {
    return absl::InvalidArgumentError(
        absl::StrCat("settings.max_minutes_per_presenter ", s.max_minutes_per_presenter,
                     " is below min_minutes_per_presenter ", s.min_minutes_per_presenter,
                     ": raise the cap, lower the minimum, or set the cap to 0 for none"));
  }
  if (s.max_presenters < 0) {
    return absl::InvalidArgumentError(absl::StrCat("settings.max_presenters is ", s.max_presenters,
                                                   ": give 0 for no limit or a positive number"));
  }
  return absl::OkStatus();
}

absl::Status ValidatePresenters(const std::vector<Deviation>& presenters) {
  std::set<std::pair<PresenterKind, std::string>> seen;
  for (size_t i = 0; i < presenters.size(); ++i) {
    const Deviation& d = presenters[i];
    if (d.id.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("presenters[", i, "] (\"", d.name, "\") has no id"));
    }
    if (!seen.emplace(d.kind, d.id).second) {
      return absl::InvalidArgumentError(absl::StrCat("presenters[", i,
                                                     "]: ", PresenterKindName(d.kind), " \"", d.id,
                                                     "\" is listed twice: give each once"));
    }
  }
  return absl::OkStatus();
}

std::string PresentationTitle(const Deviation& d) {
  if (!d.attainment_bp.has_value()) return absl::StrCat(d.name, ": ", d.metric, ", no target");
  return absl::StrCat(d.name, ": ", d.metric, " at ", FormatPercent(*d.attainment_bp),
                      " of target");
}

}  // namespace

absl::string_view PresenterKindName(PresenterKind kind) {
  switch (kind) {
    case PresenterKind::kRep:
      return "rep";
    case PresenterKind::kUnit:
      return "unit";
  }
  return "unknown";
}

absl::string_view AgendaItemKindName(AgendaItemKind kind) {
  switch (kind) {
    case AgendaItemKind::kPreviousActions:
      return "PREVIOUS_ACTIONS";
    case AgendaItemKind::kPresentation:
      return "PRESENTATION";
    case AgendaItemKind::kFreeDiscussion:
      return "FREE_DISCUSSION";
    case AgendaItemKind::kSpare:
      return "SPARE";
  }
  return "UNKNOWN";
}

void OrderByDeviation(std::vector<Deviation>& presenters) {
  std::stable_sort(presenters.begin(), presenters.end(), LargerDeviation);
}

absl::StatusOr<Agenda> BuildAgenda(std::vector<Deviation> presenters,
                                   const AgendaSettings& settings) {
  absl::Status valid = ValidateSettings(settings);
  if (!valid.ok()) return valid;
  valid = ValidatePresenters(presenters);
  if (!valid.ok()) return valid;

  // Each term is at most a day, so the sums stay far inside int64.
  const int64_t fixed =
      settings.previous_review_minutes + settings.free_discussion_minutes + settings.spare_minutes;
  if (fixed > settings.meeting_minutes) {
    return absl::InvalidArgumentError(
        absl::StrCat("the fixed sections take ", fixed, " minutes (previous review ",
                     settings.previous_review_minutes, " + free discussion ",
                     settings.free_discussion_minutes, " + spare ", settings.spare_minutes, "), ",
                     fixed - settings.meeting_minutes, " more than the meeting's ",
                     settings.meeting_minutes, ": shorten a section or lengthen the meeting"));
  }
  const int64_t left = settings.meeting_minutes - fixed;

  OrderByDeviation(presenters);
  Agenda agenda;
  size_t kept = presenters.size();
  if (settings.max_presenters > 0 && kept > static_cast<size_t>(settings.max_presenters)) {
    for (size_t i = static_cast<size_t>(settings.max_presenters); i < kept; ++i) {
      agenda.left_out.push_back(
          {presenters[i], absl::StrCat("the agenda takes at most ", settings.max_presenters,
                                       " presenters (max_presenters) and ", presenters.size(),
                                       " have deviations: the largest deviations present first")});
    }
    kept = static_cast<size_t>(settings.max_presenters);
  }
  const int64_t fit = left / settings.min_minutes_per_presenter;
  if (static_cast<int64_t>(kept) > fit) {
    const std::string reason = absl::StrCat(
        "the ", left, " minutes left for presentations fit ", fit, " presenters at ",
        settings.min_minutes_per_presenter,
        " minutes each (min_minutes_per_presenter): the largest deviations present first");
    std::vector<LeftOutPresenter> no_time;
    for (size_t i = static_cast<size_t>(fit); i < kept; ++i) {
      no_time.push_back({presenters[i], reason});
    }
    agenda.left_out.insert(agenda.left_out.begin(), no_time.begin(), no_time.end());
    kept = static_cast<size_t>(fit);
  }

  if (settings.previous_review_minutes > 0) {
    agenda.items.push_back({AgendaItemKind::kPreviousActions,
                            "Review of the previous meeting's open action items", std::nullopt,
                            settings.previous_review_minutes});
  }
  int64_t spare = settings.spare_minutes + left;
  if (kept > 0) {
    const int64_t n = static_cast<int64_t>(kept);
    const int64_t share = left / n;
    const int64_t remainder = left % n;
    for (int64_t i = 0; i < n; ++i) {
      int64_t minutes = share + (i < remainder ? 1 : 0);
      if (settings.max_minutes_per_presenter > 0) {
        minutes = std::min(minutes, settings.max_minutes_per_presenter);
      }
      spare -= minutes;
      const Deviation& d = presenters[static_cast<size_t>(i)];
      agenda.items.push_back({AgendaItemKind::kPresentation, PresentationTitle(d), d, minutes});
    }
  }
  if (settings.free_discussion_minutes > 0) {
    agenda.items.push_back({AgendaItemKind::kFreeDiscussion, "Free discussion", std::nullopt,
                            settings.free_discussion_minutes});
  }
  if (spare > 0) {
    agenda.items.push_back({AgendaItemKind::kSpare, "Spare time", std::nullopt, spare});
  }
  return agenda;
}

absl::Status CheckFits(const std::vector<AgendaItem>& items, int64_t meeting_minutes) {
  if (meeting_minutes <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("meeting_minutes is ", meeting_minutes,
                                                   ": a meeting lasts at least one minute"));
  }
  int64_t total = 0;  // at most items × a day: far inside int64
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].minutes < 0 || items[i].minutes > kMaxMeetingMinutes) {
      return absl::InvalidArgumentError(absl::StrCat("items[", i, "] (\"", items[i].title,
                                                     "\") has ", items[i].minutes,
                                                     " minutes: give 0..", kMaxMeetingMinutes));
    }
    total += items[i].minutes;
  }
  if (total > meeting_minutes) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the agenda would take ", total, " minutes (", items.size(),
        items.size() == 1 ? " item), " : " items), ", total - meeting_minutes,
        " more than the meeting's ", meeting_minutes, ": shorten an item or lengthen the meeting"));
  }
  return absl::OkStatus();
}

}  // namespace attain::review
