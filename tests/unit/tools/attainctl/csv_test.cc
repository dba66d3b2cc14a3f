#include "tools/attainctl/csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace attain::ctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The fields of every record.
std::vector<std::vector<std::string>> Fields(const std::string& text) {
  absl::StatusOr<std::vector<CsvRecord>> records = ParseCsv(text);
  EXPECT_TRUE(records.ok()) << records.status();
  std::vector<std::vector<std::string>> out;
  if (records.ok()) {
    for (const CsvRecord& r : *records) out.push_back(r.fields);
  }
  return out;
}

// The message of a refused text, or "" when it parses.
std::string Error(const std::string& text) {
  absl::StatusOr<std::vector<CsvRecord>> records = ParseCsv(text);
  if (records.ok()) return "";
  EXPECT_EQ(records.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(records.status().message());
}

TEST(ParseCsvTest, QuotesSpacesLineEndsAndByteOrderMark) {
  absl::StatusOr<std::vector<CsvRecord>> records = ParseCsv(
      "\xEF\xBB\xBFscope, base \r\n\n\"unit:east\",\" 3,000 \"\n\"a\"\"b\",\"two\nlines\"\n");
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 3u);
  EXPECT_THAT((*records)[0].fields, ElementsAre("scope", "base"));
  EXPECT_THAT((*records)[1].fields, ElementsAre("unit:east", " 3,000 "));
  EXPECT_EQ((*records)[1].line, 3);
  EXPECT_THAT((*records)[2].fields, ElementsAre("a\"b", "two\nlines"));
  EXPECT_EQ((*records)[2].line, 4);
}

TEST(ParseCsvTest, UnterminatedQuoteAndTextAfterAClosingQuoteNameTheLine) {
  EXPECT_THAT(Error("a\n\"b,c\n"), HasSubstr("line 2: a quoted field is never closed"));
  EXPECT_THAT(Error("a\n\"b\"x,c\n"), HasSubstr("line 2: unexpected 'x' after a closing quote"));
}

TEST(ParseCsvTest, Utf8TextIsRead) {
  EXPECT_THAT(
      Fields("name\n上海贸易有限公司,\xF0\x9F\x93\x88\n"),
      ElementsAre(ElementsAre("name"), ElementsAre("上海贸易有限公司", "\xF0\x9F\x93\x88")));
}

// Found by tests/fuzz/csv_fuzz.cc (regressions/csv/): a cell that is not UTF-8
// became a string field the ingest and target services cannot parse, so the
// whole import failed with an error naming no row. A GBK export (the default
// of spreadsheets set to Chinese) is the common case.
TEST(ParseCsvTest, TextThatIsNotUtf8IsRefusedNamingTheLine) {
  EXPECT_EQ(Error("reports\nevent_id,occurred_at\n\xFF,"),
            "line 3: byte 0xFF at column 1 is not UTF-8: save the file as UTF-8 (in a "
            "spreadsheet, as \"CSV UTF-8\")");
  // "上海" in GBK.
  EXPECT_THAT(Error("customer_id,full_name\nc-1,\"\xC9\xCF\xBA\xA3\"\n"),
              HasSubstr("line 2: byte 0xC9 at column 6 is not UTF-8"));
  // What protobuf refuses as UTF-8: overlong forms, surrogates, above U+10FFFF,
  // and a sequence cut short by the end of the text.
  for (const char* bad : {"\xC0\x80", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                          "\xF8\x88\x80\x80\x80", "\xE4\xB8"}) {
    EXPECT_THAT(Error(std::string("a,") + bad), HasSubstr("line 1: byte 0x")) << bad;
  }
}

}  // namespace
}  // namespace attain::ctl
