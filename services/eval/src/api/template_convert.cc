#include "services/eval/src/api/template_convert.h"

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace attain::eval {
namespace {

constexpr size_t kMaxIdLength = 64;
constexpr size_t kMaxRequestIdLength = 128;

// A cap of 0 (the proto default) means "no bonus": 100 %.
int64_t CapOrDefault(int64_t cap_bp) { return cap_bp == 0 ? kFullAttainment : cap_bp; }

std::optional<TargetSource> SourceFromProto(v1::TargetSource source) {
  switch (source) {
    case v1::TARGET_SOURCE_BASE:
      return TargetSource::kBase;
    case v1::TARGET_SOURCE_CHALLENGE:
      return TargetSource::kChallenge;
    case v1::TARGET_SOURCE_FIXED:
      return TargetSource::kFixed;
    case v1::TARGET_SOURCE_NONE:
      return TargetSource::kNone;
    default:
      return std::nullopt;
  }
}

v1::TargetSource SourceToProto(TargetSource source) {
  switch (source) {
    case TargetSource::kBase:
      return v1::TARGET_SOURCE_BASE;
    case TargetSource::kChallenge:
      return v1::TARGET_SOURCE_CHALLENGE;
    case TargetSource::kFixed:
      return v1::TARGET_SOURCE_FIXED;
    case TargetSource::kNone:
      return v1::TARGET_SOURCE_NONE;
  }
  return v1::TARGET_SOURCE_UNSPECIFIED;
}

std::optional<StepMode> ModeFromProto(v1::StepMode mode) {
  switch (mode) {
    case v1::STEP_MODE_UNSPECIFIED:
    case v1::STEP_MODE_WHOLE_STEPS:
      return StepMode::kWholeSteps;
    case v1::STEP_MODE_STARTED_STEPS:
      return StepMode::kStartedSteps;
    case v1::STEP_MODE_PROPORTIONAL:
      return StepMode::kProportional;
    default:
      return std::nullopt;
  }
}

v1::StepMode ModeToProto(StepMode mode) {
  switch (mode) {
    case StepMode::kWholeSteps:
      return v1::STEP_MODE_WHOLE_STEPS;
    case StepMode::kStartedSteps:
      return v1::STEP_MODE_STARTED_STEPS;
    case StepMode::kProportional:
      return v1::STEP_MODE_PROPORTIONAL;
  }
  return v1::STEP_MODE_UNSPECIFIED;
}

// The message field of each domain rule alternative, in ScoringRule's order.
const char* RuleField(const ScoringRule& rule) {
  switch (rule.index()) {
    case 0:
      return "linear";
    case 1:
      return "step_deduction";
    case 2:
      return "bands";
    case 3:
      return "scale";
    default:
      return "inverse";
  }
}

std::optional<int64_t> OptionalOf(bool has, int64_t value) {
  return has ? std::optional<int64_t>(value) : std::nullopt;
}

// The rule of a message; nullopt (with a problem added) for one the domain
// cannot take.
std::optional<ScoringRule> RuleFromProto(const v1::Indicator& in, const std::string& path,
                                         std::vector<std::string>* problems) {
  switch (in.rule_case()) {
    case v1::Indicator::kLinear:
      return LinearRule{CapOrDefault(in.linear().cap_bp())};
    case v1::Indicator::kStepDeduction: {
      StepDeductionRule rule;
      rule.deduction = in.step_deduction().deduction();
      rule.step_bp = in.step_deduction().step_bp();
      rule.cap_bp = CapOrDefault(in.step_deduction().cap_bp());
      std::optional<StepMode> mode = ModeFromProto(in.step_deduction().mode());
      if (!mode) {
        problems->push_back(absl::StrCat(path, ".step_deduction.mode: unknown step mode ",
                                         in.step_deduction().mode()));
        return std::nullopt;
      }
      rule.mode = *mode;
      return rule;
    }
    case v1::Indicator::kBands: {
      BandsRule rule;
      for (const v1::AttainmentBand& band : in.bands().bands()) {
        rule.bands.push_back(AttainmentBand{
            band.lower_bp(), OptionalOf(band.has_upper_bp(), band.upper_bp()), band.fraction_bp()});
      }
      return rule;
    }
    case v1::Indicator::kScale: {
      ScaleRule rule;
      for (const v1::ScaleLevel& level : in.scale().levels()) {
        rule.levels.push_back(ScaleLevel{level.label(), level.value(),
                                         OptionalOf(level.has_min_actual(), level.min_actual())});
      }
      return rule;
    }
    case v1::Indicator::kInverse:
      return InverseRule{CapOrDefault(in.inverse().cap_bp())};
    case v1::Indicator::RULE_NOT_SET:
      break;
  }
  problems->push_back(absl::StrCat(
      path,
      ".rule: a scoring rule is required (one of linear, step_deduction, bands, scale, inverse)"));
  return std::nullopt;
}

// Where ValidateTemplate says "<path>: <what>", the request says
// "<prefix><path>: <what>" with the domain's `.rule` replaced by the field of
// the rule the indicator has. `rule_fields[d][i]` is that field, or "" for an
// indicator whose rule was refused before (its domain problems would be
// about a placeholder and are dropped).
std::vector<std::string> MapDomainProblems(absl::string_view message,
                                           const std::vector<std::vector<std::string>>& rule_fields,
                                           absl::string_view prefix) {
  // "scorecard template has N problem(s): A; B; …" (domain ValidateTemplate).
  absl::string_view list = message;
  if (size_t colon = list.find(": ");
      colon != absl::string_view::npos && absl::StartsWith(list, "scorecard template has ")) {
    list = list.substr(colon + 2);
  }
  std::vector<std::string> out;
  for (absl::string_view piece : absl::StrSplit(list, "; ")) {
    // A piece that does not start with a path continues the previous one's
    // text (a label with "; " in it): keep it attached.
    const bool is_path = absl::StartsWith(piece, "id") || absl::StartsWith(piece, "name") ||
                         absl::StartsWith(piece, "version") ||
                         absl::StartsWith(piece, "dimensions") || absl::StartsWith(piece, "grades");
    if (!is_path && !out.empty()) {
      absl::StrAppend(&out.back(), "; ", piece);
      continue;
    }
    std::string mapped(piece);
    bool drop = false;
    for (size_t d = 0; d < rule_fields.size() && !drop; ++d) {
      for (size_t i = 0; i < rule_fields[d].size(); ++i) {
        const std::string rule_path = absl::StrFormat("dimensions[%d].indicators[%d].rule", d, i);
        if (!absl::StartsWith(piece, rule_path)) continue;
        const char next = piece.size() > rule_path.size() ? piece[rule_path.size()] : ':';
        if (next != '.' && next != ':') continue;
        if (rule_fields[d][i].empty()) {
          drop = true;
        } else {
          mapped = absl::StrCat(rule_path.substr(0, rule_path.size() - 4), rule_fields[d][i],
                                piece.substr(rule_path.size()));
        }
        break;
      }
    }
    if (piece == "id" || absl::StartsWith(piece, "id:")) {
      mapped = absl::StrCat("template_id", piece.substr(2));
    }
    if (!drop) out.push_back(absl::StrCat(prefix, mapped));
  }
  return out;
}

void SetTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t s = absl::ToUnixSeconds(t);
  out->set_seconds(s);
  out->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(s))));
}

}  // namespace

