#include "services/review/src/domain/pack.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace attain::review {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kHostileTitle[] = "Q1 review <script>alert('x')</script>";
constexpr char kHostilePresenter[] = "O'Brien & Sons \"East\"";
constexpr char kHostileWhat[] = "'; DROP TABLE action_items; --";

AgendaItem Item(AgendaItemKind kind, std::string title, int64_t minutes) {
  return {kind, std::move(title), std::nullopt, minutes};
}

MeetingPack SamplePack() {
  MeetingPack pack;
  pack.title = kHostileTitle;
  pack.committee = "业绩跟踪委员会";
  pack.period = "2025-Q1";
  pack.purpose = "Review Q1 deviations & agree actions";
  pack.start = absl::CivilMinute(2025, 4, 3, 14, 0);
  pack.duration_minutes = 50;
  pack.attendance = {{"Wang Wei", "chair", "present"},
                     {"Zhao Li", "secretary-general", "present"},
                     {"Sun Mei", "member", "absent"},
                     {"Qian Jin", "member", "not recorded"}};
  // 10 + 20 + 15 + 5 = 50 minutes from 14:00: 14:10, 14:30, 14:45, 14:50.
  AgendaItem talk =
      Item(AgendaItemKind::kPresentation, "East: sales_amount at 81.00 % of target", 20);
  talk.presenter = Deviation{
      PresenterKind::kUnit, "u-east", kHostilePresenter, "sales_amount", 123456, 100000, 8100};
  pack.agenda = {Item(AgendaItemKind::kPreviousActions, "Review of open action items", 10), talk,
                 Item(AgendaItemKind::kFreeDiscussion, "Free discussion", 15),
                 Item(AgendaItemKind::kSpare, "Spare time", 5)};
  pack.deviations = {
      // 100000 − 123456 = −23456 minor units; 100000 / 123456 = 81.00 %.
      {kHostilePresenter, "sales_amount", MetricUnit::kMoney, 123456, 100000, 8100},
      // 9150 − 9500 = −350 bp = −3.50 pp; 9150 / 9500 = 96.32 %.
      {"West", "collection_rate", MetricUnit::kRatio, 9500, 9150, 9632},
      {"North", "new_customers", MetricUnit::kCount, 0, 1234, std::nullopt},
  };
  pack.attainment_by_unit = {{"East", 8000}, {"<b>West</b>", 12345}, {"North", std::nullopt}};
  pack.trend = {{"2024-Q2", 9000},
                {"2024-Q3", 10500},
                {"2024-Q4", std::nullopt},
                {"2025-Q1", 9876},
                {"2025-Q2", 11000}};
  pack.action_items = {
      {kHostileWhat, "Li\nWang", "Sales | Marketing", absl::CivilDay(2025, 3, 29),
       ActionStatus::kInProgress, 5},
      {"Train the new reps on the CRM", "Zhou", "Sales", absl::CivilDay(2025, 5, 31),
       ActionStatus::kAccepted, 0},
  };
  return pack;
}

TEST(EscapeTest, HtmlEscapesTheFiveCharacters) {
  EXPECT_EQ(EscapeHtml("&<>\"'"), "&amp;&lt;&gt;&quot;&#39;");
  EXPECT_EQ(EscapeHtml("plain 业绩 text"), "plain 业绩 text");
  EXPECT_EQ(EscapeHtml("&amp;"), "&amp;amp;");  // an entity in user text shows verbatim
}

