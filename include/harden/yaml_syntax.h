// Syntax checks that yaml-cpp 0.7 does not make.
//
// yaml-cpp accepts some inputs that the YAML 1.2 spec rejects (for example
// a double-quoted scalar left open at the end of the file, or trailing
// content after a flow collection). This scanner looks for those, so that
// harden refuses them instead of guessing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace harden {

struct SyntaxProblem {
  std::string message;
  int line = 1;    // 1-based
  int column = 1;  // 1-based
};

// Returns the first problem found in text, or nothing. Must never flag a
// valid YAML 1.2 stream.
std::optional<SyntaxProblem> find_syntax_problem(std::string_view text);

}  // namespace harden