absl::StatusOr<ScorecardTemplate> TemplateFromProto(const v1::ScorecardTemplate& in,
                                                    const std::string& template_id, int64_t version,
                                                    absl::string_view prefix) {
  std::vector<std::string> problems;  // structural ones, already with their request path
  std::vector<std::vector<std::string>> rule_fields;
  ScorecardTemplate out;
  out.id = template_id;
  out.version = version;
  out.name = in.name();
  for (int d = 0; d < in.dimensions_size(); ++d) {
    const v1::Dimension& dim_in = in.dimensions(d);
    Dimension dim;
    dim.id = dim_in.id();
    dim.name = dim_in.name();
    dim.weight = dim_in.weight();
    rule_fields.emplace_back();
    for (int i = 0; i < dim_in.indicators_size(); ++i) {
      const v1::Indicator& ind_in = dim_in.indicators(i);
      const std::string path = absl::StrCat(prefix, "dimensions[", d, "].indicators[", i, "]");
      Indicator ind;
      ind.id = ind_in.id();
      ind.name = ind_in.name();
      ind.metric = ind_in.metric();
      ind.points = ind_in.points();
      ind.fixed_target = OptionalOf(ind_in.has_fixed_target(), ind_in.fixed_target());
      if (std::optional<TargetSource> source = SourceFromProto(ind_in.target_source())) {
        ind.target_source = *source;
      } else {
        problems.push_back(absl::StrCat(
            path, ".target_source: a target source is required (BASE, CHALLENGE, FIXED or NONE)"));
        // A stand-in consistent with the rest, so that only this problem is reported.
        ind.target_source = ind.fixed_target ? TargetSource::kFixed : TargetSource::kBase;
      }
      std::optional<ScoringRule> rule = RuleFromProto(ind_in, path, &problems);
      rule_fields.back().push_back(rule ? RuleField(*rule) : "");
      if (rule) ind.rule = *std::move(rule);
      dim.indicators.push_back(std::move(ind));
    }
    out.dimensions.push_back(std::move(dim));
  }
  for (const v1::GradeBand& grade : in.grades()) {
    out.grades.push_back(GradeBand{
        grade.name(), OptionalOf(grade.has_min_points(), grade.min_points()), grade.note()});
  }
  absl::Status valid = ValidateTemplate(out);
  if (!valid.ok()) {
    if (valid.code() != absl::StatusCode::kInvalidArgument) return valid;
    for (std::string& p : MapDomainProblems(valid.message(), rule_fields, prefix)) {
      problems.push_back(std::move(p));
    }
  }
  if (problems.empty()) return out;
  return absl::InvalidArgumentError(absl::StrCat(
      "template has ", problems.size(),
      problems.size() == 1 ? " problem: " : " problems: ", absl::StrJoin(problems, "; ")));
}