TEST(EscapeTest, MarkdownEscapesPipesPunctuationAndLineBreaks) {
  EXPECT_EQ(EscapeMarkdown("a|b"), "a\\|b");
  EXPECT_EQ(EscapeMarkdown("a\r\nb\nc\rd"), "a<br>b<br>c<br>d");
  EXPECT_EQ(EscapeMarkdown("<script>"), "\\<script\\>");
  EXPECT_EQ(EscapeMarkdown("*bold* _it_ `code` [l](u) #1 !x ~s~ a+b &amp; \\"),
            "\\*bold\\* \\_it\\_ \\`code\\` \\[l\\]\\(u\\) \\#1 \\!x \\~s\\~ a\\+b \\&amp; \\\\");
  EXPECT_EQ(EscapeMarkdown("'; DROP TABLE x; --"), "'; DROP TABLE x; --");
  EXPECT_EQ(EscapeMarkdown("业绩 95.5 %"), "业绩 95.5 %");
}

TEST(RenderHtmlTest, SelfContainedPage) {
  const std::string html = RenderHtml(SamplePack());
  EXPECT_THAT(html, StartsWith("<!DOCTYPE html>\n<html lang=\"en\">"));
  EXPECT_THAT(html, HasSubstr("<meta charset=\"utf-8\">"));
  EXPECT_THAT(html, HasSubstr("<style>"));
  EXPECT_THAT(html, HasSubstr("</html>\n"));
  // No scripts, links, images or anything fetched from elsewhere.
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
  EXPECT_THAT(html, Not(HasSubstr("http")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
}

TEST(RenderHtmlTest, HostileTextIsEscapedNeverRaw) {
  const std::string html = RenderHtml(SamplePack());
  EXPECT_THAT(html, HasSubstr("<title>Q1 review &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
                              "</title>"));
  EXPECT_THAT(html, HasSubstr("<h1>Q1 review &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("alert('x')")));
  EXPECT_THAT(html, HasSubstr("O&#39;Brien &amp; Sons &quot;East&quot;"));
  EXPECT_THAT(html, Not(HasSubstr("O'Brien")));
  EXPECT_THAT(html, HasSubstr("<td>&#39;; DROP TABLE action_items; --</td>"));
  EXPECT_THAT(html, Not(HasSubstr("'; DROP TABLE")));
  EXPECT_THAT(html, HasSubstr("&lt;b&gt;West&lt;/b&gt;"));  // a chart label
  EXPECT_THAT(html, Not(HasSubstr("<b>West")));
  EXPECT_THAT(html, HasSubstr("Review Q1 deviations &amp; agree actions"));
  EXPECT_THAT(html, HasSubstr("<dd>业绩跟踪委员会</dd>"));
}

TEST(RenderHtmlTest, FactsAgendaAndTablesWithFormattedNumbers) {
  const std::string html = RenderHtml(SamplePack());
  EXPECT_THAT(html, HasSubstr("<dt>Time</dt><dd>2025-04-03 14:00–14:50</dd>"));
  EXPECT_THAT(html, HasSubstr("<dt>Duration</dt><dd>50 minutes</dd>"));
  EXPECT_THAT(html, HasSubstr("<h2>Attendance (2 of 4 present)</h2>"));
  EXPECT_THAT(html, HasSubstr("<td>Sun Mei</td><td>member</td><td>absent</td>"));
  // Nobody said whether Qian Jin came: not counted as present.
  EXPECT_THAT(html, HasSubstr("<td>Qian Jin</td><td>member</td><td>not recorded</td>"));
  // Agenda times from 14:00: 10, 20, 15 and 5 minutes; total 50.
  EXPECT_THAT(html, HasSubstr("<td>14:00–14:10</td><td class=\"num\">10</td>"
                              "<td>Review of open action items</td><td></td>"));
  EXPECT_THAT(html, HasSubstr("<td>14:10–14:30</td><td class=\"num\">20</td>"
                              "<td>East: sales_amount at 81.00 % of target</td>"
                              "<td>O&#39;Brien &amp; Sons &quot;East&quot;</td>"));
  EXPECT_THAT(html, HasSubstr("<td>14:45–14:50</td><td class=\"num\">5</td><td>Spare time</td>"));
  EXPECT_THAT(html, HasSubstr("<td>Total</td><td class=\"num\">50</td>"));
  // Deviations: money from minor units with the currency, gaps signed, bp as %.
  EXPECT_THAT(html, HasSubstr("<td class=\"num\">CNY 1,234.56</td><td class=\"num\">CNY "
                              "1,000.00</td><td class=\"num\">CNY -234.56</td><td "
                              "class=\"num\">81.00 %</td>"));
  EXPECT_THAT(html, HasSubstr("<td class=\"num\">95.00 %</td><td class=\"num\">91.50 %</td><td "
                              "class=\"num\">-3.50 pp</td><td class=\"num\">96.32 %</td>"));
  EXPECT_THAT(html, HasSubstr("<td class=\"num\">0</td><td class=\"num\">1,234</td><td "
                              "class=\"num\">+1,234</td><td class=\"num\">no target</td>"));
  // Action items: the overdue one is marked with its days.
  EXPECT_THAT(html, HasSubstr("<tr class=\"overdue\"><td>&#39;; DROP TABLE"));
  EXPECT_THAT(html, HasSubstr("<td>2025-03-29</td><td>in_progress</td><td class=\"num\">5</td>"));
  EXPECT_THAT(html, HasSubstr("<tr><td>Train the new reps on the CRM</td>"));
}

TEST(RenderHtmlTest, BarChartWithLabelsAndTheHundredPercentLine) {
  const std::string html = RenderHtml(SamplePack());
  // Scale: the largest figure 12345 → next 25 % step above: 12500. Plot 400
  // wide from x = 180: East 8000 × 400 / 12500 = 256; West 12345 × 400 /
  // 12500 = 395.04 → 395; 100 % at 180 + 320 = 500. Rows 26 apart from
  // y = 26; 3 rows → height 26 + 78 + 8 = 112.
  EXPECT_THAT(html, HasSubstr("<svg class=\"chart bars\" width=\"680\" height=\"112\""));
  EXPECT_THAT(html, HasSubstr("<rect class=\"bar below\" x=\"180\" y=\"26\" width=\"256\" "
                              "height=\"16\"><title>East: 80.00 %</title></rect>"));
  EXPECT_THAT(html, HasSubstr("<text class=\"value\" x=\"442\" y=\"38\">80.00 %</text>"));
  EXPECT_THAT(html, HasSubstr("<rect class=\"bar\" x=\"180\" y=\"52\" width=\"395\" height=\"16\">"
                              "<title>&lt;b&gt;West&lt;/b&gt;: 123.45 %</title></rect>"));
  EXPECT_THAT(html, HasSubstr("<text class=\"label\" x=\"172\" y=\"64\" text-anchor=\"end\">"
                              "&lt;b&gt;West&lt;/b&gt;</text>"));
  EXPECT_THAT(html, HasSubstr(">no target</text>"));  // North: no bar
  EXPECT_THAT(html, HasSubstr("<line class=\"ref\" x1=\"500\" y1=\"20\" x2=\"500\" y2=\"104\"/>"));
  EXPECT_THAT(html, HasSubstr(">100.00 %</text>"));
}

TEST(RenderHtmlTest, TrendPolylineWithPointsAndAxisLabels) {
  const std::string html = RenderHtml(SamplePack());
  // Scale: 11000 → 12500. x from 80 to 650 (570) over 4 steps: 80, 223 (142.5
  // → 143), 365, 508 (427.5 → 428), 650. y = 230 − v × 206 / 12500: 9000 → 148.32
  // → 230 − 148 = 82; 10500 → 173.04 → 57; 9876 → 162.76 → 67; 11000 → 181.28 → 49.
  // The 2024-Q4 gap breaks the line in two.
  EXPECT_THAT(html, HasSubstr("<svg class=\"chart trend\""));
  EXPECT_THAT(html, HasSubstr("<polyline class=\"line\" points=\"80,82 223,57\"/>"));
  EXPECT_THAT(html, HasSubstr("<polyline class=\"line\" points=\"508,67 650,49\"/>"));
  EXPECT_THAT(html, HasSubstr("<circle class=\"point\" cx=\"223\" cy=\"57\" r=\"4\">"
                              "<title>2024-Q3: 105.00 %</title></circle>"));
  EXPECT_THAT(html, HasSubstr("<text class=\"value\" x=\"508\" y=\"59\" text-anchor=\"middle\">"
                              "98.76 %</text>"));
  // x labels under the axis, one per period, the gap's too.
  EXPECT_THAT(html, HasSubstr("<text class=\"tick\" x=\"80\" y=\"250\" "
                              "text-anchor=\"middle\">2024-Q2</text>"));
  EXPECT_THAT(html, HasSubstr("<text class=\"tick\" x=\"365\" y=\"250\" "
                              "text-anchor=\"middle\">2024-Q4</text>"));
  // y labels: 0 % at 230, 100 % (the reference) at 230 − 164.8 → 165 = 65, 125 % at 24.
  EXPECT_THAT(html, HasSubstr("<line class=\"ref\" x1=\"80\" y1=\"65\" x2=\"650\" y2=\"65\"/>"));
  EXPECT_THAT(html, HasSubstr("<text class=\"tick\" x=\"74\" y=\"234\" "
                              "text-anchor=\"end\">0.00 %</text>"));
  EXPECT_THAT(html, HasSubstr("<text class=\"tick\" x=\"74\" y=\"28\" "
                              "text-anchor=\"end\">125.00 %</text>"));
}

TEST(RenderHtmlTest, ExtremeFiguresAreClampedInTheChartNotInTheLabels) {
  MeetingPack pack = SamplePack();
  // −50 % is drawn as 0 width; 5,000 % beyond the 1000 % cap is drawn at the
  // cap: scale 100000 → 102500, width 100000 × 400 / 102500 = 390.24 → 390.
  pack.attainment_by_unit = {{"Loss", -5000}, {"Boom", 500000}};
  pack.trend = {{"2025-Q1", std::numeric_limits<int64_t>::min()}};
  const std::string html = RenderHtml(pack);
  EXPECT_THAT(html, HasSubstr("width=\"0\" height=\"16\"><title>Loss: -50.00 %</title>"));
  EXPECT_THAT(html, HasSubstr("width=\"390\" height=\"16\"><title>Boom: 5,000.00 %</title>"));
  // One point, centred: 80 + 570 / 2 = 365, at 0 %: y = 230.
  EXPECT_THAT(html, HasSubstr("<circle class=\"point\" cx=\"365\" cy=\"230\""));
  EXPECT_THAT(html, Not(HasSubstr("<polyline")));
}

TEST(RenderHtmlTest, LongBarLabelsAreShortenedTheTooltipKeepsThemWhole) {
  MeetingPack pack = SamplePack();
  // 26 characters (9 of them Chinese): the label shows the first 24 and "…".
  pack.attainment_by_unit = {{"华东大区第一销售部 & Partners <Ltd>", 9000}};
  const std::string html = RenderHtml(pack);
  EXPECT_THAT(html,
              HasSubstr("text-anchor=\"end\">华东大区第一销售部 &amp; Partners &lt;Lt…</text>"));
  EXPECT_THAT(html,
              HasSubstr("<title>华东大区第一销售部 &amp; Partners &lt;Ltd&gt;: 90.00 %</title>"));
}

TEST(RenderHtmlTest, EmptySectionsSayso) {
  MeetingPack pack;
  pack.title = "Empty";
  pack.start = absl::CivilMinute(2025, 4, 3, 9, 30);
  pack.duration_minutes = 45;
  const std::string html = RenderHtml(pack);
  EXPECT_THAT(html, HasSubstr("2025-04-03 09:30–10:15"));
  EXPECT_THAT(html, HasSubstr("No agenda items."));
  EXPECT_THAT(html, HasSubstr("No deviations."));
  EXPECT_THAT(html, HasSubstr("No open action items."));
  EXPECT_THAT(html, Not(HasSubstr("<svg")));
}

// The '|' of a Markdown row that are not escaped: the column separators.
size_t Separators(absl::string_view line) {
  size_t n = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '|' && (i == 0 || line[i - 1] != '\\')) ++n;
  }
  return n;
}

std::string LineWith(const std::string& text, absl::string_view needle) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StrContains(line, needle)) return std::string(line);
  }
  return "";
}

