// The scorecard templates of the seed documents (shared/seeds/), ready to
// use or to copy and adjust. Both pass ValidateTemplate; the functions return
// its error if a future edit breaks one.
#pragma once

#include "absl/status/statusor.h"
#include "services/eval/src/domain/scorecard_template.h"

namespace attain::eval {

// Seed 002 (综合型销售业绩评估分析模型): achievement 40 / customer quality 30 /
// process 20 / collaboration 10; grades >= 120 excellent (extra bonus),
// 90-119 qualified (standard bonus), < 90 needs improvement (coaching).
// Indicators and their targets follow the seed's table 1 (see presets.cc).
absl::StatusOr<ScorecardTemplate> Seed002Template();

// Seed 001 (销售业务跟进与绩效评估模板): quantitative 70 (sales attainment 40,
// collection 20, others 10) + qualitative 30 (satisfaction, process
// compliance, collaboration); grades >= 90 excellent, 80-89 good, < 80 needs
// improvement, as its monthly evaluation table grades 92 and 78.
absl::StatusOr<ScorecardTemplate> Seed001Template();

}  // namespace attain::eval
