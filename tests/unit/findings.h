// Finding the findings of a run, for the rule tests.
#pragma once

#include <string_view>

#include "harden/pipeline.h"

namespace harden::test {

// The first finding of rule `code` on `service`, or nullptr.
inline const Finding* finding_of(const FileResult& result, std::string_view code, std::string_view service) {
  for (const Finding& f : result.findings)
    if (f.rule->code == code && f.service == service) return &f;
  return nullptr;
}

}  // namespace harden::test
