#include "services/review/src/domain/pack.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "common/arithmetic.h"
#include "services/review/src/domain/format.h"

namespace attain::review {
namespace {

// ---------------------------------------------------------------------------
// Shared text

std::string HourMinute(absl::CivilMinute m) {
  return absl::StrFormat("%02d:%02d", m.hour(), m.minute());
}

std::string DateTime(absl::CivilMinute m) {
  return absl::StrFormat("%04d-%02d-%02d %02d:%02d", m.year(), m.month(), m.day(), m.hour(),
                         m.minute());
}

std::string Day(const std::optional<absl::CivilDay>& day) {
  return day.has_value() ? absl::FormatCivilTime(*day) : "—";
}

std::string Attainment(const std::optional<int64_t>& bp) {
  return bp.has_value() ? FormatPercent(*bp) : "no target";
}

// actual − target, or "—" when it does not fit int64.
std::string Gap(const DeviationRow& row, const std::string& currency) {
  const absl::int128 gap = absl::int128(row.actual) - row.target;
  if (gap > std::numeric_limits<int64_t>::max() || gap < std::numeric_limits<int64_t>::min()) {
    return "—";
  }
  return FormatMetricGap(row.unit, currency, static_cast<int64_t>(gap));
}

std::string AgendaPresenter(const AgendaItem& item) {
  return item.presenter.has_value() ? item.presenter->name : "";
}

int64_t PresentCount(const std::vector<Attendee>& attendance) {
  return std::count_if(attendance.begin(), attendance.end(),
                       [](const Attendee& a) { return a.attendance == "present"; });
}

// The first `max_chars` characters of UTF-8 `text`, with "…" when cut.
std::string Shorten(absl::string_view text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (chars == max_chars) return absl::StrCat(text.substr(0, i), "…");
    ++chars;
  }
  return std::string(text);
}

// ---------------------------------------------------------------------------
// Charts (integer geometry, in SVG user units)

// Figures are drawn within 0..1000 %; labels show the true figure.
constexpr int64_t kChartCapBp = 10 * kFullAttainment;
constexpr int64_t kScaleStepBp = 2500;

int64_t Clamped(int64_t bp) { return std::clamp<int64_t>(bp, 0, kChartCapBp); }

// The chart's full scale: the next 25 % step above the larger of 100 % and
// the largest (clamped) figure, so that the 100 % line and every bar fit.
int64_t ScaleOf(const std::vector<ChartPoint>& points) {
  int64_t top = kFullAttainment;
  for (const ChartPoint& p : points) {
    if (p.attainment_bp.has_value()) top = std::max(top, Clamped(*p.attainment_bp));
  }
  return (top / kScaleStepBp + 1) * kScaleStepBp;
}

// value × length / whole rounded half up, for 0 <= value and 0 < whole
// (small numbers: a figure of at most kChartCapBp times a length in pixels).
int64_t Scaled(int64_t value, int64_t length, int64_t whole) {
  return (2 * value * length + whole) / (2 * whole);
}

std::string BarChartSvg(const std::vector<ChartPoint>& points) {
  constexpr int64_t kLabelWidth = 180, kPlotWidth = 400, kWidth = 680;
  constexpr int64_t kTop = 26, kRowHeight = 26, kBarHeight = 16, kBottom = 8;
  const int64_t height = kTop + static_cast<int64_t>(points.size()) * kRowHeight + kBottom;
  const int64_t scale = ScaleOf(points);
  std::string svg = absl::StrFormat(
      "<svg class=\"chart bars\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
      "role=\"img\" aria-label=\"Attainment by unit\">\n",
      kWidth, height, kWidth, height);
  for (size_t i = 0; i < points.size(); ++i) {
    const ChartPoint& p = points[i];
    const int64_t y = kTop + static_cast<int64_t>(i) * kRowHeight;
    const int64_t baseline = y + kBarHeight - 4;
    absl::StrAppendFormat(&svg,
                          "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
                          kLabelWidth - 8, baseline, EscapeHtml(Shorten(p.label, 24)));
    if (!p.attainment_bp.has_value()) {
      absl::StrAppendFormat(&svg,
                            "<text class=\"value muted\" x=\"%d\" y=\"%d\">no target</text>\n",
                            kLabelWidth + 6, baseline);
      continue;
    }
    const int64_t width = Scaled(Clamped(*p.attainment_bp), kPlotWidth, scale);
    const bool below = *p.attainment_bp < kFullAttainment;
    const std::string value = FormatPercent(*p.attainment_bp);
    absl::StrAppendFormat(&svg,
                          "<rect class=\"bar%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\">"
                          "<title>%s: %s</title></rect>\n",
                          below ? " below" : "", kLabelWidth, y, width, kBarHeight,
                          EscapeHtml(p.label), value);
    absl::StrAppendFormat(&svg, "<text class=\"value\" x=\"%d\" y=\"%d\">%s</text>\n",
                          kLabelWidth + width + 6, baseline, value);
  }
  const int64_t ref = kLabelWidth + Scaled(kFullAttainment, kPlotWidth, scale);
  absl::StrAppendFormat(&svg,
                        "<line class=\"ref\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n"
                        "<text class=\"ref-label\" x=\"%d\" y=\"%d\" "
                        "text-anchor=\"middle\">100.00 %%</text>\n",
                        ref, kTop - 6, ref, height - kBottom, ref, kTop - 10);
  absl::StrAppend(&svg, "</svg>\n");
  return svg;
}

std::string LineChartSvg(const std::vector<ChartPoint>& points) {
  constexpr int64_t kWidth = 680, kHeight = 280;
  constexpr int64_t kLeft = 80, kRight = 650, kTop = 24, kBottom = 230, kLabelY = 250;
  constexpr int64_t kPlotWidth = kRight - kLeft, kPlotHeight = kBottom - kTop;
  const int64_t scale = ScaleOf(points);
  const int64_t n = static_cast<int64_t>(points.size());
  auto x_of = [&](int64_t i) {
    return n == 1 ? kLeft + kPlotWidth / 2 : kLeft + Scaled(i, kPlotWidth, n - 1);
  };
  auto y_of = [&](int64_t bp) { return kBottom - Scaled(Clamped(bp), kPlotHeight, scale); };

  std::string svg = absl::StrFormat(
      "<svg class=\"chart trend\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
      "role=\"img\" aria-label=\"Attainment trend\">\n",
      kWidth, kHeight, kWidth, kHeight);
  // Axes and the y axis's percent labels; 100 % is the dashed reference line.
  for (int64_t tick : {int64_t{0}, kFullAttainment / 2, kFullAttainment, scale}) {
    const int64_t y = y_of(tick);
    absl::StrAppendFormat(&svg,
                          "<line class=\"%s\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n"
                          "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
                          tick == kFullAttainment ? "ref" : "grid", kLeft, y, kRight, y, kLeft - 6,
                          y + 4, FormatPercent(tick));
  }
  absl::StrAppendFormat(&svg,
                        "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n"
                        "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
                        kLeft, kTop, kLeft, kBottom, kLeft, kBottom, kRight, kBottom);
  // The line, broken where a period has no figure.
  std::vector<std::string> segment;
  auto flush = [&] {
    if (segment.size() >= 2) {
      absl::StrAppend(&svg, "<polyline class=\"line\" points=\"", absl::StrJoin(segment, " "),
                      "\"/>\n");
    }
    segment.clear();
  };
  for (int64_t i = 0; i < n; ++i) {
    const ChartPoint& p = points[static_cast<size_t>(i)];
    if (!p.attainment_bp.has_value()) {
      flush();
      continue;
    }
    segment.push_back(absl::StrCat(x_of(i), ",", y_of(*p.attainment_bp)));
  }
  flush();
  for (int64_t i = 0; i < n; ++i) {
    const ChartPoint& p = points[static_cast<size_t>(i)];
    const int64_t x = x_of(i);
    absl::StrAppendFormat(
        &svg, "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x,
        kLabelY, EscapeHtml(Shorten(p.label, 12)));
    if (!p.attainment_bp.has_value()) continue;
    const int64_t y = y_of(*p.attainment_bp);
    const std::string value = FormatPercent(*p.attainment_bp);
    absl::StrAppendFormat(
        &svg,
        "<circle class=\"point\" cx=\"%d\" cy=\"%d\" r=\"4\">"
        "<title>%s: %s</title></circle>\n"
        "<text class=\"value\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
        x, y, EscapeHtml(p.label), value, x, y - 8, value);
  }
  absl::StrAppend(&svg, "</svg>\n");
  return svg;
}

// ---------------------------------------------------------------------------
// HTML

constexpr absl::string_view kCss = R"css(
body { font-family: system-ui, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 2rem auto; max-width: 60rem; color: #222; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.overdue td { background: #fdecea; }
tfoot td { font-weight: 600; }
p.empty { color: #777; font-style: italic; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg text { font-size: 12px; fill: #222; }
svg text.muted { fill: #777; font-style: italic; }
svg .bar { fill: #2e7d32; }
svg .bar.below { fill: #c62828; }
svg .ref { stroke: #555; stroke-width: 1; stroke-dasharray: 4 3; }
svg .grid { stroke: #e0e0e0; stroke-width: 1; }
svg .axis { stroke: #888; stroke-width: 1; }
svg .line { fill: none; stroke: #1565c0; stroke-width: 2; }
svg .point { fill: #1565c0; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } }
)css";

// A table cell: text escaped, `num` for right-aligned figures.
std::string Td(absl::string_view text, bool num = false) {
  return absl::StrCat(num ? "<td class=\"num\">" : "<td>", EscapeHtml(text), "</td>");
}

std::string Th(absl::string_view text, bool num = false) {
  return absl::StrCat(num ? "<th class=\"num\">" : "<th>", text, "</th>");
}

void HtmlFacts(const MeetingPack& pack, std::string& out) {
  absl::StrAppend(&out, "<dl class=\"facts\">\n");
  auto fact = [&](absl::string_view name, absl::string_view value) {
    absl::StrAppend(&out, "<dt>", name, "</dt><dd>", EscapeHtml(value), "</dd>\n");
  };
  fact("Committee", pack.committee);
  fact("Period", pack.period);
  fact("Time",
       absl::StrCat(DateTime(pack.start), "–", HourMinute(pack.start + pack.duration_minutes)));
  fact("Duration", absl::StrCat(pack.duration_minutes, " minutes"));
  if (!pack.purpose.empty()) fact("Purpose", pack.purpose);
  absl::StrAppend(&out, "</dl>\n");
}

void HtmlAttendance(const MeetingPack& pack, std::string& out) {
  absl::StrAppend(&out, "<h2>Attendance (", PresentCount(pack.attendance), " of ",
                  pack.attendance.size(), " present)</h2>\n");
  if (pack.attendance.empty()) {
    absl::StrAppend(&out, "<p class=\"empty\">No attendance recorded.</p>\n");
    return;
  }
  absl::StrAppend(&out, "<table>\n<thead><tr>", Th("Name"), Th("Role"), Th("Attendance"),
                  "</tr></thead>\n<tbody>\n");
  for (const Attendee& a : pack.attendance) {
    absl::StrAppend(&out, "<tr>", Td(a.name), Td(a.role), Td(a.attendance), "</tr>\n");
  }
  absl::StrAppend(&out, "</tbody>\n</table>\n");
}

void HtmlAgenda(const MeetingPack& pack, std::string& out) {
  absl::StrAppend(&out, "<h2>Agenda</h2>\n");
  if (pack.agenda.empty()) {
    absl::StrAppend(&out, "<p class=\"empty\">No agenda items.</p>\n");
    return;
  }
  absl::StrAppend(&out, "<table>\n<thead><tr>", Th("#", true), Th("Time"), Th("Minutes", true),
                  Th("Item"), Th("Presenter"), "</tr></thead>\n<tbody>\n");
  absl::CivilMinute at = pack.start;
  int64_t total = 0;
  for (size_t i = 0; i < pack.agenda.size(); ++i) {
    const AgendaItem& item = pack.agenda[i];
    const absl::CivilMinute end = at + item.minutes;
    absl::StrAppend(&out, "<tr>", Td(absl::StrCat(i + 1), true),
                    Td(absl::StrCat(HourMinute(at), "–", HourMinute(end))),
                    Td(absl::StrCat(item.minutes), true), Td(item.title), Td(AgendaPresenter(item)),
                    "</tr>\n");
    at = end;
    total += item.minutes;
  }
  absl::StrAppend(&out, "</tbody>\n<tfoot><tr><td></td><td>Total</td>",
                  Td(absl::StrCat(total), true),
                  "<td colspan=\"2\"></td></tr></tfoot>\n</table>\n");
}

void HtmlDeviations(const MeetingPack& pack, std::string& out) {
  absl::StrAppend(&out, "<h2>Deviations</h2>\n");
  if (pack.deviations.empty()) {
    absl::StrAppend(&out, "<p class=\"empty\">No deviations.</p>\n");
    return;
  }
  absl::StrAppend(&out, "<table>\n<thead><tr>", Th("Presenter"), Th("Metric"), Th("Target", true),
                  Th("Actual", true), Th("Gap", true), Th("Attainment", true),
                  "</tr></thead>\n<tbody>\n");
  for (const DeviationRow& row : pack.deviations) {
    absl::StrAppend(&out, "<tr>", Td(row.presenter), Td(row.metric),
                    Td(FormatMetricValue(row.unit, pack.currency, row.target), true),
                    Td(FormatMetricValue(row.unit, pack.currency, row.actual), true),
                    Td(Gap(row, pack.currency), true), Td(Attainment(row.attainment_bp), true),
                    "</tr>\n");
  }
  absl::StrAppend(&out, "</tbody>\n</table>\n");
}

void HtmlActionItems(const MeetingPack& pack, std::string& out) {
  absl::StrAppend(&out, "<h2>Open and overdue action items</h2>\n");
  if (pack.action_items.empty()) {
    absl::StrAppend(&out, "<p class=\"empty\">No open action items.</p>\n");
    return;
  }
  absl::StrAppend(&out, "<table>\n<thead><tr>", Th("What"), Th("Owner"), Th("Department"),
                  Th("Due"), Th("Status"), Th("Days overdue", true), "</tr></thead>\n<tbody>\n");
  for (const PackActionItem& a : pack.action_items) {
    absl::StrAppend(&out, a.days_overdue > 0 ? "<tr class=\"overdue\">" : "<tr>", Td(a.what),
                    Td(a.owner), Td(a.department), Td(Day(a.due)), Td(ActionStatusName(a.status)),
                    Td(a.days_overdue > 0 ? absl::StrCat(a.days_overdue) : "", true), "</tr>\n");
  }
  absl::StrAppend(&out, "</tbody>\n</table>\n");
}

// ---------------------------------------------------------------------------
// Markdown

std::string MdRow(const std::vector<std::string>& cells) {
  return absl::StrCat("| ", absl::StrJoin(cells, " | "), " |\n");
}

}  // namespace

std::string EscapeHtml(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string EscapeMarkdown(absl::string_view text) {
  constexpr absl::string_view kSpecial = "\\`*_{}[]()<>#+!|~&";
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += "<br>";
      continue;
    }
    if (kSpecial.find(c) != absl::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string RenderHtml(const MeetingPack& pack) {
  std::string out;
  absl::StrAppend(&out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
                  "<title>", EscapeHtml(pack.title), "</title>\n<style>", kCss,
                  "</style>\n</head>\n<body>\n<h1>", EscapeHtml(pack.title), "</h1>\n");
  HtmlFacts(pack, out);
  HtmlAttendance(pack, out);
  HtmlAgenda(pack, out);
  HtmlDeviations(pack, out);
  absl::StrAppend(&out, "<h2>Attainment by unit</h2>\n");
  absl::StrAppend(&out, pack.attainment_by_unit.empty() ? "<p class=\"empty\">No figures.</p>\n"
                                                        : BarChartSvg(pack.attainment_by_unit));
  absl::StrAppend(&out, "<h2>Attainment trend</h2>\n");
  absl::StrAppend(
      &out, pack.trend.empty() ? "<p class=\"empty\">No figures.</p>\n" : LineChartSvg(pack.trend));
  HtmlActionItems(pack, out);
  absl::StrAppend(&out, "</body>\n</html>\n");
  return out;
}

std::string RenderMarkdown(const MeetingPack& pack) {
  std::string out;
  absl::StrAppend(&out, "# ", EscapeMarkdown(pack.title), "\n\n");
  absl::StrAppend(&out, "- **Committee:** ", EscapeMarkdown(pack.committee), "\n");
  absl::StrAppend(&out, "- **Period:** ", EscapeMarkdown(pack.period), "\n");
  absl::StrAppend(&out, "- **Time:** ", DateTime(pack.start), "–",
                  HourMinute(pack.start + pack.duration_minutes), "\n");
  absl::StrAppend(&out, "- **Duration:** ", pack.duration_minutes, " minutes\n");
  if (!pack.purpose.empty()) {
    absl::StrAppend(&out, "- **Purpose:** ", EscapeMarkdown(pack.purpose), "\n");
  }

  absl::StrAppend(&out, "\n## Attendance (", PresentCount(pack.attendance), " of ",
                  pack.attendance.size(), " present)\n\n");
  if (pack.attendance.empty()) {
    absl::StrAppend(&out, "No attendance recorded.\n");
  } else {
    absl::StrAppend(&out, "| Name | Role | Attendance |\n|---|---|---|\n");
    for (const Attendee& a : pack.attendance) {
      absl::StrAppend(&out, MdRow({EscapeMarkdown(a.name), EscapeMarkdown(a.role),
                                   EscapeMarkdown(a.attendance)}));
    }
  }

  absl::StrAppend(&out, "\n## Agenda\n\n");
  if (pack.agenda.empty()) {
    absl::StrAppend(&out, "No agenda items.\n");
  } else {
    absl::StrAppend(&out, "| # | Time | Minutes | Item | Presenter |\n|---:|---|---:|---|---|\n");
    absl::CivilMinute at = pack.start;
    int64_t total = 0;
    for (size_t i = 0; i < pack.agenda.size(); ++i) {
      const AgendaItem& item = pack.agenda[i];
      const absl::CivilMinute end = at + item.minutes;
      absl::StrAppend(
          &out, MdRow({absl::StrCat(i + 1), absl::StrCat(HourMinute(at), "–", HourMinute(end)),
                       absl::StrCat(item.minutes), EscapeMarkdown(item.title),
                       EscapeMarkdown(AgendaPresenter(item))}));
      at = end;
      total += item.minutes;
    }
    absl::StrAppend(&out, MdRow({"", "**Total**", absl::StrCat("**", total, "**"), "", ""}));
  }

  absl::StrAppend(&out, "\n## Deviations\n\n");
  if (pack.deviations.empty()) {
    absl::StrAppend(&out, "No deviations.\n");
  } else {
    absl::StrAppend(&out,
                    "| Presenter | Metric | Target | Actual | Gap | Attainment |\n"
                    "|---|---|---:|---:|---:|---:|\n");
    for (const DeviationRow& row : pack.deviations) {
      absl::StrAppend(&out, MdRow({EscapeMarkdown(row.presenter), EscapeMarkdown(row.metric),
                                   FormatMetricValue(row.unit, pack.currency, row.target),
                                   FormatMetricValue(row.unit, pack.currency, row.actual),
                                   Gap(row, pack.currency), Attainment(row.attainment_bp)}));
    }
  }

  absl::StrAppend(&out, "\n## Attainment by unit\n\n");
  if (pack.attainment_by_unit.empty()) {
    absl::StrAppend(&out, "No figures.\n");
  } else {
    absl::StrAppend(&out, "| Unit | Attainment |\n|---|---:|\n");
    for (const ChartPoint& p : pack.attainment_by_unit) {
      absl::StrAppend(&out, MdRow({EscapeMarkdown(p.label), Attainment(p.attainment_bp)}));
    }
  }

  absl::StrAppend(&out, "\n## Attainment trend\n\n");
  if (pack.trend.empty()) {
    absl::StrAppend(&out, "No figures.\n");
  } else {
    absl::StrAppend(&out, "| Period | Attainment |\n|---|---:|\n");
    for (const ChartPoint& p : pack.trend) {
      absl::StrAppend(&out, MdRow({EscapeMarkdown(p.label), p.attainment_bp.has_value()
                                                                ? FormatPercent(*p.attainment_bp)
                                                                : "no figure"}));
    }
  }

  absl::StrAppend(&out, "\n## Open and overdue action items\n\n");
  if (pack.action_items.empty()) {
    absl::StrAppend(&out, "No open action items.\n");
  } else {
    absl::StrAppend(&out,
                    "| What | Owner | Department | Due | Status | Days overdue |\n"
                    "|---|---|---|---|---|---:|\n");
    for (const PackActionItem& a : pack.action_items) {
      absl::StrAppend(&out, MdRow({EscapeMarkdown(a.what), EscapeMarkdown(a.owner),
                                   EscapeMarkdown(a.department), Day(a.due),
                                   EscapeMarkdown(ActionStatusName(a.status)),
                                   a.days_overdue > 0 ? absl::StrCat(a.days_overdue) : ""}));
    }
  }
  return out;
}

}  // namespace attain::review