void TemplateToProto(const ScorecardTemplate& tmpl, v1::ScorecardTemplate* out) {
  out->set_template_id(tmpl.id);
  out->set_version(tmpl.version);
  out->set_name(tmpl.name);
  out->clear_dimensions();
  for (const Dimension& dim : tmpl.dimensions) {
    v1::Dimension* d = out->add_dimensions();
    d->set_id(dim.id);
    d->set_name(dim.name);
    d->set_weight(dim.weight);
    for (const Indicator& ind : dim.indicators) {
      v1::Indicator* i = d->add_indicators();
      i->set_id(ind.id);
      i->set_name(ind.name);
      i->set_metric(static_cast<::attain::type::v1::Metric>(ind.metric));
      i->set_target_source(SourceToProto(ind.target_source));
      if (ind.fixed_target) i->set_fixed_target(*ind.fixed_target);
      i->set_points(ind.points);
      if (const auto* linear = std::get_if<LinearRule>(&ind.rule)) {
        i->mutable_linear()->set_cap_bp(linear->cap_bp);
      } else if (const auto* step = std::get_if<StepDeductionRule>(&ind.rule)) {
        v1::StepDeductionRule* s = i->mutable_step_deduction();
        s->set_deduction(step->deduction);
        s->set_step_bp(step->step_bp);
        s->set_mode(ModeToProto(step->mode));
        s->set_cap_bp(step->cap_bp);
      } else if (const auto* bands = std::get_if<BandsRule>(&ind.rule)) {
        v1::BandsRule* b = i->mutable_bands();
        for (const AttainmentBand& band : bands->bands) {
          v1::AttainmentBand* row = b->add_bands();
          row->set_lower_bp(band.lower_bp);
          if (band.upper_bp) row->set_upper_bp(*band.upper_bp);
          row->set_fraction_bp(band.fraction_bp);
        }
      } else if (const auto* scale = std::get_if<ScaleRule>(&ind.rule)) {
        v1::ScaleRule* s = i->mutable_scale();
        for (const ScaleLevel& level : scale->levels) {
          v1::ScaleLevel* l = s->add_levels();
          l->set_label(level.label);
          l->set_value(level.value);
          if (level.min_actual) l->set_min_actual(*level.min_actual);
        }
      } else if (const auto* inverse = std::get_if<InverseRule>(&ind.rule)) {
        i->mutable_inverse()->set_cap_bp(inverse->cap_bp);
      }
    }
  }
  out->clear_grades();
  for (const GradeBand& grade : tmpl.grades) {
    v1::GradeBand* g = out->add_grades();
    g->set_name(grade.name);
    if (grade.min_points) g->set_min_points(*grade.min_points);
    g->set_note(grade.note);
  }
}

