// The document's node storage: nodes never move, and iterate in order.
#include <doctest/doctest.h>

#include <vector>

#include "harden/document.h"

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
