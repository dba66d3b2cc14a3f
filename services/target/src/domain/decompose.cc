#include "services/target/src/domain/decompose.h"

#include "absl/strings/str_cat.h"
#include "common/allocate.h"
#include "common/status.h"

namespace attain::target {

absl::Status CheckSplittable(const MetricInfo& metric) {
  if (metric.additive) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "metric ", metric.name,
      " is not additive (a ratio or a mean): its children do not sum to it, so it cannot be "
      "split; set each child's target directly"));
}

absl::StatusOr<SplitValues> SplitTarget(int64_t base, int64_t challenge, SplitMethod method,
                                        const std::vector<Share>& shares, size_t n) {
  if (n == 0) {
    return absl::InvalidArgumentError("there are no children to split the target into");
  }
  if (n > 100000) {
    return absl::InvalidArgumentError(
        absl::StrCat("a target can be split into at most 100000 children, not ", n));
  }
  std::vector<int64_t> weights;
  switch (method) {
    case SplitMethod::kEven:
      weights.assign(n, 1);
      break;
    case SplitMethod::kWeights:
    case SplitMethod::kPercentages: {
      if (shares.size() != n) {
        return absl::InvalidArgumentError(absl::StrCat("allocations has ", shares.size(),
                                                       " entries but there are ", n, " children"));
      }
      if (method == SplitMethod::kWeights) {
        for (size_t i = 0; i < n; ++i) {
          if (shares[i].weight <= 0) {
            return absl::InvalidArgumentError(absl::StrCat(
                "allocations[", i, "].weight is ", shares[i].weight, ": weights must be > 0"));
          }
          weights.push_back(shares[i].weight);
        }
      } else {
        std::vector<std::string> texts;
        for (const Share& s : shares) texts.push_back(s.percentage);
        ASSIGN_OR_RETURN(weights, ParsePercentagesSumTo100(texts));
      }
      break;
    }
  }
  SplitValues out;
  ASSIGN_OR_RETURN(out.base, AllocateByWeights(base, weights));
  // The challenge is split as base + the split of (challenge - base), so each
  // child keeps challenge >= base and both sums stay exact.
  ASSIGN_OR_RETURN(std::vector<int64_t> extra, AllocateByWeights(challenge - base, weights));
  out.challenge.resize(n);
  for (size_t i = 0; i < n; ++i) out.challenge[i] = out.base[i] + extra[i];
  return out;
}

}  // namespace attain::target
