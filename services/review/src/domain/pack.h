// The meeting pack (会议资料) of a review meeting: the meeting's facts, the
// agenda, the deviation table, attainment by unit and its trend, and the
// open and overdue action items, rendered as
//   - a self-contained HTML page (inline CSS, no scripts, no external
//     resources; the charts are inline SVG), and
//   - Markdown (tables; the charts as tables).
// Every piece of text that comes from users (names, titles, metric and
// period labels, action items) is escaped, so that "<script>" or
// "'; DROP TABLE" shows verbatim. Pure: the caller gathers the figures.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/metric.h"
#include "services/review/src/domain/action_status.h"
#include "services/review/src/domain/agenda.h"

namespace attain::review {

struct Attendee {
  std::string name;
  std::string role;  // e.g. "chair", "secretary-general", "member"
  // "present", "absent", "excused", or "not recorded" (nobody has said yet:
  // not counted as present).
  std::string attendance = "not recorded";
};

// One row of the deviation table (step 1 of the three-step report).
struct DeviationRow {
  std::string presenter;  // rep or unit name
  std::string metric;     // metric name or label
  MetricUnit unit = MetricUnit::kMoney;
  int64_t target = 0;                    // in `unit`: money in minor units, ratios in bp, …
  int64_t actual = 0;                    // in `unit`; the gap shown is actual − target
  std::optional<int64_t> attainment_bp;  // nullopt: no target
};

// One bar of the attainment-by-unit chart or one point of the trend.
struct ChartPoint {
  std::string label;                     // unit name, or period label ("2025-Q1")
  std::optional<int64_t> attainment_bp;  // nullopt: no figure (no bar; a gap in the line)
};

struct PackActionItem {
  std::string what;
  std::string owner;       // display name
  std::string department;  // display name(s)
  std::optional<absl::CivilDay> due;
  ActionStatus status = ActionStatus::kAccepted;
  int64_t days_overdue = 0;  // DaysOverdue(); 0 when not overdue
};

struct MeetingPack {
  std::string title;             // e.g. "Q1 performance review"
  std::string committee;         // e.g. "业绩跟踪委员会"
  std::string period;            // the period reviewed, e.g. "2025-Q1"
  std::string purpose;           // the meeting's purpose; may be empty
  absl::CivilMinute start;       // local start time
  int64_t duration_minutes = 0;  // the meeting's length
  std::string currency = "CNY";  // ISO 4217 code for money values
  std::vector<Attendee> attendance;
  std::vector<AgendaItem> agenda;  // in order; times follow from `start`
  std::vector<DeviationRow> deviations;
  std::vector<ChartPoint> attainment_by_unit;  // bar chart, in the order given
  std::vector<ChartPoint> trend;               // line chart, oldest period first
  std::vector<PackActionItem> action_items;    // open and overdue items
};

// The pack as one self-contained HTML5 page (UTF-8). The bar chart draws one
// bar per unit with its label and value and a dashed 100 % reference line;
// the trend is a polyline with a point per period, the period labels under
// the x axis and percent labels on the y axis. Charts are scaled to the
// larger of 100 % and the largest figure (figures beyond 1000 % are drawn at
// 1000 %, negative ones at 0 %; their labels show the true figure).
std::string RenderHtml(const MeetingPack& pack);

// The pack as Markdown (GitHub flavour): bullet facts and tables, the
// charts as tables of their figures.
std::string RenderMarkdown(const MeetingPack& pack);

// Text for HTML content or a quoted attribute: & < > " ' become entities.
std::string EscapeHtml(absl::string_view text);

// Text for Markdown, inline or in a table cell: ASCII punctuation that
// Markdown or inline HTML could act on (\ ` * _ { } [ ] ( ) < > # + ! | ~ &)
// is backslash-escaped and line breaks (\r\n, \n, \r) become "<br>".
std::string EscapeMarkdown(absl::string_view text);

}  // namespace attain::review
