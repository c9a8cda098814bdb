// The document model: node storage, and the positions the loader gives nodes.
#include <doctest/doctest.h>

#include <vector>

#include "harden/document.h"
#include "harden/loader.h"

TEST_CASE("NodeStore keeps every node where it was made, across blocks, and iterates in order") {
  harden::NodeStore store;
  CHECK(store.empty());
  CHECK(store.begin() == store.end());
  std::vector<harden::Node*> made;
  std::size_t fresh = 0;
  for (std::size_t i = 0; i < 300; ++i) {  // several blocks
    harden::Node& node = store.emplace_back();
    fresh += node.kind == harden::NodeKind::Null && node.begin == 0;
    node.begin = i;
    made.push_back(&node);
  }
  CHECK(fresh == 300);
  CHECK(store.size() == 300);
  std::size_t i = 0, in_place = 0;
  for (const harden::Node& node : static_cast<const harden::NodeStore&>(store)) {
    in_place += &node == made[i] && node.begin == i;
    ++i;
  }
  CHECK(i == 300);
  CHECK(in_place == 300);
  for (harden::Node& node : store) node.end = node.begin + 1;
  CHECK(made[299]->end == 300);
  CHECK(&store.at(130) == made[130]);
}

namespace {

// Every node's (line, column) against a search of the line starts.
void check_positions(const std::string& text) {
  auto loaded = harden::load_document("t.yaml", text);
  REQUIRE_MESSAGE(loaded.ok(), text);
  const harden::Document& doc = *loaded.document;
  std::size_t checked = 0, right = 0;
  for (const harden::Node& node : doc.nodes) {
    harden::Position p = doc.position(node.content_begin);
    right += node.line == p.line - 1 && node.column == p.column - 1;
    ++checked;
  }
  CHECK_MESSAGE(right == checked, text);
  CHECK(checked > 3);
}

}  // namespace

TEST_CASE("loaded nodes know their line and column (byte-order mark, CRLF, flow, several documents)") {
  check_positions("\xEF\xBB\xBFservices:\n  web:\n    image: nginx\n    ports: [\"80:80\", 443]\n");
  check_positions("a: 1\r\nb:\r\n  - x\r\n  - {k: v, l: [1, 2]}\r\n");
  check_positions("---\na: &x 1\nb: *x\n---\nc:\n  d: |\n    text\n    more\n  e: end\n");
  auto loaded = harden::load_document("t.yaml", "\xEF\xBB\xBFkey: value\n");
  REQUIRE(loaded.ok());
  const harden::Node* root = loaded.document->root();
  REQUIRE(root);
  CHECK(root->entries[0].key->column == 0);  // the byte-order mark takes no column
  CHECK(root->entries[0].value->column == 5);
}

TEST_CASE("the loader sizes each mapping's entries and each sequence's items to their count") {
  // Counted while yaml-cpp's events are recorded: a count off by one either
  // way leaves room to spare or makes the list grow (twice the room).
  const char* texts[] = {
      "services:\n  web:\n    image: nginx\n    ports: ['80:80', \"443:443\"]\n    env: {A: 1, B: [x, y, {c: d}]}\n"
      "  db:\n    <<: &base {restart: always}\n    volumes:\n      - data:/var/lib\n      -\n      - - nested\n"
      "        - list\nx: *base\nempty: {}\nnone: []\n",
      "a: 1\n---\n- [1, 2, 3]\n- {k: v}\n- ~\n--- !!map\n? complex\n: value\nb: [c: d]\n",
      "list:\n- &a one\n- *a\n- |\n  block\n- >-\n  folded\n",
  };
  for (const char* text : texts) {
    auto loaded = harden::load_document("t.yaml", text);
    REQUIRE_MESSAGE(loaded.ok(), text);
    std::size_t collections = 0, exact = 0;
    for (const harden::Node& node : loaded.document->nodes) {
      if (node.is_mapping()) {
        ++collections;
        exact += node.entries.capacity() == node.entries.size();
      } else if (node.is_sequence()) {
        ++collections;
        exact += node.items.capacity() == node.items.size();
      }
    }
    CHECK(collections >= 2);
    CHECK_MESSAGE(exact == collections, text);
  }
}