TEST(RenderMarkdownTest, TablesEscapePipesAndLineBreaks) {
  const std::string md = RenderMarkdown(SamplePack());
  const std::string row = LineWith(md, "DROP TABLE");
  EXPECT_EQ(row,
            "| '; DROP TABLE action\\_items; -- | Li<br>Wang | Sales \\| Marketing | 2025-03-29 | "
            "in\\_progress | 5 |");
  EXPECT_EQ(Separators(row), 7u);  // 6 columns, the department's pipe escaped
  EXPECT_THAT(md, HasSubstr("| What | Owner | Department | Due | Status | Days overdue |\n"
                            "|---|---|---|---|---|---:|\n"));
}

TEST(RenderMarkdownTest, HostileTextShowsVerbatim) {
  const std::string md = RenderMarkdown(SamplePack());
  EXPECT_THAT(md, StartsWith("# Q1 review \\<script\\>alert\\('x'\\)\\</script\\>\n"));
  // Every "<script" is preceded by its escaping backslash.
  size_t raw = 0;
  for (size_t at = md.find("<script"); at != std::string::npos; at = md.find("<script", at + 1)) {
    if (at == 0 || md[at - 1] != '\\') ++raw;
  }
  EXPECT_EQ(raw, 0u);
  EXPECT_THAT(md, HasSubstr("\\<script\\>"));
  EXPECT_THAT(md, HasSubstr("O'Brien \\& Sons \"East\""));
  EXPECT_THAT(md, HasSubstr("| \\<b\\>West\\</b\\> | 123.45 % |"));
}