absl::Status RecordToProto(const TemplateVersionRecord& rec, v1::ScorecardTemplate* out) {
  out->Clear();
  if (!out->ParseFromString(rec.definition)) {
    return absl::InternalError(absl::StrCat("the stored definition of template \"", rec.template_id,
                                            "\" version ", rec.version, " cannot be read"));
  }
  out->set_template_id(rec.template_id);
  out->set_version(rec.version);
  out->set_preset(rec.preset);
  SetTimestamp(rec.create_time, out->mutable_create_time());
  SetTimestamp(rec.update_time, out->mutable_update_time());
  out->set_updated_by(rec.updated_by);
  return absl::OkStatus();
}

void AssignmentToProto(const AssignmentRecord& rec, v1::TemplateAssignment* out) {
  out->set_assignment_id(rec.assignment_id);
  out->set_unit_id(rec.unit_id);
  out->set_template_id(rec.template_id);
  out->set_effective_from(absl::FormatCivilTime(rec.effective_from));
  out->set_effective_period(rec.effective_period);
  SetTimestamp(rec.assign_time, out->mutable_assign_time());
  out->set_assigned_by(rec.assigned_by);
}

std::string DefinitionBytes(const ScorecardTemplate& tmpl) {
  v1::ScorecardTemplate def;
  TemplateToProto(tmpl, &def);
  def.clear_template_id();
  def.clear_version();
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    def.SerializeToCodedStream(&coded);
  }
  return out;
}

absl::Status ValidateId(absl::string_view field, absl::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  if (id.size() > kMaxIdLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " is ", id.size(), " characters long; ids have at most ", kMaxIdLength));
  }
  for (char c : id) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-' || c == '_')) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s \"%s\" has the character '%c': ids use only a-z, 0-9, '-' and '_'",
                          field, absl::CEscape(id), c));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateRequestId(absl::string_view request_id) {
  if (request_id.size() > kMaxRequestIdLength) {
    return absl::InvalidArgumentError(absl::StrCat("request_id has ", request_id.size(),
                                                   " characters; at most ", kMaxRequestIdLength,
                                                   " are allowed"));
  }
  for (char c : request_id) {
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(
          "request_id must be printable ASCII without spaces (e.g. a UUID)");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::CivilDay> ParseDay(absl::string_view field, absl::string_view text) {
  absl::CivilDay day;
  // ParseCivilTime alone would accept "2025-2-3" and normalise "2025-02-30".
  if (text.size() != 10 || !absl::ParseCivilTime(text, &day) ||
      absl::FormatCivilTime(day) != text) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " \"", absl::CEscape(text), "\" is not a date YYYY-MM-DD"));
  }
  return day;
}

std::string NewTemplateId() {
  static absl::Mutex mu(absl::kConstInit);
  static absl::BitGen* gen = new absl::BitGen();
  absl::MutexLock l(&mu);
  return absl::StrFormat("tpl-%012x", absl::Uniform<uint64_t>(*gen) & 0xffffffffffffULL);
}

}  // namespace attain::eval
