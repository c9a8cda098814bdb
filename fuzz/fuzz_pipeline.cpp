// fuzz_pipeline: process_text with default options never crashes; it gives
// either an error (and the original bytes as output) or a rewrite that
// loads again.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "harden/loader.h"
#include "harden/options.h"
#include "harden/pipeline.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace harden;
  std::string text(reinterpret_cast<const char*>(data), size);
  Options options;
  options.limits.max_bytes = 1u << 20;
  // A path in a folder that does not exist: no base file or Dockerfile is
  // read from disk beside it.
  FileResult r = process_text("/nonexistent-harden-fuzz/compose.yaml", text, options);
  if (r.original != text) harden_fuzz::fail("the original bytes are not kept");
  if (r.error) {
    if (r.output != text) harden_fuzz::fail("an error with changed output", text);
    // An internal error means a fix that could not be verified: the safety
    // net worked, but the rule or edit builder has a bug.
    if (r.error->message.rfind("internal error", 0) == 0)
      harden_fuzz::fail(r.error->message, text);
    return 0;
  }
  if (!r.changed) {
    if (r.output != text) harden_fuzz::fail("unchanged but different output", text);
    return 0;
  }
  LoadOptions load_options;
  load_options.limits = options.limits;
  load_options.limits.max_bytes = 4u << 20;
  LoadResult again = load_document("again.yml", r.output, load_options);
  if (!again.ok())
    harden_fuzz::fail("the hardened output does not load: " + again.error->message,
                      text + "\n--- output ---\n" + r.output);
  return 0;
}
