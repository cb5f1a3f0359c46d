#include "common/yaml_node.h"

#include <gtest/gtest.h>

#include <cmath>

namespace einflow {
namespace {

TEST(YamlNode, LocationsAreOneBased) {
  auto root = YamlNode::load_string("a: 1\nb:\n  c: x\n", "f.yaml");
  EXPECT_EQ(root["a"].loc().str(), "f.yaml:1:4");
  EXPECT_EQ(root["b"]["c"].loc().str(), "f.yaml:3:6");
  EXPECT_EQ(root["b"]["c"].key_loc().str(), "f.yaml:3:3");
  EXPECT_EQ(root["b"]["c"].path(), "b.c");
}

TEST(YamlNode, UnknownKeySuggestsNearest) {
  auto root = YamlNode::load_string("name: x\nrnaks: {}\n", "f.yaml");
  Diagnostics d;
  root.check_keys({"name", "ranks", "einsums"}, d);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d.items()[0].str(), "f.yaml:2:1: rnaks: unknown key 'rnaks' (did you mean 'ranks'?)");
}

TEST(YamlNode, DuplicateKeyIsAnError) {
  auto root = YamlNode::load_string("a: 1\na: 2\n", "f.yaml");
  Diagnostics d;
  root.check_keys({"a"}, d);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d.items()[0].message.find("written twice"), std::string::npos);
}

TEST(YamlNode, MissingKeyReportsParent) {
  auto root = YamlNode::load_string("outer:\n  x: 1\n", "f.yaml");
  Diagnostics d;
  EXPECT_FALSE(root["outer"].require("y", d));
  EXPECT_EQ(d.items()[0].str(), "f.yaml:2:3: outer.y: missing required key 'y'");
}

TEST(YamlNode, TypedReadsCollectErrors) {
  auto root = YamlNode::load_string("n: abc\nk: 4K\nd: -inf\nb: maybe\n", "f.yaml");
  Diagnostics d;
  EXPECT_FALSE(root["n"].as_int(d));
  EXPECT_EQ(*root["k"].as_int(d), 4096);
  EXPECT_TRUE(std::isinf(*root["d"].as_double(d)));
  EXPECT_FALSE(root["b"].as_bool(d));
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d.items()[0].str(), "f.yaml:1:4: n: expected an integer, got 'abc'");
  EXPECT_EQ(d.items()[1].str(), "f.yaml:4:4: b: expected true or false, got 'maybe'");
}

TEST(YamlNode, SyntaxErrorHasPosition) {
  try {
    YamlNode::load_string("a: [1, 2\nb: 3\n", "bad.yaml");
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_EQ(e.diagnostics()[0].loc.file, "bad.yaml");
    EXPECT_GT(e.diagnostics()[0].loc.line, 0);
  }
}

TEST(YamlNode, OverrideReplacesAndCreates) {
  auto root = YamlNode::load_string("instance:\n  batch: 1\n", "f.yaml");
  auto changed = root.with_override("instance.batch", "8").with_override("instance.seq_len", "1K");
  Diagnostics d;
  EXPECT_EQ(*changed["instance"]["batch"].as_int(d), 8);
  EXPECT_EQ(*changed["instance"]["seq_len"].as_int(d), 1024);
  EXPECT_EQ(*root["instance"]["batch"].as_int(d), 1);  // the original is untouched
  EXPECT_THROW(root.with_override("instance.batch.x", "1"), UserError);
}

TEST(YamlNode, FindFollowsKeysAndIndices) {
  auto root = YamlNode::load_string("tree:\n  children:\n    - {name: A, size: 4}\n    - {name: B, size: 8}\n", "f.yaml");
  Diagnostics d;
  EXPECT_EQ(*root.find("tree.children[1].size").as_int(d), 8);
  EXPECT_EQ(root.find("tree.children[1].size").path(), "tree.children[1].size");
  EXPECT_FALSE(root.find("tree.children[2].size").defined());
  EXPECT_FALSE(root.find("tree.missing").defined());
  EXPECT_FALSE(root.find("tree..children").defined());
}

TEST(YamlNode, IntegerOverflowIsRejected) {
  EXPECT_FALSE(parse_int_with_suffix("99999999999999999999"));
  EXPECT_FALSE(parse_int_with_suffix("9000000000000G"));
  EXPECT_EQ(*parse_int_with_suffix("1M"), 1048576);
}

}  // namespace
}  // namespace einflow
