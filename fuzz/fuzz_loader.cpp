// fuzz_loader: load_document must never crash; a document it accepts has
// consistent spans and round-trips: the unchanged text verifies against it
// with no intents.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "harden/loader.h"
#include "harden/verify.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace harden;
  std::string text(reinterpret_cast<const char*>(data), size);
  LoadOptions options;
  options.limits.max_bytes = 1u << 20;
  LoadResult loaded = load_document("fuzz.yml", text, options);
  if (!loaded.ok()) {
    if (!loaded.error) harden_fuzz::fail("load failed without an error");
    if (loaded.error->message.empty()) harden_fuzz::fail("empty error message");
    if (loaded.error->line < 0 || loaded.error->column < 0) harden_fuzz::fail("negative error position");
    return 0;
  }
  const Document& doc = *loaded.document;
  if (doc.text != text) harden_fuzz::fail("the document does not keep the input bytes");
  for (const Node& node : doc.nodes) {
    if (node.begin > node.content_begin || node.end > text.size() ||
        node.content_begin > node.end)
      harden_fuzz::fail("node span out of order", text);
    for (const MapEntry& e : node.entries)
      if (!e.key || !e.value || e.begin > e.end || e.end > text.size()) harden_fuzz::fail("bad map entry span", text);
    for (const SeqItem& i : node.items)
      if (!i.value || i.begin > i.end || i.end > text.size()) harden_fuzz::fail("bad sequence item span", text);
    if (node.kind == NodeKind::Alias && !node.target) harden_fuzz::fail("alias without a target", text);
  }
  if (auto problem = verify_rewrite(doc, text, {}, options.limits))
    harden_fuzz::fail("an unchanged document does not verify against itself", *problem + "\n--- input ---\n" + text);
  return 0;
}