TEST(RenderMarkdownTest, FactsTablesAndChartsAsTables) {
  const std::string md = RenderMarkdown(SamplePack());
  EXPECT_THAT(md, HasSubstr("- **Committee:** 业绩跟踪委员会\n"));
  EXPECT_THAT(md, HasSubstr("- **Time:** 2025-04-03 14:00–14:50\n"));
  EXPECT_THAT(md, HasSubstr("## Attendance (2 of 4 present)"));
  EXPECT_THAT(md, HasSubstr("| 2 | 14:10–14:30 | 20 | East: sales\\_amount at 81.00 % of target | "
                            "O'Brien \\& Sons \"East\" |\n"));
  EXPECT_THAT(md, HasSubstr("|  | **Total** | **50** |  |  |\n"));
  EXPECT_THAT(md, HasSubstr("| O'Brien \\& Sons \"East\" | sales\\_amount | CNY 1,234.56 | CNY "
                            "1,000.00 | CNY -234.56 | 81.00 % |\n"));
  EXPECT_THAT(md, HasSubstr("| West | collection\\_rate | 95.00 % | 91.50 % | -3.50 pp | "
                            "96.32 % |\n"));
  EXPECT_THAT(md, HasSubstr("| Unit | Attainment |\n|---|---:|\n| East | 80.00 % |\n"));
  EXPECT_THAT(md, HasSubstr("| North | no target |\n"));
  EXPECT_THAT(md, HasSubstr("| Period | Attainment |\n|---|---:|\n| 2024-Q2 | 90.00 % |\n"
                            "| 2024-Q3 | 105.00 % |\n| 2024-Q4 | no figure |\n"));
}

}  // namespace
}  // namespace attain::review
