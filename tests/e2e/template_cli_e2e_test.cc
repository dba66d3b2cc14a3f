// End-to-end tests of `attainctl template …` against the real attain-eval
// (with attain-target, attain-ingest, PostgreSQL and Redis of the ingest
// stack): what an operator types, what the service then holds (read back over
// the CLI's --json output), and the exit status and messages they see.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "attain/eval/v1/template_service.pb.h"
#include "common/auth.h"
#include "google/protobuf/util/json_util.h"
#include "tests/support/ingest_stack.h"
#include "tests/support/run_command.h"

namespace attain::eval {
namespace {

namespace ev1 = ::attain::eval::v1;
using ::attain::testing::CommandResult;
using ::attain::testing::IngestStack;
using ::testing::HasSubstr;

constexpr char kJwtKey[] = "template-cli-e2e-test-signing-key-0123456789";
constexpr char kTenant[] = "acme";

template <typename Message>
Message FromJson(const std::string& json) {
  Message m;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &m);
  if (!status.ok()) ADD_FAILURE() << "not a " << m.GetTypeName() << " in JSON:\n" << json;
  return m;
}

std::string ToJson(const google::protobuf::Message& m) {
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(m, &out);
  return out;
}

class TemplateCliE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<IngestStack>> stack = IngestStack::Start(
        {ATTAIN_TARGET_BINARY, ATTAIN_INGEST_BINARY, "template_cli_e2e", kJwtKey},
        ATTAIN_EVAL_BINARY);
    if (!stack.ok()) {
      start_error_ = new std::string(stack.status().ToString());
      return;
    }
    stack_ = stack->release();
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(stack_, nullptr) << "the stack did not start: "
                               << (start_error_ ? *start_error_ : "?");
  }

  // attainctl --eval-addr <attain-eval> --token <role of acme> args…
  CommandResult Ctl(const std::vector<std::string>& args, Role role = Role::kAdmin) const {
    std::vector<std::string> all = {"--eval-addr", stack_->eval().address(), "--token",
                                    stack_->Token(kTenant, role, "operator")};
    all.insert(all.end(), args.begin(), args.end());
    return ::attain::testing::RunCommand(ATTAINCTL_BINARY, all, {}, absl::Seconds(60));
  }

  std::string WriteFile(const std::string& name, const std::string& text) const {
    const std::string path =
        absl::StrCat(::testing::TempDir(), "/", name, "-", ::getpid(), ".json");
    std::ofstream(path) << text;
    return path;
  }

  // The seed 002 preset's template, from `template presets --json`.
  ev1::ScorecardTemplate Seed002() const {
    CommandResult r = Ctl({"--json", "template", "presets"});
    EXPECT_EQ(r.code, 0) << r;
    auto presets = FromJson<ev1::ListPresetsResponse>(r.out);
    EXPECT_EQ(presets.presets_size(), 2) << r.out;
    for (const ev1::Preset& p : presets.presets()) {
      if (p.template_().dimensions_size() == 4) return p.template_();
    }
    ADD_FAILURE() << "no four-dimension preset in:\n" << r.out;
    return {};
  }

  static IngestStack* stack_;
  static std::string* start_error_;
};

IngestStack* TemplateCliE2eTest::stack_ = nullptr;
std::string* TemplateCliE2eTest::start_error_ = nullptr;

TEST_F(TemplateCliE2eTest, PresetsListTheTwoSeedTemplates) {
  CommandResult r = Ctl({"template", "presets"});
  ASSERT_EQ(r.code, 0) << r;
  // Seed 002's four dimensions 40/30/20/10 and seed 001's 70 + 30, as a table.
  EXPECT_THAT(r.out, HasSubstr("achievement 40 / customer_quality 30 / process 20 / "
                               "collaboration 10"));
  EXPECT_THAT(r.out, HasSubstr("quantitative 70 / qualitative 30"));
}

TEST_F(TemplateCliE2eTest, ImportGetUpdateAndList) {
  const ev1::ScorecardTemplate seed = Seed002();
  ASSERT_EQ(seed.dimensions_size(), 4);
  const std::string file = WriteFile("seed002", ToJson(seed));

  CommandResult created = Ctl({"--json", "template", "import", file, "--id", "kam-2025"});
  ASSERT_EQ(created.code, 0) << created;
  auto t = FromJson<ev1::ScorecardTemplate>(created.out);
  EXPECT_EQ(t.template_id(), "kam-2025");
  EXPECT_EQ(t.version(), 1);

  CommandResult got = Ctl({"--json", "template", "get", "kam-2025"});
  ASSERT_EQ(got.code, 0) << got;
  t = FromJson<ev1::ScorecardTemplate>(got.out);
  ASSERT_EQ(t.dimensions_size(), 4);
  EXPECT_EQ(t.dimensions(0).weight(), 4000);  // hundredths of a point
  EXPECT_EQ(t.dimensions(1).weight(), 3000);
  EXPECT_EQ(t.dimensions(2).weight(), 2000);
  EXPECT_EQ(t.dimensions(3).weight(), 1000);

  // A new version with another name; a stale expected version is refused.
  ev1::ScorecardTemplate renamed = seed;
  renamed.set_name("KAM 2025 H2");
  const std::string file2 = WriteFile("seed002-h2", ToJson(renamed));
  CommandResult updated =
      Ctl({"--json", "template", "import", file2, "--id", "kam-2025", "--expected-version", "1"});
  ASSERT_EQ(updated.code, 0) << updated;
  EXPECT_EQ(FromJson<ev1::ScorecardTemplate>(updated.out).version(), 2);
  CommandResult stale =
      Ctl({"template", "import", file2, "--id", "kam-2025", "--expected-version", "1"});
  EXPECT_EQ(stale.code, 1) << stale;
  EXPECT_THAT(stale.err, HasSubstr("version 2"));

  CommandResult v1 = Ctl({"--json", "template", "get", "kam-2025", "--version", "1"});
  ASSERT_EQ(v1.code, 0) << v1;
  EXPECT_EQ(FromJson<ev1::ScorecardTemplate>(v1.out).name(), seed.name());

  CommandResult list = Ctl({"template", "list"});
  ASSERT_EQ(list.code, 0) << list;
  EXPECT_THAT(list.out, HasSubstr("kam-2025"));
  EXPECT_THAT(list.out, HasSubstr("KAM 2025 H2"));
}

TEST_F(TemplateCliE2eTest, AnInvalidTemplateIsRefusedWithItsReasons) {
  ev1::ScorecardTemplate bad = Seed002();
  ASSERT_EQ(bad.dimensions_size(), 4);
  // 40/30/20/10 → 45/30/20/10: the weights no longer sum to 100 points, and
  // the first dimension's weight no longer equals its indicators' points.
  bad.mutable_dimensions(0)->set_weight(4500);
  const std::string file = WriteFile("bad", ToJson(bad));
  CommandResult r = Ctl({"template", "import", file, "--id", "bad"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("template.dimensions[0]"));
  EXPECT_THAT(r.err, HasSubstr("100"));
  // Nothing was created.
  EXPECT_EQ(Ctl({"template", "get", "bad"}).code, 1);
}

TEST_F(TemplateCliE2eTest, OnlyAdminsAndDirectorsImport) {
  const std::string file = WriteFile("by-rep", ToJson(Seed002()));
  CommandResult r = Ctl({"template", "import", file, "--id", "by-rep"}, Role::kHr);
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("PERMISSION_DENIED"));
  EXPECT_EQ(Ctl({"template", "import", file, "--id", "by-director"}, Role::kDirector).code, 0);
}

}  // namespace
}  // namespace attain::eval
